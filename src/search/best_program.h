// The program `weft compile` builds for a workload: the best stored record whose
// trace still realizes on this target, or, when there is none, the default schedule
// (the unscheduled program), with a note that says so.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "db/database.h"
#include "ir/workload.h"
#include "support/target.h"

namespace weft::search {

struct BestProgram {
  ir::Workload workload;
  ir::PrimFunc func;                // what gets compiled
  std::optional<db::Record> record; // nullopt: the default schedule
  std::vector<std::string> notes;   // warnings for the user (fallbacks, stale records)
};

BestProgram best_program(const db::Database& database, const std::string& workload_spec, const Target& target);

}  // namespace weft::search
