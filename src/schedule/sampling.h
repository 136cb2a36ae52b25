// Sampling instructions: random choices drawn from the schedule's RNG and recorded
// as decisions, so a trace replays them exactly or search can change them.
#pragma once

#include <optional>
#include <vector>

#include "schedule/schedule.h"

namespace weft::sched {

// n factors whose product is exactly the loop's extent, the innermost at most
// max_innermost (<= 0: no limit). `decision` replays given factors (checked).
std::vector<ExprRV> sample_perfect_tile(Schedule& sch, LoopRV loop, int n, int64_t max_innermost,
                                        const std::optional<std::vector<int64_t>>& decision = std::nullopt);
// n factors for a split that may overshoot the extent (a non-divisible tile, whose
// last tile is guarded): the innermost is any value in [min_innermost,
// max_innermost] (both clipped to the extent) and the outer n - 1 are a perfect tile
// of ceil(extent / innermost). For register tiles whose best height does not divide
// the extent (6 rows of a GEMM), and whose height has a floor (enough accumulators
// to hide the FMA latency). `decision` replays given factors (checked).
std::vector<ExprRV> sample_partial_tile(Schedule& sch, LoopRV loop, int n, int64_t min_innermost,
                                        int64_t max_innermost,
                                        const std::optional<std::vector<int64_t>>& decision = std::nullopt);
// The outer factors sample_partial_tile's innermost tile leaves: ceil(extent / innermost).
int64_t partial_tile_outer(int64_t extent, int64_t innermost);
// n factors of `extent` drawn as sample_perfect_tile draws them (the prime factors
// scattered at random, then moved out of the innermost until it is at most
// max_innermost; <= 0: no limit).
std::vector<int64_t> draw_perfect_tile(Rng& rng, int64_t extent, int n, int64_t max_innermost);
// One of `candidates` with the given probabilities; the decision is the index.
ExprRV sample_categorical(Schedule& sch, const std::vector<int64_t>& candidates, const std::vector<double>& probs,
                          std::optional<int64_t> decision = std::nullopt);

}  // namespace weft::sched
