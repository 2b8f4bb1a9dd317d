# Shared by scripts/action/test.sh and lint.sh (sourced): the tools they need, installed
# into a cache directory on first use when the machine lacks them, never system-wide.

# Where downloaded tools are kept between runs.
tool_cache() {
  local dir="${REACHDIFF_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/reachdiff-ci}"
  mkdir -p "$dir" && echo "$dir"
}

# Makes `import yaml` work for python3 (PyYAML from PyPI into the cache if needed).
# Returns 1 when it cannot.
ensure_pyyaml() {
  python3 -c 'import yaml' 2>/dev/null && return 0
  local dir
  dir="$(tool_cache)/python"
  export PYTHONPATH="$dir${PYTHONPATH:+:$PYTHONPATH}"
  python3 -c 'import yaml' 2>/dev/null && return 0
  echo "installing PyYAML into $dir"
  python3 -m pip install --quiet --disable-pip-version-check --target "$dir" 'pyyaml==6.0.3' >&2 \
    && python3 -c 'import yaml' 2>/dev/null
}
