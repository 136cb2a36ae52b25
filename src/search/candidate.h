// A candidate program of one task: its trace (before postprocessing, with its
// decisions), the program it realizes to, and the program's identity and features.
#pragma once

#include <string>

#include "costmodel/features.h"
#include "ir/stmt.h"
#include "schedule/trace.h"
#include "support/target.h"

namespace weft::search {

struct Candidate {
  sched::Trace trace;
  ir::PrimFunc func;                      // realized: replayed and postprocessed
  std::string hash;                       // structural hash of func: equal programs are one candidate
  costmodel::ProgramFeatures features;
  int sketch = -1;  // the design-space sketch a fresh sample was drawn from; -1 for others
};

// Realizes `trace` on `func` and fills in the rest; nullopt when it does not apply or
// the program fails verification (`why` says why).
std::optional<Candidate> make_candidate(const sched::Trace& trace, const ir::PrimFunc& func, const Target& target,
                                        uint64_t seed, std::string* why = nullptr);

}  // namespace weft::search
