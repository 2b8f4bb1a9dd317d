#!/usr/bin/env bash
# Gets the reachdiff binary for the GitHub Action (action.yml runs this).
#
#   install.sh key      writes `key=…` (the cache key) and `mode=release|build` to
#                       $GITHUB_OUTPUT
#   install.sh install  puts the binary at $REACHDIFF_ROOT/bin/reachdiff
#
# A tagged action (`uses: owner/reachdiff@v0`, `@v0.2.0`) downloads the release's
# binary for its own version (the `version` in its Cargo.toml) and checks it against
# the release's SHA256SUMS; anything else (a branch, a commit, `uses: ./`) builds it
# with `cargo install --locked`. A checksum that does not match is an error, never a
# reason to fall back.
#
# The action's ref comes from its path: the runner checks an action out at
# `…/_actions/OWNER/REPO/REF` — `github.action_ref` and `$GITHUB_ACTION_REF` are empty
# in composite actions (actions/runner#2473).
#
# Environment: GITHUB_ACTION_PATH (the action's files), GITHUB_SERVER_URL (releases
# are at $GITHUB_SERVER_URL/OWNER/REPO/releases/download/TAG/), RUNNER_OS, RUNNER_ARCH,
# REACHDIFF_ROOT (where to install).
set -euo pipefail

action="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this from action.yml}"
fail() { echo "::error title=reachdiff::$*"; exit 1; }

version=$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "$action/Cargo.toml" | head -n 1)
[ -n "$version" ] || fail "no version in $action/Cargo.toml"

# OWNER/REPO and REF when the runner checked the action out; empty for `uses: ./`.
slug="" ref=""
case "$action" in
  */_actions/*/*/*)
    rest="${action#*/_actions/}"
    owner="${rest%%/*}"; rest="${rest#*/}"
    repo="${rest%%/*}"; rest="${rest#*/}"
    ref="${rest%%/*}"
    slug="$owner/$repo"
    ;;
esac

# A release tag: v0, v0.2, v0.2.0.
mode=build
if [[ "$ref" =~ ^v[0-9]+(\.[0-9]+){0,2}$ ]]; then
  mode=release
fi

target() {
  case "$(uname -s)/$(uname -m)" in
    Linux/x86_64) echo x86_64-unknown-linux-musl ;;
    Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-musl ;;
    Darwin/x86_64) echo x86_64-apple-darwin ;;
    Darwin/arm64) echo aarch64-apple-darwin ;;
    *) echo "" ;;
  esac
}

sha256() {
  if command -v sha256sum >/dev/null; then
    sha256sum "$@"
  else
    shasum -a 256 "$@"
  fi
}

case "${1:-}" in
  key)
    if [ "$mode" = release ]; then
      # The release's binary is the same for every action ref of one version.
      what="v$version-$(target)"
    else
      # Built from these files: hash them (sorted, so the order is stable).
      what=$(cd "$action" && find action.yml Cargo.toml Cargo.lock src scripts/action -type f \
        | LC_ALL=C sort | while read -r f; do sha256 "$f"; done | sha256 | cut -c1-20)
    fi
    key="reachdiff-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-$mode-$what"
    echo "reachdiff: $mode (action ${slug:-local}${ref:+@$ref}, version $version): cache key $key"
    if [ -n "${GITHUB_OUTPUT:-}" ]; then
      { echo "key=$key"; echo "mode=$mode"; } >> "$GITHUB_OUTPUT"
    fi
    ;;
  install)
    root="${REACHDIFF_ROOT:?REACHDIFF_ROOT is not set}"
    if [ "$mode" = build ]; then
      echo "reachdiff: building from source (the action is not used at a release tag)"
      cargo install --locked --path "$action" --root "$root"
      exit 0
    fi
    t=$(target)
    [ -n "$t" ] || fail "no release binary for $(uname -s)/$(uname -m); use the action at a branch or commit to build it with cargo"
    tag="v$version"
    base="${GITHUB_SERVER_URL:-https://github.com}/$slug/releases/download"
    asset="reachdiff-$tag-$t.tar.gz"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    echo "reachdiff: downloading $asset from release $tag"
    curl -fsSL --retry 3 -o "$tmp/$asset" "$base/$tag/$asset" \
      || fail "cannot download $base/$tag/$asset (is release $tag published for $t?)"
    curl -fsSL --retry 3 -o "$tmp/SHA256SUMS" "$base/$tag/SHA256SUMS" \
      || fail "cannot download $base/$tag/SHA256SUMS"
    expected=$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1 }' "$tmp/SHA256SUMS")
    [ -n "$expected" ] || fail "SHA256SUMS of $tag has no line for $asset"
    actual=$(sha256 "$tmp/$asset" | cut -d' ' -f1)
    [ "$actual" = "$expected" ] \
      || fail "checksum mismatch for $asset: expected $expected, got $actual; not installing it"
    mkdir -p "$root/bin"
    tar -xzf "$tmp/$asset" -C "$tmp"
    install -m 0755 "$tmp/reachdiff-$tag-$t/reachdiff" "$root/bin/reachdiff"
    got=$("$root/bin/reachdiff" --version)
    [ "$got" = "reachdiff $version" ] || fail "the downloaded binary says \"$got\", not reachdiff $version"
    echo "reachdiff: installed $got ($t, sha256 $actual)"
    ;;
  *)
    echo "usage: install.sh key|install" >&2
    exit 2
    ;;
esac
