#!/usr/bin/env bash
# Measure reachdiff end to end on the worst-case plans of benches/worst_case.rs (every
# instance in its own security group, groups referencing each other, instances spread
# over shared subnets with network ACLs), as docs/benchmarks.md reports them.
#
# Usage: scripts/measure-scale.sh [sizes...]     (default: 500 1000 2000 5000 10000)
#
# For each size and shape (create: the whole network is new, as in the scale issue's
# 1,500-instance plan; update: it exists and every 50th group gains tcp 443 from
# anywhere), writes the plan with examples/worst_case_plan.rs into $OUT (default
# target/scale), then runs the release binary three times with /usr/bin/time and prints
# the best wall time, its user time and peak memory, next to the plan's size and the
# time Python's json.load takes on the same file (the issue's yardstick).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-$ROOT/target/scale}"
sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(500 1000 2000 5000 10000)

cd "$ROOT"
cargo build --release --quiet --bin reachdiff --example worst_case_plan
mkdir -p "$OUT"
printf '%-8s %-7s %10s %9s %9s %10s %9s\n' instances shape "plan MB" "wall s" "user s" "peak MB" "json.load"
for n in "${sizes[@]}"; do
  for shape in create update; do
    plan="$OUT/worst-$n-$shape.json"
    [[ -s "$plan" ]] || target/release/examples/worst_case_plan "$n" "$shape" > "$plan"
    best=""
    for _ in 1 2 3; do
      line=$(/usr/bin/time -f '%e %U %M' target/release/reachdiff plan "$plan" \
        --no-config --format json --fail-on never 2>&1 >/dev/null | tail -1)
      if [[ -z "$best" ]] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN{exit !(a<b)}'; then
        best="$line"
      fi
    done
    read -r wall user kb <<<"$best"
    py=$(python3 -c 'import json,sys,time; t=time.perf_counter(); json.load(open(sys.argv[1])); print(f"{time.perf_counter()-t:.2f}")' "$plan")
    mb=$(awk -v b="$(stat -c %s "$plan")" 'BEGIN{printf "%.1f", b/1e6}')
    printf '%-8s %-7s %10s %9s %9s %10s %9s\n' "$n" "$shape" "$mb" "$wall" "$user" "$((kb / 1024))" "$py"
  done
done
