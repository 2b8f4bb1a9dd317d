#!/usr/bin/env bash
# The GitHub Action's work (action.yml runs this): analyse the plan, write the
# reports, annotations, job summary and step outputs, post the pull-request comment,
# then exit with reachdiff's status (0 clean, 1 findings at or above fail-on, 2 error).
#
# Inputs arrive as environment variables (action.yml maps them):
#   REACHDIFF         the binary (default: reachdiff on PATH)
#   INPUT_COMPARE_TO  a git revision: review INPUT_WORKING_DIRECTORY's configuration (or
#                     a template) against it, without a plan (`reachdiff diff --git`)
#   INPUT_PLAN        plan JSON or binary plan file
#   INPUT_WORKING_DIRECTORY  a Terraform directory: runs `terraform show -json INPUT_PLAN_FILE` there
#   INPUT_PLAN_FILE   the saved plan in that directory (default plan.out)
#   INPUT_CONFIG      policy file (default: reachdiff.toml in the working directory, if any)
#   INPUT_CONTEXT     context files, one per line (`--context`; `#` lines skipped)
#   INPUT_FAIL_ON     critical|high|medium|low|info|never (default high)
#   INPUT_FAIL_ON_UNKNOWN  true: flows of severity unknown fail the gate too (default false)
#   INPUT_COMMENT     update|new|delete-and-new|false (default update)
#   INPUT_COMMENT_ID  tells several reports on one PR apart (default "default")
#   INPUT_SARIF       where to write SARIF (default reachdiff.sarif; empty: none)
#   INPUT_OUTPUT_DIR  where to write the reports (default $RUNNER_TEMP/reachdiff)
#   GITHUB_TOKEN      for the comment
# and the runner's GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_EVENT_NAME,
# GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_SERVER_URL, GITHUB_RUN_ID.
set -uo pipefail

bin="${REACHDIFF:-reachdiff}"
out="${INPUT_OUTPUT_DIR:-${RUNNER_TEMP:-/tmp}/reachdiff}"
mkdir -p "$out"

# The documented `exit-code` output is written however the step ends, errors included.
finish() {
  [ -z "${GITHUB_OUTPUT:-}" ] || echo "exit-code=$1" >> "$GITHUB_OUTPUT"
  exit "$1"
}
fail() { echo "::error title=reachdiff::$*"; finish 2; }

# 1. What to analyse: a configuration against a git revision (no plan), or a plan.
if [ -n "${INPUT_COMPARE_TO:-}" ]; then
  [ -z "${INPUT_PLAN:-}" ] || fail "give either compare-to (no plan) or a plan, not both"
  args=(diff --git "$INPUT_COMPARE_TO" "${INPUT_WORKING_DIRECTORY:-.}")
else
  plan="${INPUT_PLAN:-}"
  if [ -n "${INPUT_WORKING_DIRECTORY:-}" ]; then
    command -v terraform >/dev/null || fail "working-directory needs terraform on PATH (use hashicorp/setup-terraform), or compare-to for a review without a plan"
    plan_file="${INPUT_PLAN_FILE:-plan.out}"
    plan="$out/plan.json"
    (cd "$INPUT_WORKING_DIRECTORY" && terraform show -json "$plan_file") > "$plan" \
      || fail "terraform show -json $plan_file failed in $INPUT_WORKING_DIRECTORY"
  fi
  [ -n "$plan" ] || fail "give the action a plan (plan: plan.json), a working-directory with a saved plan, or compare-to (a git revision) for a review without a plan"
  args=(plan "$plan")
  # Findings then point at the configuration's lines, not the plan's.
  [ -n "${INPUT_WORKING_DIRECTORY:-}" ] && args+=(--source "$INPUT_WORKING_DIRECTORY")
fi

# 2. The analysis: every format from one run.
args+=(--fail-on "${INPUT_FAIL_ON:-high}" --comment-id "${INPUT_COMMENT_ID:-default}"
      --format table
      --format "markdown=$out/comment.md"
      --format "json=$out/reachdiff.json"
      --format "github=$out/annotations.txt")
[ -n "${INPUT_CONFIG:-}" ] && args+=(--config "$INPUT_CONFIG")
case "${INPUT_FAIL_ON_UNKNOWN:-false}" in
  true|True|TRUE) args+=(--fail-on-unknown) ;;
  false|False|FALSE|"") ;;
  *) fail "fail-on-unknown is true or false, not '$INPUT_FAIL_ON_UNKNOWN'" ;;
esac
# Context files: one path per line, blank lines and `#` comments skipped.
while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"
  line="${line%"${line##*[![:space:]]}"}"
  [ -z "$line" ] || [ "${line#\#}" != "$line" ] || args+=(--context "$line")
done <<< "${INPUT_CONTEXT:-}"
sarif="${INPUT_SARIF-reachdiff.sarif}"
[ -n "$sarif" ] && args+=(--format "sarif=$sarif")
if [ -n "${GITHUB_SERVER_URL:-}" ] && [ -n "${GITHUB_RUN_ID:-}" ]; then
  args+=(--full-report-url "$GITHUB_SERVER_URL/${GITHUB_REPOSITORY:-}/actions/runs/$GITHUB_RUN_ID")
fi
# The table goes to the log: fit it to a readable width (a compact layout below the
# wide table's width) unless the workflow sets COLUMNS.
COLUMNS="${COLUMNS:-120}" "$bin" "${args[@]}"
status=$?
[ "$status" -le 1 ] || finish "$status"
# Annotations go to the log, where the runner picks them up.
cat "$out/annotations.txt"

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "json-report=$out/reachdiff.json"
    echo "markdown-report=$out/comment.md"
    [ -n "$sarif" ] && echo "sarif-report=$sarif"
  } >> "$GITHUB_OUTPUT"
fi

# 3. The pull-request comment (only on pull requests; a failure to comment — a fork's
# read-only token — is a warning, never a reason to hide the gate's verdict).
comment="${INPUT_COMMENT:-update}"
case "${GITHUB_EVENT_NAME:-}" in
  pull_request|pull_request_target) on_pr=1 ;;
  *) on_pr=0 ;;
esac
if [ "$comment" != "false" ] && [ "$on_pr" = 1 ]; then
  if ! "$bin" comment github --body "$out/comment.md" --behaviour "$comment"; then
    echo "::warning title=reachdiff::could not post the pull-request comment (see above); the report is in the job summary"
  fi
fi

# 4. The gate.
finish "$status"
