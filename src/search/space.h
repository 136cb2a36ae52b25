// Design-space generation and realization of candidates.
//
// A design space is a handful of sketches: traces made by applying the target's
// rule set (rules/rule_sets.h) block by block. Each trace records its sampling
// decisions, so it replays as one concrete candidate; without its decisions it
// replays as a fresh random candidate of the same sketch. realize() turns a trace
// into the program that gets compiled, running the postprocessors
// (postprocess.h) after the replay.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/stmt.h"
#include "schedule/schedule.h"
#include "schedule/trace.h"
#include "support/target.h"

namespace weft::search {

// Applies the target's rule set block by block in post-order (consumers before
// producers, the root block last, as MetaSchedule does) and returns the sketches as
// traces (sampling decisions recorded, lookups nothing uses removed).
std::vector<sched::Trace> generate_design_space(const ir::PrimFunc& func, const Target& target, uint64_t seed = 0);

// Replays `trace` on `func` (sampling instructions without a decision sample afresh
// from `seed`) and then runs the target's postprocessors. Throws weft::Error
// (ScheduleError etc.) when the trace does not apply or the result fails
// verification. The returned schedule's func() is what gets compiled; its trace is
// the replayed trace followed by the postprocessing instructions.
sched::Schedule realize(const sched::Trace& trace, const ir::PrimFunc& func, const Target& target, uint64_t seed = 0);

// A copy of the trace with every sampling decision removed (replaying it draws a
// fresh candidate).
sched::Trace without_decisions(const sched::Trace& trace);

}  // namespace weft::search
