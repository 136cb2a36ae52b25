// Timing several compiled functions against each other on a noisy machine: each
// round times every function in turn (time_function with `config`), so a slow
// spell of the machine hits all of them alike, and each function's median is over
// all of its measurements. `weft compile --remeasure` uses it to pick among the
// best tuning records, whose stored times came from different moments.
#pragma once

#include <vector>

#include "runtime/runner.h"

namespace weft::runtime {

// Median microseconds per function, in the order given. UsageError for rounds < 1
// and as time_function for bad arguments or configs.
std::vector<double> time_alternating(const std::vector<CpuFunction>& fns, const std::vector<ir::NDArray*>& args,
                                     const RunnerConfig& config, int rounds);

}  // namespace weft::runtime
