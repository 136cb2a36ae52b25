#include "search/candidate.h"

#include "ir/structural.h"
#include "search/space.h"
#include "support/error.h"

namespace weft::search {

std::optional<Candidate> make_candidate(const sched::Trace& trace, const ir::PrimFunc& func, const Target& target,
                                        uint64_t seed, std::string* why) {
  try {
    sched::Schedule sch = realize(trace, func, target, seed);
    Candidate c;
    // The realized trace is the replayed one, with the decisions actually drawn,
    // followed by the postprocessing instructions, which are not kept: realize
    // re-runs them.
    const auto& insts = sch.trace().instructions();
    for (size_t i = 0; i < trace.size() && i < insts.size(); ++i) c.trace.append(insts[i]);
    c.func = sch.func();
    c.hash = ir::structural_hash_hex(c.func);
    c.features = costmodel::extract_features(c.func);
    return c;
  } catch (const Error& e) {
    if (why) *why = e.what();
    return std::nullopt;
  }
}

}  // namespace weft::search
