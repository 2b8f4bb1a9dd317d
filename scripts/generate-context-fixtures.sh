#!/usr/bin/env bash
# Regenerate the context fixtures in testdata/context/<scenario>/: a plan that
# builds on an existing network it refers to by id only, and the context files
# (--context) that describe that network.
#
# Usage: scripts/generate-context-fixtures.sh [scenario...]
#
# For each scenario (folders of testdata/context/ with an after/ folder, or only
# the ones named):
#   1. reset a private moto server and apply testdata/context/network/ (its own
#      state: another team's network);
#   2. write the network's outputs as network.auto.tfvars.json into the
#      scenario's before/ and after/ (only the variables each declares);
#   3. apply before/ (its own state) when it has .tf files, and check that it
#      plans clean;
#   4. plan after/ and write `terraform show -json` of the plan to plan.json;
#   5. run the scenario's drift.sh, if any: changes made outside Terraform
#      after the plan (AWS CLI against moto; $web_sg_id etc. are set);
#   6. describe the world as it is now into context/: the network's state
#      (`terraform show -json`, network-state.json) and the JSON of the
#      `aws ec2 describe-…` commands for the VPC, run exactly as
#      docs/context.md tells users to.
#
# Prerequisites: those of scripts/generate-fixtures.sh (DEVELOPERS.md), plus the
# AWS CLI (`pip install awscli`) and jq.

set -euo pipefail

# shellcheck source=fixtures/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/fixtures/lib.sh"
CONTEXT_DIR="$ROOT/testdata/context"

for tool in aws jq; do
  command -v "$tool" >/dev/null 2>&1 || die "'$tool' not found on PATH (pip install awscli; apt-get install jq)"
done

pick_scenarios "$CONTEXT_DIR" "$@"

fixtures_start

# The AWS CLI talks to moto.
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1
export AWS_ENDPOINT_URL="$ENDPOINT" AWS_PAGER=""
unset AWS_PROFILE 2>/dev/null || true

# tfvars <outputs.json> <dir>: the outputs the configuration in <dir> declares as
# variables, as network.auto.tfvars.json.
tfvars() {
  local outputs="$1" dir="$2" names
  names="$(grep -ho 'variable "[A-Za-z0-9_]*"' "$dir"/*.tf | sed 's/variable "\(.*\)"/\1/' | jq -R . | jq -s .)"
  jq --argjson names "$names" \
    'with_entries(select(.key as $k | $names | index($k))) | map_values(.value)' \
    "$outputs" >"$dir/network.auto.tfvars.json"
}

# describe <vpc id> <out dir>: the context files, as docs/context.md writes them.
describe() {
  local vpc="$1" out="$2"
  aws ec2 describe-vpcs --vpc-ids "$vpc" --output json >"$out/vpcs.json"
  aws ec2 describe-subnets --filters "Name=vpc-id,Values=$vpc" --output json >"$out/subnets.json"
  aws ec2 describe-route-tables --filters "Name=vpc-id,Values=$vpc" --output json >"$out/route-tables.json"
  aws ec2 describe-network-acls --filters "Name=vpc-id,Values=$vpc" --output json >"$out/network-acls.json"
  aws ec2 describe-security-groups --filters "Name=vpc-id,Values=$vpc" --output json >"$out/security-groups.json"
  aws ec2 describe-internet-gateways --filters "Name=attachment.vpc-id,Values=$vpc" --output json >"$out/internet-gateways.json"
  aws ec2 describe-instances --filters "Name=vpc-id,Values=$vpc" --output json >"$out/instances.json"
  # describe-managed-prefix-lists, each list with the Entries of
  # get-managed-prefix-list-entries (which alone does not say which list it is).
  aws ec2 describe-managed-prefix-lists --output json >"$WORK/lists.json"
  local entries="$WORK/entries.json"
  echo '{}' >"$entries"
  for id in $(jq -r '.PrefixLists[].PrefixListId' "$WORK/lists.json"); do
    aws ec2 get-managed-prefix-list-entries --prefix-list-id "$id" --output json |
      jq --arg id "$id" --slurpfile all "$entries" '$all[0] + {($id): .Entries}' >"$entries.new"
    mv "$entries.new" "$entries"
  done
  jq --slurpfile e "$entries" '.PrefixLists |= map(. + {Entries: $e[0][.PrefixListId]})' \
    "$WORK/lists.json" >"$out/prefix-lists.json"
}

generate() {
  local name="$1"
  local sdir="$CONTEXT_DIR/$name"
  local net="$WORK/$name/network" app="$WORK/$name/app"
  local logfile="$WORK/$name.log"
  mkdir -p "$net" "$app"
  : >"$logfile"
  log "$name"
  moto_reset

  stage "$CONTEXT_DIR/network" "$net"
  tf "$net" "$logfile" init -input=false
  tf "$net" "$logfile" apply -input=false -auto-approve -parallelism=1
  : >"$WORK/outputs.json"
  run_tf "$net" "$WORK/outputs.json" "$logfile" output -json || die "$name: terraform output failed"

  if [ -d "$sdir/before" ] && has_tf "$sdir/before"; then
    tfvars "$WORK/outputs.json" "$sdir/before"
    stage "$sdir/before" "$app"
    tf "$app" "$logfile" init -input=false
    tf "$app" "$logfile" apply -input=false -auto-approve -parallelism=1
    local rc=0
    run_tf "$app" "$logfile" "$logfile" plan -input=false -detailed-exitcode \
      -parallelism=1 || rc=$?
    [ "$rc" -eq 0 ] || { tail -n 80 "$logfile" >&2; die "$name: before/ does not plan clean after apply (exit $rc)"; }
  fi

  tfvars "$WORK/outputs.json" "$sdir/after"
  stage "$sdir/after" "$app"
  tf "$app" "$logfile" init -input=false
  tf "$app" "$logfile" plan -input=false -parallelism=1 -out=plan.out
  : >"$app/plan.raw.json"
  run_tf "$app" "$app/plan.raw.json" "$logfile" show -json plan.out || die "$name: terraform show -json failed"
  python3 -m json.tool "$app/plan.raw.json" >"$sdir/plan.json"
  python3 "$FIXTURES_DIR/summarize.py" "$sdir/plan.json" >&2

  if [ -x "$sdir/drift.sh" ]; then
    log "$name: drift.sh"
    (
      eval "$(jq -r 'to_entries[] | "export \(.key)=\(.value.value | @sh)"' "$WORK/outputs.json")"
      "$sdir/drift.sh"
    )
  fi

  rm -rf "$sdir/context"
  mkdir -p "$sdir/context"
  : >"$WORK/state.json"
  run_tf "$net" "$WORK/state.json" "$logfile" show -json || die "$name: terraform show -json (state) failed"
  python3 -m json.tool "$WORK/state.json" >"$sdir/context/network-state.json"
  describe "$(jq -r '.vpc_id.value' "$WORK/outputs.json")" "$sdir/context"
}

for name in "${scenarios[@]}"; do
  generate "$name"
done
log "done: ${#scenarios[@]} scenario(s)"
