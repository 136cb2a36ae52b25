// mutate-thread-binding: MetaSchedule's MutateThreadBinding. Gives a thread-extent
// decision another of its candidates: a sample_categorical whose value is a
// factor of a split whose loop at that position is then bound to threadIdx.x
// (cuda-auto-bind) or factored out by rfactor (cuda-cross-thread-reduction, whose
// rf loop becomes the threadIdx.x loop). The rules offer only candidates that fit
// the loop, so every choice replays.
#include "search/mutator.h"
#include "search/mutator_util.h"

namespace weft::search {
namespace {

using sched::Arg;
using sched::RV;

// The instruction uses `rv` as its input `position` (0-based), directly.
bool uses_at(const sched::Instruction& inst, size_t position, const RV& rv) {
  return inst.inputs.size() > position && inst.inputs[position] == Arg(rv);
}

bool is_thread_extent(const sched::Trace& trace, size_t index) {
  const auto& insts = trace.instructions();
  const RV value = insts[index].outputs[0];
  for (size_t j = index + 1; j < insts.size(); ++j) {
    const sched::Instruction& split = insts[j];
    if (split.kind != "split" || split.inputs.size() != 2) continue;
    const auto* factors = std::get_if<Arg::List>(&split.inputs[1].value);
    if (!factors) continue;
    for (size_t f = 0; f < factors->size() && f < split.outputs.size(); ++f) {
      if (!((*factors)[f] == Arg(value))) continue;
      const RV loop = split.outputs[f];
      for (size_t u = j + 1; u < insts.size(); ++u) {
        const sched::Instruction& use = insts[u];
        if (use.kind == "bind" && uses_at(use, 0, loop) && use.inputs.size() == 2 &&
            use.inputs[1] == Arg("threadIdx.x"))
          return true;
        if (use.kind == "rfactor" && uses_at(use, 0, loop)) return true;
      }
    }
  }
  return false;
}

class MutateThreadBinding : public Mutator {
 public:
  std::string name() const override { return "mutate-thread-binding"; }

  std::optional<sched::Trace> apply(const sched::Trace& trace, const ir::PrimFunc&, Rng& rng) const override {
    std::vector<size_t> sites;
    for (size_t i : decided_instructions(trace, "sample_categorical"))
      if (trace.instructions()[i].outputs.size() == 1 && candidate_count(trace.instructions()[i]) > 1 &&
          is_thread_extent(trace, i))
        sites.push_back(i);
    return redraw_categorical(trace, sites, rng);
  }
};

}  // namespace

std::shared_ptr<const Mutator> make_mutate_thread_binding() { return std::make_shared<MutateThreadBinding>(); }

}  // namespace weft::search
