#!/usr/bin/env bash
# Regenerate the Terraform plan fixtures in testdata/scenarios/<name>/plan.json.
#
# Usage: scripts/generate-fixtures.sh [scenario...]
#
# For each scenario (all folders under testdata/scenarios/ that have an
# after/ folder, or only the ones named on the command line):
#   1. reset a private moto server (fake EC2/ELBv2/RDS APIs, started through
#      scripts/fixtures/moto_server.py) and seed its random generator,
#   2. copy before/ + scripts/fixtures/provider.tf into a fresh work dir,
#      `terraform init` and `terraform apply` (skipped when before/ has no
#      .tf files), then check that re-planning the before/ config shows no
#      changes (moto drift would make the fixture lie),
#   3. replace the configuration with after/ (+ provider.tf), `terraform plan
#      -out plan.out` and write `terraform show -json plan.out`, pretty-printed
#      with `python3 -m json.tool`, to the scenario's plan.json,
#   4. print the plan's resource changes (address -> actions) for review.
#
# Prerequisites (see DEVELOPERS.md): terraform 1.11.x, the hashicorp/aws
# 5.100.0 provider in a filesystem mirror (default /opt/tf-plugins, override
# with TF_PLUGIN_MIRROR), moto importable by python3 (pip install
# "moto[server]"), python3, curl. No network access is needed.
#
# Environment:
#   TF_PLUGIN_MIRROR  filesystem mirror holding hashicorp/aws (default /opt/tf-plugins)
#   MOTO_PORT         preferred loopback port for moto_server (default 47915;
#                     a free port is picked if it is taken)
#   MOTO_SEED         seed for moto's random generator (default 20240601);
#                     IDs and EIP addresses still vary between runs
#   KEEP_WORKDIR=1    keep the temporary work directory for debugging

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCENARIOS_DIR="$ROOT/testdata/scenarios"
FIXTURES_DIR="$ROOT/scripts/fixtures"
PLUGIN_MIRROR="${TF_PLUGIN_MIRROR:-/opt/tf-plugins}"
MOTO_SEED="${MOTO_SEED:-20240601}"
PREFERRED_PORT="${MOTO_PORT:-47915}"

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

for tool in terraform python3 curl; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found on PATH (see DEVELOPERS.md)"
done
python3 -c 'import moto.server, moto.ec2' 2>/dev/null ||
  die "python3 cannot import moto's server (pip install \"moto[server]\"; see DEVELOPERS.md)"
[ -d "$PLUGIN_MIRROR/registry.terraform.io/hashicorp/aws" ] ||
  die "no hashicorp/aws provider under $PLUGIN_MIRROR (set TF_PLUGIN_MIRROR)"

# ---- which scenarios -------------------------------------------------------
scenarios=()
if [ "$#" -gt 0 ]; then
  for name in "$@"; do
    name="${name%/}"
    name="${name##*/}"
    [ -d "$SCENARIOS_DIR/$name/after" ] || die "no scenario '$name' (expected $SCENARIOS_DIR/$name/after/)"
    scenarios+=("$name")
  done
else
  for dir in "$SCENARIOS_DIR"/*/; do
    [ -d "$dir/after" ] && scenarios+=("$(basename "$dir")")
  done
fi
[ "${#scenarios[@]}" -gt 0 ] || die "no scenarios found under $SCENARIOS_DIR"

# ---- temp dir, moto_server, cleanup ----------------------------------------
WORK="$(mktemp -d "${TMPDIR:-/tmp}/reachdiff-fixtures.XXXXXX")"
MOTO_PID=""

TF_PID=""

cleanup() {
  local rc=$?
  if [ -n "$TF_PID" ]; then
    kill "$TF_PID" 2>/dev/null || true
    wait "$TF_PID" 2>/dev/null || true
  fi
  if [ -n "$MOTO_PID" ]; then
    kill "$MOTO_PID" 2>/dev/null || true
    wait "$MOTO_PID" 2>/dev/null || true
  fi
  if [ "${KEEP_WORKDIR:-0}" = 1 ]; then
    log "work directory kept: $WORK"
  else
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PORT="$(python3 - "$PREFERRED_PORT" <<'PY'
import socket, sys
def free(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        return s.getsockname()[1]
    except OSError:
        return None
    finally:
        s.close()
print(free(int(sys.argv[1])) or free(0))
PY
)"
ENDPOINT="http://127.0.0.1:$PORT"

log "starting moto_server on $ENDPOINT"
# moto_server, with fixes for moto bugs that break Terraform (see the file).
python3 "$FIXTURES_DIR/moto_server.py" -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
for _ in $(seq 1 100); do
  if curl -fsS -o /dev/null -X POST "$ENDPOINT/moto-api/reset" 2>/dev/null; then
    break
  fi
  kill -0 "$MOTO_PID" 2>/dev/null || { cat "$WORK/moto.log" >&2; die "moto_server exited"; }
  sleep 0.2
done
curl -fsS -o /dev/null -X POST "$ENDPOINT/moto-api/reset" || die "moto_server did not come up on $ENDPOINT"

sed "s#@PLUGIN_MIRROR@#$PLUGIN_MIRROR#" "$FIXTURES_DIR/terraformrc" >"$WORK/terraformrc"
export TF_CLI_CONFIG_FILE="$WORK/terraformrc"
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
unset TF_WORKSPACE TF_DATA_DIR 2>/dev/null || true

# ---- helpers ---------------------------------------------------------------
# run_tf <workdir> <stdout file> <logfile> <args...>: run terraform in the
# background and wait for it, so that a signal reaches our traps at once (and
# cleanup can stop it); returns terraform's exit status.
run_tf() {
  local dir="$1" out="$2" logfile="$3" rc=0
  shift 3
  echo "+ terraform $*" >>"$logfile"
  terraform -chdir="$dir" "$1" -no-color "${@:2}" >>"$out" 2>>"$logfile" &
  TF_PID=$!
  wait "$TF_PID" || rc=$?
  TF_PID=""
  return "$rc"
}

# tf <workdir> <logfile> <args...>: run terraform, fail loudly with its output.
tf() {
  local dir="$1" logfile="$2"
  shift 2
  if ! run_tf "$dir" "$logfile" "$logfile" "$@"; then
    echo "----- terraform $* failed in $dir; log follows -----" >&2
    tail -n 80 "$logfile" >&2
    die "terraform $1 failed"
  fi
}

moto_reset() {
  curl -fsS -o /dev/null -X POST "$ENDPOINT/moto-api/reset" || die "moto reset failed"
  curl -fsS -o /dev/null -X POST "$ENDPOINT/moto-api/seed?a=$MOTO_SEED" || die "moto seed failed"
}

# stage <src dir> <work dir>: replace the configuration in <work dir> by the
# contents of <src dir> (its .tf files and modules/) plus the shared provider.
stage() {
  local src="$1" dir="$2"
  find "$dir" -maxdepth 1 -name '*.tf' -delete
  rm -rf "$dir/modules"
  cp -R "$src"/. "$dir"/
  rm -f "$dir/.gitkeep"
  sed "s#@MOTO_ENDPOINT@#$ENDPOINT#g" "$FIXTURES_DIR/provider.tf" >"$dir/zz_fixture_provider.tf"
}

has_tf() { compgen -G "$1/*.tf" >/dev/null; }

generate() {
  local name="$1"
  local sdir="$SCENARIOS_DIR/$name"
  local dir="$WORK/$name"
  local logfile="$WORK/$name.log"
  mkdir -p "$dir"
  : >"$logfile"
  log "$name"
  moto_reset

  if [ -d "$sdir/before" ] && has_tf "$sdir/before"; then
    stage "$sdir/before" "$dir"
    tf "$dir" "$logfile" init -input=false
    tf "$dir" "$logfile" apply -input=false -auto-approve -parallelism=1
    # The applied before/ config must plan clean, else moto drift would leak
    # into plan.json as changes the scenario does not intend.
    local rc=0
    run_tf "$dir" "$logfile" "$logfile" plan -input=false -detailed-exitcode \
      -parallelism=1 || rc=$?
    if [ "$rc" -ne 0 ]; then
      tail -n 80 "$logfile" >&2
      die "$name: before/ does not plan clean after apply (exit $rc): moto drift?"
    fi
  fi

  has_tf "$sdir/after" || die "$name: after/ has no .tf files"
  stage "$sdir/after" "$dir"
  tf "$dir" "$logfile" init -input=false
  tf "$dir" "$logfile" plan -input=false -parallelism=1 -out=plan.out
  : >"$dir/plan.raw.json"
  run_tf "$dir" "$dir/plan.raw.json" "$logfile" show -json plan.out ||
    die "$name: terraform show -json failed"
  python3 -m json.tool "$dir/plan.raw.json" >"$dir/plan.pretty.json"
  mv "$dir/plan.pretty.json" "$sdir/plan.json"
  python3 "$FIXTURES_DIR/summarize.py" "$sdir/plan.json" >&2
}

for name in "${scenarios[@]}"; do
  generate "$name"
done
log "done: ${#scenarios[@]} scenario(s)"
