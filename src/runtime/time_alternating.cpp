#include "runtime/time_alternating.h"

#include <algorithm>

#include "support/error.h"

namespace weft::runtime {

std::vector<Timing> time_alternating(const std::vector<std::function<void()>>& runs, const RunnerConfig& config,
                                     int rounds) {
  if (rounds < 1) throw UsageError("time_alternating: rounds must be at least 1, got " + std::to_string(rounds));
  if (config.repeats < 1)
    throw UsageError("time_alternating: repeats must be at least 1, got " + std::to_string(config.repeats));
  rounds = std::min(rounds, config.repeats);
  std::vector<Timing> out(runs.size());
  RunnerConfig round_config = config;
  for (int r = 0; r < rounds; ++r) {
    round_config.repeats = config.repeats / rounds + (r < config.repeats % rounds ? 1 : 0);
    for (size_t f = 0; f < runs.size(); ++f) {
      Timing t = time_callable(runs[f], round_config);
      out[f].all_us.insert(out[f].all_us.end(), t.all_us.begin(), t.all_us.end());
    }
  }
  for (Timing& t : out) t.median_us = median_of(t.all_us);
  return out;
}

}  // namespace weft::runtime
