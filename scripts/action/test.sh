#!/usr/bin/env bash
# Runs the GitHub Action's steps locally: a simulated runner (GITHUB_OUTPUT,
# GITHUB_STEP_SUMMARY, a pull_request event payload) and a mock GitHub API on
# loopback. Checks the gate, the outputs, the job summary, the annotations, SARIF and
# the comment's life cycle (create, update, no overwrite by an older run, opt-out).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"

cargo build --release --locked --quiet
tmp=$(mktemp -d)
python3 scripts/action/mock_github.py --port-file "$tmp/port" --log "$tmp/requests.log" --token test-token &
mock=$!
trap 'kill "$mock" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { echo "the mock GitHub API did not start"; exit 1; }

echo '{"pull_request": {"number": 7}}' > "$tmp/event.json"
export REACHDIFF="$PWD/target/release/reachdiff"
export GITHUB_API_URL="http://127.0.0.1:$(cat "$tmp/port")"
export GITHUB_REPOSITORY=o/r GITHUB_EVENT_NAME=pull_request GITHUB_EVENT_PATH="$tmp/event.json"
export GITHUB_SERVER_URL=https://github.test GITHUB_RUN_ATTEMPT=1 GITHUB_TOKEN=test-token
export RUNNER_TEMP="$tmp"

checks=0
check() { # description, command...
  local what=$1; shift
  if "$@"; then checks=$((checks + 1)); else echo "FAILED: $what"; exit 1; fi
}
run() { # run id, plan, extra env...
  local id=$1 plan=$2; shift 2
  : > "$tmp/output"; : > "$tmp/summary"
  set +e
  env GITHUB_RUN_ID="$id" GITHUB_OUTPUT="$tmp/output" GITHUB_STEP_SUMMARY="$tmp/summary" \
    INPUT_PLAN="$plan" INPUT_SARIF="$tmp/reachdiff.sarif" "$@" \
    bash "$root/scripts/action/run.sh" > "$tmp/log" 2>&1
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
run 102 testdata/scenarios/demo/plan.json INPUT_COMMENT=false INPUT_FAIL_ON=never
check "fail-on never passes" test "$status" = 0
check "comment: false posts nothing" test "$(wc -l < "$tmp/requests.log")" = "$before"

# A missing plan is an error (exit 2), not a pass.
run 103 ""
check "no plan is an error" test "$status" = 2

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
run 104 "" INPUT_COMPARE_TO=HEAD INPUT_WORKING_DIRECTORY=infra INPUT_COMMENT=false
check "compare-to finds SSH opened" test "$status" = 1
check "compare-to annotates the configuration" grep -q '^::error file=infra/main.tf,line=10,' "$tmp/log"
run 105 "" INPUT_COMPARE_TO=no-such-rev INPUT_WORKING_DIRECTORY=infra INPUT_COMMENT=false
check "compare-to with a bad revision is an error" test "$status" = 2
cd "$root"

echo "action test: $checks checks passed"
