#!/usr/bin/env bash
# Times schedule files of one workload next to OpenBLAS and oneDNN, in one
# tuned_bench run (alternating rounds): hand-written variants, or records copied out
# of a tuning database, each replayed as tuning does.
#
#   bench/cpu/time_schedules.sh WORKLOAD SCHEDULE...
#
# Each SCHEDULE is replayed with the host's postprocessors and written as a library by
# `weft apply --postprocess -o OUT --name <file stem>` (the check against the
# interpreter is skipped: tuned_bench checks every library against OpenBLAS). Environment:
# BUILD (build-bench), OUT (bench/cpu/out-schedules), REPEATS (timed calls per side, 30).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
OUT=${OUT:-$ROOT/bench/cpu/out-schedules}
REPEATS=${REPEATS:-30}
if [ $# -lt 2 ]; then
  echo "usage: $0 WORKLOAD SCHEDULE..." >&2
  exit 2
fi
WORKLOAD=$1
shift

if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
mkdir -p "$OUT"
if ! cmake --build "$BUILD" -j2 --target weft tuned_bench >"$OUT/build.log" 2>&1; then
  tail -20 "$OUT/build.log" >&2
  exit 1
fi

JOBS=()
for schedule in "$@"; do
  stem=$(basename "$schedule" .sched | sed 's/[^A-Za-z0-9]/_/g')
  "$BUILD/weft" apply "$WORKLOAD" "$schedule" --postprocess --no-check --quiet --repeats 1 -o "$OUT" --name "$stem" >/dev/null
  JOBS+=("$WORKLOAD" "$OUT/$stem.so")
done
echo "[$(date -u +%FT%TZ)] $(uptime | sed 's/.*load/load/')" >&2
"$BUILD/tuned_bench" --repeats "$REPEATS" "${JOBS[@]}"
