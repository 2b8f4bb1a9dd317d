#!/usr/bin/env bash
# Runs the GitHub Action locally as the runner would: scripts/action/runner.py reads
# action.yml, applies the inputs given here (and the declared defaults), and runs its
# steps with their `if:`/`env:` expressions, with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY
# and a pull_request event payload, against a mock GitHub API on loopback. Checks the
# gate, the action's outputs (as `outputs.*.value` maps them), the job summary, the
# annotations, SARIF, the comment's life cycle (create, update, no overwrite by an
# older run, opt-out), the cache steps, and the install step: a release binary
# downloaded from the mock and checked against SHA256SUMS, a tampered one refused, an
# untagged ref built with cargo.
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"
. scripts/action/lib.sh
ensure_pyyaml || { echo "PyYAML is missing and could not be installed"; exit 1; }

cargo build --release --locked --quiet
tmp=$(mktemp -d)
mkdir -p "$tmp/releases"
python3 scripts/action/mock_github.py --port-file "$tmp/port" --log "$tmp/requests.log" --token test-token --releases "$tmp/releases" &
mock=$!
trap 'kill "$mock" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { echo "the mock GitHub API did not start"; exit 1; }

echo '{"pull_request": {"number": 7}}' > "$tmp/event.json"
mock_url="http://127.0.0.1:$(cat "$tmp/port")"
export GITHUB_API_URL="$mock_url"
export GITHUB_REPOSITORY=o/r GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH="$tmp/event.json"
export GITHUB_SERVER_URL=https://github.test GITHUB_RUN_ATTEMPT=1 GITHUB_TOKEN=test-token
export RUNNER_TEMP="$tmp" RUNNER_OS=Linux RUNNER_ARCH=X64
# A cache hit: the binary just built is where the install step would put it.
mkdir -p "$tmp/reachdiff-bin/bin"
cp target/release/reachdiff "$tmp/reachdiff-bin/bin/reachdiff"

checks=0
check() { # description, command...
  local what=$1; shift
  if "$@"; then checks=$((checks + 1)); else echo "FAILED: $what"; tail -n 20 "$tmp/log"; exit 1; fi
}
run() { # run id, plan, extra inputs (NAME=VALUE)...
  local id=$1 plan=$2; shift 2
  local with=(--with "sarif=$tmp/reachdiff.sarif")
  [ -z "$plan" ] || with+=(--with "plan=$plan")
  for w in "$@"; do with+=(--with "$w"); done
  : > "$tmp/output"; : > "$tmp/summary"
  set +e
  env GITHUB_RUN_ID="$id" GITHUB_STEP_SUMMARY="$tmp/summary" \
    python3 "$root/scripts/action/runner.py" --action "$root" --cache-hit \
    --cache-log "$tmp/cache.log" --outputs "$tmp/output" "${with[@]}" > "$tmp/log" 2>&1
  status=$?
  set -e
}

# A change that must fail: SSH opened to the world on a public host.
run 100 testdata/scenarios/demo/plan.json
check "demo fails the gate" test "$status" = 1
check "outputs: failed" grep -qx 'failed=true' "$tmp/output"
check "outputs: worst" grep -qx 'worst=critical' "$tmp/output"
check "outputs: exit code" grep -qx 'exit-code=1' "$tmp/output"
check "outputs: report paths" grep -q '^sarif-report=' "$tmp/output"
check "outputs: each flow counted once" grep -qx 'critical=1' "$tmp/output"
check "outputs: info declared and set" grep -qx 'info=0' "$tmp/output"
check "outputs: warnings declared and set" grep -qx 'warnings=0' "$tmp/output"
# Every output action.yml declares is set on a run that reports.
check "every declared output is set" test "$(grep -c '=.' "$tmp/output")" = "$(grep -c '=' "$tmp/output")"
check "the cache was restored, not saved again" grep -q '^restore reachdiff-Linux-X64-build-' "$tmp/cache.log"
check "no save after a hit" test "$(grep -c '^save ' "$tmp/cache.log")" = 0
check "job summary" grep -q 'reachdiff: 1 critical opened' "$tmp/summary"
check "annotations in the log" grep -q '^::error file=testdata/scenarios/demo/plan.json,line=' "$tmp/log"
check "the table in the log" grep -q '^gate: failed (--fail-on high)' "$tmp/log"
check "SARIF written" grep -q '"version": "2.1.0"' "$tmp/reachdiff.sarif"
check "comment created" grep -qx 'POST /repos/o/r/issues/7/comments' "$tmp/requests.log"

# The next run of the PR, now clean: the same comment is updated and the step passes.
run 101 testdata/scenarios/nacl-renumbered-same-order-no-change/plan.json
check "a clean change passes" test "$status" = 0
check "outputs: not failed" grep -qx 'failed=false' "$tmp/output"
check "comment updated" grep -qx 'PATCH /repos/o/r/issues/comments/1001' "$tmp/requests.log"

# A slow older run finishing last does not overwrite the newer report.
before=$(wc -l < "$tmp/requests.log")
run 100 testdata/scenarios/demo/plan.json
check "older run still gates" test "$status" = 1
check "older run not posted" grep -q 'newer run (101.1)' "$tmp/log"
check "no write by the older run" test "$(tail -n +"$((before + 1))" "$tmp/requests.log" | grep -vc '^GET ')" = 0

# comment: false posts nothing; fail-on never passes.
before=$(wc -l < "$tmp/requests.log")
run 102 testdata/scenarios/demo/plan.json comment=false fail-on=never
check "fail-on never passes" test "$status" = 0
check "comment: false posts nothing" test "$(wc -l < "$tmp/requests.log")" = "$before"

# A missing plan is an error (exit 2), not a pass, and says so in the outputs.
run 103 ""
check "no plan is an error" test "$status" = 2
check "outputs after an error: exit code 2" grep -qx 'exit-code=2' "$tmp/output"
run 106 testdata/no-such-plan.json
check "an unreadable plan is an error" test "$status" = 2
check "outputs after a reachdiff error: exit code 2" grep -qx 'exit-code=2' "$tmp/output"

# Context files, one per line (comments and blank lines skipped), reach every run.
ctx=testdata/context/instance-into-existing-network
run 107 "$ctx/plan.json" comment=false fail-on=never \
  "context=# the network, as described
$(printf '%s\n' "$ctx"/context/*.json | sed '2s/^/  /;3s/$/  /;4s/^/\n/')"
report_json="$(sed -n 's/^json-report=//p' "$tmp/output")"
check "context files are passed to reachdiff" \
  grep -q '"path": "testdata/context/instance-into-existing-network/context/subnets.json"' "$report_json"
check "context settles the new instance's exposure" \
  grep -q 'opened.*aws_instance.app.*tcp 22.*198.51.100.0/24' "$tmp/log"

# A VM into an existing network the plan does not describe: unknown exposure, counted
# apart and not gated unless fail-on-unknown.
run 108 testdata/scenarios/endpoint-instance-into-existing-network/plan.json comment=false
check "unknown exposure passes the default gate" test "$status" = 0
check "outputs: unknown declared and set" grep -qx 'unknown=2' "$tmp/output"
check "outputs: unknown is not the worst" grep -qx 'worst=none' "$tmp/output"
check "the warning names the command that settles it" \
  grep -q 'aws ec2 describe-security-groups --group-ids sg-0a1b2c3d4e5f67890' "$tmp/log"
run 109 testdata/scenarios/endpoint-instance-into-existing-network/plan.json comment=false \
  fail-on-unknown=true
check "fail-on-unknown fails on unknown exposure" test "$status" = 1
check "outputs: failed with fail-on-unknown" grep -qx 'failed=true' "$tmp/output"
run 110 testdata/scenarios/endpoint-instance-into-existing-network/plan.json comment=false \
  fail-on-unknown=maybe
check "fail-on-unknown is true or false" test "$status" = 2

# Without a plan: the working directory's configuration against a git revision, with
# annotations on the configuration's lines.
repo="$tmp/repo"
mkdir -p "$repo/infra"
cp testdata/scenarios/sg-inline-ssh-opened-to-world/before/main.tf "$repo/infra/main.tf"
git -C "$repo" init -q
git -C "$repo" add .
git -C "$repo" -c user.name=t -c user.email=t@example.com commit -qm base
cp testdata/scenarios/sg-inline-ssh-opened-to-world/after/main.tf "$repo/infra/main.tf"
cd "$repo"
run 104 "" compare-to=HEAD working-directory=infra comment=false
check "compare-to finds SSH opened" test "$status" = 1
check "compare-to annotates the configuration" grep -q '^::error file=infra/main.tf,line=10,' "$tmp/log"
run 105 "" compare-to=no-such-rev working-directory=infra comment=false
check "compare-to with a bad revision is an error" test "$status" = 2
cd "$root"

# The install step, on a cache miss. The action as the runner checks it out at a
# release tag: …/_actions/OWNER/REPO/REF.
install() { # action dir; runs action.yml's steps up to the install (no plan: exit 2)
  set +e
  env GITHUB_RUN_ID=200 GITHUB_STEP_SUMMARY="$tmp/summary" GITHUB_SERVER_URL="$mock_url" \
    RUNNER_TEMP="$tmp/miss" PATH="$tmp/fake-bin:$PATH" \
    python3 "$root/scripts/action/runner.py" --action "$1" --cache-log "$tmp/cache-miss.log" \
    --outputs "$tmp/output" --with comment=false > "$tmp/log" 2>&1
  status=$?
  set -e
}
tagged="$tmp/actions/_actions/o/reachdiff/v0"
mkdir -p "$tagged/scripts"
cp -r action.yml Cargo.toml Cargo.lock src "$tagged/"
cp -r scripts/action "$tagged/scripts/"
version=$(sed -n 's/^version = "\([^"]*\)"$/\1/p' Cargo.toml | head -n 1)
target=$(case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) echo x86_64-unknown-linux-musl ;; Linux/aarch64) echo aarch64-unknown-linux-musl ;;
  Darwin/x86_64) echo x86_64-apple-darwin ;; Darwin/arm64) echo aarch64-apple-darwin ;; esac)
asset="reachdiff-v$version-$target"
mkdir -p "$tmp/releases/v$version/$asset" "$tmp/fake-bin"
cp target/release/reachdiff "$tmp/releases/v$version/$asset/"
tar -czf "$tmp/releases/v$version/$asset.tar.gz" -C "$tmp/releases/v$version" "$asset"
(cd "$tmp/releases/v$version" && sha256sum "$asset.tar.gz" > SHA256SUMS)
# cargo must not be needed for a tagged action: a cargo that fails and says so.
printf '#!/bin/sh\necho "cargo $*" >> %s/cargo.log\nexit 42\n' "$tmp" > "$tmp/fake-bin/cargo"
chmod +x "$tmp/fake-bin/cargo"

install "$tagged"
check "a tagged action downloads its release" grep -q "GET /o/reachdiff/releases/download/v$version/$asset.tar.gz" "$tmp/requests.log"
check "the checksum is verified" grep -q "installed reachdiff $version ($target, sha256 " "$tmp/log"
check "the downloaded binary ran the analysis" grep -qx 'exit-code=2' "$tmp/output"
check "no cargo for a release" test ! -e "$tmp/cargo.log"
check "the cache is keyed on the release" grep -q "^restore reachdiff-Linux-X64-release-v$version-$target " "$tmp/cache-miss.log"
check "the cache is saved on a miss, before the analysis" grep -q '^save ' "$tmp/cache-miss.log"

# A tampered asset: refused, not installed, no fallback to building.
rm -rf "$tmp/miss"
echo "tampered" >> "$tmp/releases/v$version/$asset.tar.gz"
install "$tagged"
check "a checksum mismatch fails the step" test "$status" = 1
check "and says why" grep -q "checksum mismatch for $asset.tar.gz" "$tmp/log"
check "nothing was installed" test ! -e "$tmp/miss/reachdiff-bin/bin/reachdiff"
check "nothing was built instead" test ! -e "$tmp/cargo.log"

# An untagged ref (a branch): built with cargo (the fake one records the call).
branch="$tmp/actions/_actions/o/reachdiff/main"
mkdir -p "$(dirname "$branch")" && cp -r "$tagged" "$branch"
rm -rf "$tmp/miss"
install "$branch"
check "an untagged ref builds with cargo" grep -q "^cargo install --locked --path $branch --root $tmp/miss/reachdiff-bin" "$tmp/cargo.log"
check "keyed on the action's files" grep -q '^restore reachdiff-Linux-X64-build-' "$tmp/cache-miss.log"

echo "action test: $checks checks passed"
