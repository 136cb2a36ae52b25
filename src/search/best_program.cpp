#include "search/best_program.h"

#include "ir/structural.h"
#include "schedule/trace.h"
#include "search/space.h"
#include "support/error.h"

namespace weft::search {

std::vector<BestProgram> stored_programs(const db::Database& database, const std::string& workload_spec,
                                         const Target& target, int count, std::vector<std::string>& notes) {
  ir::Workload workload = ir::make_workload(workload_spec);
  std::string hash = ir::structural_hash_hex(workload.func);
  // A few more than asked: some may no longer replay.
  db::BestRecords best = database.best(hash, target.key(), count + 7);
  if (!best.records.empty() && !best.exact_target)
    notes.push_back("no record for target '" + target.key() + "'; using records of the compatible target '" +
                    best.matched_target_key + "'");
  std::vector<BestProgram> out;
  for (const db::Record& r : best.records) {
    if (static_cast<int>(out.size()) >= count) break;
    try {
      sched::Trace trace = sched::Trace::parse_text(r.trace_text, "record " + std::to_string(r.id));
      out.push_back({workload, realize(trace, workload.func, target).func(), r, {}});
    } catch (const Error& e) {
      notes.push_back("record " + std::to_string(r.id) + " of '" + workload.spec +
                      "' no longer replays and is skipped: " + e.what());
    }
  }
  return out;
}

BestProgram best_program(const db::Database& database, const std::string& workload_spec, const Target& target) {
  std::vector<std::string> notes;
  std::vector<BestProgram> stored = stored_programs(database, workload_spec, target, 1, notes);
  if (!stored.empty()) {
    stored[0].notes = notes;
    return stored[0];
  }
  BestProgram out;
  out.workload = ir::make_workload(workload_spec);
  out.notes = notes;
  out.func = out.workload.func;
  std::string fallback = "the unscheduled program";
  if (target.backend == "cuda") {
    // On a GPU the unscheduled program would run in one thread: the default is the
    // empty trace with the GPU postprocessors, which bind every loop nest.
    try {
      out.func = realize(sched::Trace(), out.workload.func, target).func();
      fallback = "every loop nest bound to blockIdx.x x threadIdx.x";
    } catch (const Error& e) {
      out.notes.push_back("the default GPU binding failed (" + std::string(e.what()) + "); one thread runs it all");
    }
  }
  out.notes.push_back("no usable tuning record for '" + out.workload.spec + "' on '" + target.key() + "' in '" +
                      database.path() + "'; falling back to the default schedule (" + fallback + ")");
  return out;
}

}  // namespace weft::search
