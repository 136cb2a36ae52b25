// Replaying a trace: re-executes its instructions on a fresh schedule of a
// workload, keeping the recorded decisions unless overridden. Search mutates
// decisions, never the IR.
#pragma once

#include <map>

#include "schedule/schedule.h"

namespace weft::sched {

// `decision_overrides` maps instruction indices to new decisions. A trace made for
// another workload fails with a ScheduleError naming the instruction, not a crash.
Schedule replay(const Trace& trace, const ir::PrimFunc& func, uint64_t seed = 0,
                const std::map<size_t, Arg>& decision_overrides = {});

}  // namespace weft::sched
