// Loop-structure primitives: split, fuse, reorder.
#pragma once

#include <vector>

#include "schedule/schedule.h"

namespace weft::sched {

// Splits `loop` into len(factors) nested loops, outermost first. Each factor is an
// integer, a value handle (e.g. from sample_perfect_tile) or None; at most one None,
// which is inferred as ceil(extent / product of the others). When the factors
// cover more than the extent, the blocks underneath get a predicate.
std::vector<LoopRV> split(Schedule& sch, LoopRV loop, const std::vector<Arg>& factors);
// Fuses perfectly nested loops (outermost first, each the only statement of the
// one above) into one loop.
LoopRV fuse(Schedule& sch, const std::vector<LoopRV>& loops);
// Reorders loops of one perfectly nested chain into the given order; loops of the
// chain that are not named keep their places.
void reorder(Schedule& sch, const std::vector<LoopRV>& loops);

}  // namespace weft::sched
