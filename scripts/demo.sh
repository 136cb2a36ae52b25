#!/usr/bin/env bash
# The main job of `make run`: the embedded default demo on the CPU.
#   1. the unscheduled dense+bias+gelu, checked against the reference interpreter
#   2. a short tuning run into the default database (weft.db), with its result table;
#      running it again continues from the database (WEFT_DEMO_TRIALS raises the budget)
#   3. weft compile: the best tuned schedule replayed into weft-out/ (source + library)
set -euo pipefail
weft=${1:-build/weft}
workload="dense_bias_gelu:M=128,N=128,K=128"
trials=${WEFT_DEMO_TRIALS:-32}
db=${WEFT_DEMO_DB:-weft.db}

echo "== weft run $workload --check (unscheduled)"
"$weft" run "$workload" --check
echo
echo "== weft tune $workload --db $db --trials $trials"
"$weft" tune "$workload" --target cpu --db "$db" --trials "$trials" --population 128 --batch 16 --time-budget 300
echo
echo "== weft compile $workload --db $db -o weft-out"
"$weft" compile "$workload" --db "$db" -o weft-out
