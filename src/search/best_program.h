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

// The programs of up to `count` best stored records that still realize on this
// target, fastest stored first (each with its record); records that no longer
// replay are skipped with a note in `notes`, as is a compatible target's use.
std::vector<BestProgram> stored_programs(const db::Database& database, const std::string& workload_spec,
                                         const Target& target, int count, std::vector<std::string>& notes);

}  // namespace weft::search
