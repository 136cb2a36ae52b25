// mutate-unroll: gives the sample_categorical behind the root's unroll_explicit
// annotation another of its candidates.
#include "rules/annotations.h"
#include "search/mutator.h"
#include "search/mutator_util.h"

namespace weft::search {
namespace {

class MutateUnroll : public Mutator {
 public:
  std::string name() const override { return "mutate-unroll"; }

  std::optional<sched::Trace> apply(const sched::Trace& trace, const ir::PrimFunc&, Rng& rng) const override {
    std::vector<size_t> sites;
    for (size_t i : categoricals_annotating(trace, rules::ann::kUnrollExplicit))
      if (candidate_count(trace.instructions()[i]) > 1) sites.push_back(i);
    if (sites.empty()) return std::nullopt;
    size_t index = pick(sites, rng);
    const sched::Instruction& inst = trace.instructions()[index];
    int64_t n = static_cast<int64_t>(candidate_count(inst));
    const auto* current = std::get_if<int64_t>(&inst.decision->value);
    int64_t now = current ? *current : -1;
    int64_t next = rng.uniform_int(0, n - 2);
    if (now >= 0 && next >= now) ++next;
    return trace.with_decision(index, sched::Arg(next));
  }
};

}  // namespace

std::shared_ptr<const Mutator> make_mutate_unroll() { return std::make_shared<MutateUnroll>(); }

}  // namespace weft::search
