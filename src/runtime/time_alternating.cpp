#include "runtime/time_alternating.h"

#include "support/error.h"

namespace weft::runtime {

std::vector<double> time_alternating(const std::vector<CpuFunction>& fns, const std::vector<ir::NDArray*>& args,
                                     const RunnerConfig& config, int rounds) {
  if (rounds < 1) throw UsageError("time_alternating: rounds must be at least 1, got " + std::to_string(rounds));
  std::vector<std::vector<double>> all(fns.size());
  for (int r = 0; r < rounds; ++r)
    for (size_t f = 0; f < fns.size(); ++f) {
      Timing t = time_function(fns[f], args, config);
      all[f].insert(all[f].end(), t.all_us.begin(), t.all_us.end());
    }
  std::vector<double> medians;
  for (const std::vector<double>& times : all) medians.push_back(median_of(times));
  return medians;
}

}  // namespace weft::runtime
