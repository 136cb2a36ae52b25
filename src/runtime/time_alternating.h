// Timing several functions against each other on a noisy machine: the timed
// repeats are spread over `rounds` rounds, and each round times every function in
// turn (time_callable with the config's warm-up), so a slow spell of the machine
// hits all of them alike; each function's median is over all of its measurements.
// `weft compile --remeasure` uses it to pick among the best tuning records, and
// bench/cpu/tuned_bench to time weft against its peers.
#pragma once

#include <functional>
#include <vector>

#include "runtime/runner.h"

namespace weft::runtime {

// One Timing per function, in the order given: config.repeats measurements in
// all, the first repeats % rounds rounds taking one more than the others (rounds
// is capped at repeats). UsageError for rounds < 1 and as time_callable for a bad
// config.
std::vector<Timing> time_alternating(const std::vector<std::function<void()>>& runs, const RunnerConfig& config,
                                     int rounds);

}  // namespace weft::runtime
