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

# shellcheck source=fixtures/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/fixtures/lib.sh"
SCENARIOS_DIR="$ROOT/testdata/scenarios"

# ---- which scenarios -------------------------------------------------------
pick_scenarios "$SCENARIOS_DIR" "$@"

fixtures_start

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
