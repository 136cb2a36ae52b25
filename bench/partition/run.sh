#!/usr/bin/env bash
# Partitions the five models' paper-size training graphs (after EVT's passes) with
# `weft partition --json` and prints a Markdown table: kernels, bytes crossing
# kernel boundaries and solve time for one kernel per op, greedy fusion and the
# ILP partitioner. Usage: bench/partition/run.sh [path/to/weft] [output.jsonl]
set -euo pipefail
WEFT=${1:-build/weft}
OUT=${2:-build/partition-bench/results.jsonl}  # build*/ is ignored
mkdir -p "$(dirname "$OUT")"
: > "$OUT"
for model in bert-large vit resnet50 xmlcnn gcn; do
  start=$(date +%s.%N)
  "$WEFT" partition "$model" --train --json >> "$OUT"
  end=$(date +%s.%N)
  echo "$model wall $(echo "$end - $start" | bc) s (graph build, passes, partition, baselines, tasks)" >&2
done
python3 - "$OUT" <<'PY'
import json, sys
print("| model | nodes | kernels: per op / greedy / ILP | boundary GB: per op / greedy / ILP | ILP vs greedy | unique tasks | components (ILP solves, cache hits, windowed) | partition s |")
print("|---|---|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    j = json.loads(line)
    gb = lambda b: f"{b / 1e9:.2f}"
    saved = 100.0 * (j["greedy_boundary_bytes"] - j["boundary_bytes"]) / j["greedy_boundary_bytes"]
    print(f"| {j['graph']} | {j['nodes']} | {j['kernels_one_per_op']} / {j['greedy_kernels']} / {j['kernels']} | "
          f"{gb(j['one_per_op_boundary_bytes'])} / {gb(j['greedy_boundary_bytes'])} / {gb(j['boundary_bytes'])} | "
          f"{saved:+.2f}% | {j['unique_tasks']} | {len(j['components'])} ({j['ilp_solves']}, {j['cache_hits']}, {j['windowed']}) | "
          f"{j['solve_s']:.2f} |")
PY
