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
// One of `candidates` with the given probabilities; the decision is the index.
ExprRV sample_categorical(Schedule& sch, const std::vector<int64_t>& candidates, const std::vector<double>& probs,
                          std::optional<int64_t> decision = std::nullopt);

}  // namespace weft::sched
