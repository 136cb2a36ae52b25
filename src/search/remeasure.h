// Picking among the best tuning records by timing them again, side by side: a
// record's stored time is one noisy measurement, and the best of many noisy
// measurements is biased upwards (on the 2-core dev VM the stored best of 256
// GEMM records replayed 25% slower than its stored time, while the fifth-best
// replayed faster). `weft compile --remeasure K` (CPU) builds the K best stored
// programs, times them in alternating rounds on the same inputs and keeps the
// fastest.
#pragma once

#include <vector>

#include "runtime/runner.h"
#include "search/best_program.h"

namespace weft::search {

struct Remeasured {
  int64_t record_id = 0;
  double stored_us = 0;    // the record's median when it was tuned
  double measured_us = 0;  // the median of its alternating rounds now
};

// The fastest of the programs of up to `count` best records (stored_programs) by
// time_alternating (config.repeats measurements each, over `rounds` rounds);
// `timings` gets one entry per program timed, in stored order. With no usable
// record it returns best_program's fallback and times nothing. UsageError for a
// non-CPU target or count < 1.
BestProgram fastest_stored_program(const db::Database& database, const std::string& workload_spec,
                                   const Target& target, int count, const runtime::RunnerConfig& config, int rounds,
                                   std::vector<Remeasured>& timings);

}  // namespace weft::search
