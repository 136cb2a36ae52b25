// The compute-location primitives as pure functions of the program: each returns
// the transformed function or throws ScheduleError, and touches no schedule. The
// Schedule-level primitives (primitives_compute_location.h) wrap them; compute_at
// of a sampled "inline" location and sample_compute_location's legality checks
// call them directly.
#pragma once

#include <string>

#include "ir/stmt.h"

namespace weft::sched::compute_location {

ir::PrimFunc compute_inline_func(const ir::PrimFunc& func, const std::string& block);
ir::PrimFunc reverse_compute_inline_func(const ir::PrimFunc& func, const std::string& block);
ir::PrimFunc compute_at_func(const ir::PrimFunc& func, const std::string& block, const ir::Var& loop,
                             bool preserve_unit_loops);
ir::PrimFunc reverse_compute_at_func(const ir::PrimFunc& func, const std::string& block, const ir::Var& loop,
                                     bool preserve_unit_loops);

}  // namespace weft::sched::compute_location
