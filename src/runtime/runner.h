// Timing of compiled functions on the host: warm-up runs, then `repeats` timed
// measurements whose median is reported. With min_repeat_ms, a measurement runs the
// function as many times as needed to last that long and reports the time per
// call. With flush_cache, a buffer larger than the last-level cache is written
// before each measurement (outside the timed region), so every measurement starts
// cold.
#pragma once

#include <functional>
#include <vector>

#include "ir/ndarray.h"
#include "runtime/cpu_module.h"

namespace weft::runtime {

struct RunnerConfig {
  int warmup = 1;
  int repeats = 10;
  int min_repeat_ms = 0;
  bool flush_cache = false;
};

struct Timing {
  double median_us = 0;
  std::vector<double> all_us;  // one entry per repeat, in run order
};

// Checks `args` once (UsageError as CpuFunction::operator()), then times.
// UsageError for a config with repeats < 1, warmup < 0 or min_repeat_ms < 0.
Timing time_function(const CpuFunction& fn, const std::vector<ir::NDArray*>& args, const RunnerConfig& config = {});
// Times any callable the same way.
Timing time_callable(const std::function<void()>& run, const RunnerConfig& config = {});

// The median of `times` (the mean of the middle two for an even count); 0 when empty.
double median_of(std::vector<double> times);

// Writes a 64 MiB buffer, evicting the last-level cache.
void flush_cpu_cache();

}  // namespace weft::runtime
