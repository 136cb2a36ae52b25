#!/usr/bin/env bash
# The main job of `make run`: the embedded default demo on the CPU.
#   1. the unscheduled dense+bias+gelu, checked against the reference interpreter
#   2. the same workload under the hand-written schedule in examples/schedules/
set -euo pipefail
weft=${1:-build/weft}
root=$(cd "$(dirname "$0")/.." && pwd)
workload="dense_bias_gelu:M=256,N=256,K=256"

echo "== weft run $workload --check (unscheduled)"
"$weft" run "$workload" --check
echo
echo "== weft apply $workload examples/schedules/dense_bias_gelu.sched"
"$weft" apply "$workload" "$root/examples/schedules/dense_bias_gelu.sched" --quiet
