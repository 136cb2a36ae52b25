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
    return redraw_categorical(trace, sites, rng);
  }
};

}  // namespace

std::shared_ptr<const Mutator> make_mutate_unroll() { return std::make_shared<MutateUnroll>(); }

}  // namespace weft::search
