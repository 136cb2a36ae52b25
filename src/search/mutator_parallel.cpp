// mutate-parallel: gives the sample_categorical behind the root's parallel_extent
// annotation another candidate extent, among those that change the realized
// program (how many outer loops the postprocessor fuses and parallelises); extents
// that lead to the same loops would only waste a measurement.
#include "ir/printer.h"
#include "rules/annotations.h"
#include "search/mutator.h"
#include "search/mutator_util.h"
#include "search/space.h"
#include "support/error.h"

namespace weft::search {
namespace {

class MutateParallel : public Mutator {
 public:
  explicit MutateParallel(Target target) : target_(std::move(target)) {}
  std::string name() const override { return "mutate-parallel"; }

  std::optional<sched::Trace> apply(const sched::Trace& trace, const ir::PrimFunc& func, Rng& rng) const override {
    std::vector<size_t> sites = categoricals_annotating(trace, rules::ann::kParallelExtent);
    if (sites.empty()) return std::nullopt;
    size_t index = pick(sites, rng);
    const sched::Instruction& inst = trace.instructions()[index];
    const auto* current = std::get_if<int64_t>(&inst.decision->value);
    std::string now;
    try {
      now = ir::to_text(realize(trace, func, target_).func());
    } catch (const Error&) {
      return std::nullopt;
    }
    std::vector<sched::Trace> different;
    for (int64_t k = 0; k < static_cast<int64_t>(candidate_count(inst)); ++k) {
      if (current && k == *current) continue;
      sched::Trace mutated = trace.with_decision(index, sched::Arg(k));
      try {
        if (ir::to_text(realize(mutated, func, target_).func()) != now) different.push_back(std::move(mutated));
      } catch (const Error&) {
        // This extent does not realize: not a candidate.
      }
    }
    if (different.empty()) return std::nullopt;
    return pick(different, rng);
  }

 private:
  Target target_;
};

}  // namespace

std::shared_ptr<const Mutator> make_mutate_parallel(const Target& target) {
  return std::make_shared<MutateParallel>(target);
}

}  // namespace weft::search
