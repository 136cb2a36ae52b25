#!/usr/bin/env bash
# Step 2 of the GPU benchmark, run ON THE GPU MACHINE from the repository root with
# .gpu/ carried (see pack.sh):
#   1. the GPU tests that skip elsewhere (runtime, codegen, rules) run for real;
#   2. weft tunes each workload (--target cuda) into $OUT/gpu.db;
#   3. cuBLAS/cuBLASLt and PyTorch (eager, torch.compile) time the same shapes;
#   4. report.py prints the ratio table from the JSON lines of steps 2 and 3.
# Environment: TRIALS (per workload, default 64), QUICK=1 (small shapes, for a smoke
# run), OUT (default bench/gpu/out; $OUT of the device tool when set).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PACK=$ROOT/.gpu
OUT=${OUT:-$ROOT/bench/gpu/out}
TRIALS=${TRIALS:-64}
mkdir -p "$OUT"
export LD_LIBRARY_PATH=$PACK/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
export WEFT_CUDA_INCLUDE=${WEFT_CUDA_INCLUDE:-/usr/local/cuda/include}
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
note() { echo "[$(date -u +%FT%TZ)] $*" | tee -a "$OUT/run.log"; }

[ -x "$PACK/bin/weft" ] || { echo "run.sh: $PACK/bin/weft is missing: run bench/gpu/pack.sh here and carry .gpu" >&2; exit 2; }
nvidia-smi -L 2>&1 | tee -a "$OUT/run.log"
[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "run.sh: no GPU here (nvidia-smi failed); run it on the GPU machine" >&2; exit 2; }

# 1. GPU correctness: every Cuda* test; none may be skipped on this machine.
status=0
for t in test_runtime test_codegen test_rules; do
  note "$t"
  "$PACK/bin/$t" --gtest_filter='*Cuda*:*cuda*:*TensorCore*' --gtest_brief=1 2>&1 | tee "$OUT/$t.log" | tail -5
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  if grep -q "no GPU" "$OUT/$t.log"; then echo "run.sh: $t skipped GPU tests on a GPU machine" >&2; status=1; fi
done

# 2-3. Shapes: BERT-Large GEMMs (M = 16384 tokens), 8192^3, the fused dense, softmax, layernorm.
if [ "${QUICK:-0}" = 1 ]; then
  GEMMS=("1024 1024 1024")
  ROWS="4096 1024"
else
  GEMMS=("16384 1024 1024" "16384 4096 1024" "16384 1024 4096" "8192 8192 8192")
  ROWS="16384 1024"
fi
WEFT=$PACK/bin/weft
tune() {  # workload -> a JSON line with weft's best median
  note "tune $1"
  "$WEFT" tune "$1" --target cuda --db "$OUT/gpu.db" --trials "$TRIALS" --quiet >>"$OUT/run.log" 2>&1 || return 1
  "$WEFT" db top "$1" --db "$OUT/gpu.db" --target cuda --json | python3 -c '
import json, sys
top = json.load(sys.stdin)
best = top["records"][0] if top.get("records") else None
if best: print(json.dumps({"peer": "weft", "workload": sys.argv[1], "median_us": best["median_us"]}))
' "$1" >>"$RESULTS"
}
for dt in f16 bf16; do
  for g in "${GEMMS[@]}"; do
    read -r M N K <<<"$g"
    tune "matmul:M=$M,N=$N,K=$K,dtype=$dt" || status=1
    "$PACK/bin/cublas_peers" gemm "$M" "$N" "$K" "$dt" | sed "s/^{/{\"workload\": \"matmul:M=$M,N=$N,K=$K,dtype=$dt\", /" >>"$RESULTS"
  done
  read -r M N K <<<"${GEMMS[0]}"
  w="dense_bias_gelu:M=$M,N=$N,K=$K,dtype=$dt"
  tune "$w" || status=1
  "$PACK/bin/cublas_peers" dense_bias_gelu "$M" "$N" "$K" "$dt" | sed "s/^{/{\"workload\": \"$w\", /" >>"$RESULTS"
  python3 "$ROOT/bench/gpu/torch_peers.py" dense_bias_gelu "$M" "$N" "$K" "$dt" | sed "s/^{/{\"workload\": \"$w\", /" >>"$RESULTS"
done
read -r M N <<<"$ROWS"
for op in softmax layernorm; do
  w="$op:M=$M,N=$N"
  tune "$w" || status=1
  python3 "$ROOT/bench/gpu/torch_peers.py" "$op" "$M" "$N" f32 | sed "s/^{/{\"workload\": \"$w\", /" >>"$RESULTS"
done

# 4. The table.
python3 "$ROOT/bench/gpu/report.py" "$RESULTS" | tee "$OUT/table.md"
exit $status
