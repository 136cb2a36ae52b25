#!/usr/bin/env bash
# The CPU tuning benchmark of issue 4: tune each workload into bench/cpu/out/bench.db,
# compile its best schedule, time it next to OpenBLAS and oneDNN (tuned_bench) and draw the
# tuning curve (best-so-far GFLOP/s against trials).
#
#   TRIALS=64 bench/cpu/run.sh [WORKLOAD...]
#
# Environment: TRIALS (total trials per workload in the DB, default 64; tuning resumes
# from the DB, so re-running with the same TRIALS only re-measures), BATCH (candidates
# per round, 16), SEED (1), REPEATS (timed calls per side in tuned_bench, 30),
# BUILD (build folder, build-bench), OUT (bench/cpu/out), SKIP_TUNE=1 (compile and
# time what the DB holds), REMEASURE (weft compile --remeasure: time this many best
# records again and keep the fastest; default 1, the stored best). Every step's
# `uptime` goes to OUT/run.log.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
OUT=${OUT:-$ROOT/bench/cpu/out}
TRIALS=${TRIALS:-64}
BATCH=${BATCH:-16}
SEED=${SEED:-1}
REPEATS=${REPEATS:-30}
REMEASURE=${REMEASURE:-1}
VENV=$ROOT/bench/.venv
DB=$OUT/bench.db
LOG=$OUT/run.log

if [ $# -gt 0 ]; then
  WORKLOADS=("$@")
else
  WORKLOADS=("matmul:M=1024,N=1024,K=1024" "dense_bias_gelu:M=1024,N=1024,K=1024")
fi

mkdir -p "$OUT"
note() { echo "[$(date -u +%FT%TZ)] $* | $(uptime | sed 's/.*load/load/')" | tee -a "$LOG"; }

# 1. Build weft and tuned_bench (ninja does nothing when they are up to date).
if [ ! -f "$BUILD/build.ninja" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
note "build"
cmake --build "$BUILD" -j2 --target weft tuned_bench
WEFT=$BUILD/weft

# A workload spec as a C identifier: the library's file stem and symbol suffix.
stem_of() { echo "$1" | sed 's/[^A-Za-z0-9]/_/g; s/__*/_/g; s/_$//'; }

# 2. Tune (resumable) and compile each workload.
LIBS=()
for w in "${WORKLOADS[@]}"; do
  if [ "${SKIP_TUNE:-0}" != 1 ]; then
    note "tune $w to $TRIALS trials"
    start=$(date +%s)
    "$WEFT" tune "$w" --db "$DB" --trials "$TRIALS" --batch "$BATCH" --seed "$SEED" --quiet
    note "tuned $w in $(( $(date +%s) - start )) s"
  fi
  stem=$(stem_of "$w")
  "$WEFT" compile "$w" --db "$DB" -o "$OUT" --name "$stem" --remeasure "$REMEASURE"
  LIBS+=("$w" "$OUT/$stem.so")
done

# 3. Time against OpenBLAS and oneDNN, one JSON line per workload (also kept in
# results.jsonl), then this run's lines as a table (ratio: weft / peer throughput).
note "tuned_bench"
status=0
RUN_LINES=$OUT/tuned_bench.last.jsonl
"$BUILD/tuned_bench" --repeats "$REPEATS" "${LIBS[@]}" | tee "$RUN_LINES" | tee -a "$OUT/results.jsonl" || status=$?
note "tuned_bench done (exit $status)"
python3 "$ROOT/bench/cpu/print_table.py" "$RUN_LINES" | tee -a "$LOG" || true

# 4. Tuning curve: records in insertion order -> CSV, and a PNG when matplotlib installs.
"$WEFT" db export --db "$DB" -o "$OUT/records.jsonl" >/dev/null
PY=python3
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV" && printf '*\n' >"$VENV/.gitignore" || echo "run.sh: could not create $VENV" >&2
fi
if [ -x "$VENV/bin/python" ]; then
  if "$VENV/bin/python" -c "import matplotlib" 2>/dev/null || "$VENV/bin/pip" install -q matplotlib; then
    PY=$VENV/bin/python
  else
    echo "run.sh: pip install matplotlib failed; writing the CSV only" >&2
  fi
fi
"$PY" "$ROOT/bench/cpu/tuning_curve.py" "$OUT/records.jsonl" "$OUT/tuning_curve.csv" "$OUT/tuning_curve.png"
exit $status
