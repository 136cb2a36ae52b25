#include "search/remeasure.h"

#include <algorithm>

#include "runtime/cpu_builder.h"
#include "runtime/output_check.h"
#include "runtime/time_alternating.h"
#include "support/error.h"

namespace weft::search {

BestProgram fastest_stored_program(const db::Database& database, const std::string& workload_spec,
                                   const Target& target, int count, const runtime::RunnerConfig& config, int rounds,
                                   std::vector<Remeasured>& timings) {
  if (target.backend != "cpu")
    throw UsageError("re-measuring records runs them on this machine's CPU; target '" + target.key() +
                     "' is not a CPU");
  if (count < 1)
    throw UsageError("the number of records to re-measure must be at least 1, got " + std::to_string(count));
  std::vector<std::string> notes;
  std::vector<BestProgram> stored = stored_programs(database, workload_spec, target, count, notes);
  if (stored.empty()) return best_program(database, workload_spec, target);

  std::vector<std::pair<std::string, ir::PrimFunc>> funcs;
  for (size_t k = 0; k < stored.size(); ++k) funcs.emplace_back("record_" + std::to_string(k), stored[k].func);
  auto module = runtime::CpuBuilder().build(funcs);
  std::vector<ir::NDArray> args = runtime::random_arguments(stored[0].workload.func, 0);
  std::vector<runtime::CpuFunction> fns;
  std::vector<std::vector<void*>> packed;  // checked once, as time_function does
  std::vector<std::function<void()>> runs;
  for (const auto& [name, func] : funcs) {
    fns.push_back(module->get_function(name));
    packed.push_back(fns.back().pack_args(runtime::pointers(args)));
  }
  for (size_t k = 0; k < fns.size(); ++k) runs.push_back([&, k] { fns[k].call_packed(packed[k].data()); });
  std::vector<runtime::Timing> measured = runtime::time_alternating(runs, config, rounds);

  for (size_t k = 0; k < stored.size(); ++k)
    timings.push_back({stored[k].record->id, stored[k].record->median_us, measured[k].median_us});
  auto by_median = [](const runtime::Timing& a, const runtime::Timing& b) { return a.median_us < b.median_us; };
  size_t fastest = std::min_element(measured.begin(), measured.end(), by_median) - measured.begin();
  BestProgram out = stored[fastest];
  out.notes = notes;
  return out;
}

}  // namespace weft::search
