#include "runtime/runner.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>

#include "support/error.h"

namespace weft::runtime {

using Clock = std::chrono::steady_clock;

void flush_cpu_cache() {
  constexpr size_t kBytes = 64u << 20;  // larger than any LLC we time on
  static const std::unique_ptr<unsigned char[]> buffer(new unsigned char[kBytes]);
  static unsigned char fill = 0;
  std::memset(buffer.get(), ++fill, kBytes);
  // A volatile read keeps the writes from being treated as dead.
  [[maybe_unused]] volatile unsigned char sink = buffer[kBytes / 2];
}

static double elapsed_us(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

Timing time_callable(const std::function<void()>& run, const RunnerConfig& config) {
  if (config.repeats < 1) throw UsageError("runner: repeats must be at least 1, got " + std::to_string(config.repeats));
  if (config.warmup < 0) throw UsageError("runner: warmup must not be negative, got " + std::to_string(config.warmup));
  if (config.min_repeat_ms < 0)
    throw UsageError("runner: min_repeat_ms must not be negative, got " + std::to_string(config.min_repeat_ms));
  for (int i = 0; i < config.warmup; ++i) run();

  // Calls per measurement: enough for one measurement to last min_repeat_ms.
  int64_t number = 1;
  if (config.min_repeat_ms > 0) {
    auto start = Clock::now();
    run();
    double once_us = std::max(elapsed_us(start), 0.01);
    double want_us = config.min_repeat_ms * 1000.0;
    number = std::clamp<int64_t>(static_cast<int64_t>(std::ceil(want_us / once_us)), 1, 100000000);
  }

  Timing t;
  for (int r = 0; r < config.repeats; ++r) {
    if (config.flush_cache) flush_cpu_cache();
    auto start = Clock::now();
    for (int64_t k = 0; k < number; ++k) run();
    t.all_us.push_back(elapsed_us(start) / static_cast<double>(number));
  }
  t.median_us = median_of(t.all_us);
  return t;
}

double median_of(std::vector<double> times) {
  if (times.empty()) return 0;
  std::sort(times.begin(), times.end());
  size_t n = times.size();
  return n % 2 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
}

Timing time_function(const CpuFunction& fn, const std::vector<ir::NDArray*>& args, const RunnerConfig& config) {
  std::vector<void*> packed = fn.pack_args(args);
  return time_callable([&] { fn.call_packed(packed.data()); }, config);
}

}  // namespace weft::runtime
