#!/usr/bin/env bash
# TVM MetaSchedule peer of bench/cpu/run.sh: installs apache-tvm into bench/.venv
# (pip; if that fails, the failure is printed and the script exits 2) and tunes the
# same workloads with the same trial budget on the LLVM target.
#
#   TRIALS=64 bench/tvm/run.sh [WORKLOAD...]
#
# Results: one JSON line per workload on stdout, appended to bench/tvm/out/results.jsonl.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD=${BUILD:-$ROOT/build-bench}
TRIALS=${TRIALS:-64}
VENV=$ROOT/bench/.venv
OUT=$ROOT/bench/tvm/out
mkdir -p "$OUT"
[ -f "$OUT/.gitignore" ] || printf '*\n' >"$OUT/.gitignore"

if [ $# -gt 0 ]; then
  WORKLOADS=("$@")
else
  WORKLOADS=("matmul:M=1024,N=1024,K=1024" "dense_bias_gelu:M=1024,N=1024,K=1024")
fi

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  printf '*\n' >"$VENV/.gitignore"
fi
if ! "$VENV/bin/python" -c "import cloudpickle, psutil, xgboost; from tvm.s_tir import meta_schedule" 2>/dev/null; then
  if ! "$VENV/bin/pip" install apache-tvm "apache-tvm-ffi==0.1.14.post0" cloudpickle psutil xgboost >"$OUT/pip.log" 2>&1; then
    echo "bench/tvm/run.sh: pip install apache-tvm failed; the end of $OUT/pip.log:" >&2
    tail -20 "$OUT/pip.log" >&2
    exit 2
  fi
fi

# weft's flop count of each workload (epilogue operations included), so GFLOP/s compare.
FLOPS=()
for w in "${WORKLOADS[@]}"; do
  FLOPS+=(--flops "$("$BUILD/weft" --json show "$w" | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["flops"])')")
done

echo "[$(date -u +%FT%TZ)] metaschedule trials=$TRIALS | $(uptime | sed 's/.*load/load/')" >&2
"$VENV/bin/python" "$ROOT/bench/tvm/metaschedule_bench.py" --trials "$TRIALS" --work-dir "$OUT" "${FLOPS[@]}" \
  "${WORKLOADS[@]}" | tee -a "$OUT/results.jsonl"
