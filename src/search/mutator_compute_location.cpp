// mutate-compute-location: gives one sample_compute_location another legal
// decision: root (-1), inline (-2) when legal, or another candidate loop. The
// candidates are those of the schedule state just before the instruction (found
// by replaying the trace up to it); the mutated trace is kept only if it replays
// to the end (a later decision may depend on the location).
#include <algorithm>

#include "schedule/error.h"
#include "schedule/replay.h"
#include "search/mutator.h"
#include "search/mutator_util.h"

namespace weft::search {
namespace {

sched::Trace prefix(const sched::Trace& trace, size_t length) {
  sched::Trace out;
  for (size_t i = 0; i < length; ++i) out.append(trace.instructions()[i]);
  return out;
}

bool replays(const sched::Trace& trace, const ir::PrimFunc& func, size_t index, int64_t decision) {
  try {
    sched::replay(trace, func, 0, {{index, sched::Arg(decision)}});
    return true;
  } catch (const sched::ScheduleError&) {
    return false;
  }
}

// The legal decisions of instruction `index`, from replays of the prefix ending at it.
std::vector<int64_t> legal_decisions(const sched::Trace& trace, const ir::PrimFunc& func, size_t index) {
  sched::Trace upto = prefix(trace, index + 1);
  std::vector<int64_t> out = {-1};
  if (replays(upto, func, index, -2)) out.push_back(-2);
  // Loop candidates are 0 .. n-1: find n by doubling, then bisection.
  int64_t lo = 0, hi = 1;  // decision lo - 1 is legal (or lo == 0), hi unknown
  while (replays(upto, func, index, hi - 1)) {
    lo = hi;
    hi *= 2;
  }
  // lo: count known legal; hi - 1 illegal. Bisect for the first illegal decision.
  while (lo < hi - 1) {
    int64_t mid = (lo + hi) / 2;
    if (replays(upto, func, index, mid - 1)) lo = mid;
    else hi = mid;
  }
  for (int64_t d = 0; d < lo; ++d) out.push_back(d);
  return out;
}

class MutateComputeLocation : public Mutator {
 public:
  std::string name() const override { return "mutate-compute-location"; }

  std::optional<sched::Trace> apply(const sched::Trace& trace, const ir::PrimFunc& func, Rng& rng) const override {
    std::vector<size_t> sites = decided_instructions(trace, "sample_compute_location");
    while (!sites.empty()) {
      size_t at = static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(sites.size()) - 1));
      size_t index = sites[at];
      sites.erase(sites.begin() + static_cast<std::ptrdiff_t>(at));
      const auto* current = std::get_if<int64_t>(&trace.instructions()[index].decision->value);
      std::vector<int64_t> options;
      for (int64_t d : legal_decisions(trace, func, index))
        if (!current || d != *current) options.push_back(d);
      while (!options.empty()) {
        size_t k = static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(options.size()) - 1));
        sched::Trace mutated = trace.with_decision(index, sched::Arg(options[k]));
        try {
          sched::replay(mutated, func);
          return mutated;
        } catch (const sched::ScheduleError&) {
          options.erase(options.begin() + static_cast<std::ptrdiff_t>(k));
        }
      }
    }
    return std::nullopt;
  }
};

}  // namespace

std::shared_ptr<const Mutator> make_mutate_compute_location() { return std::make_shared<MutateComputeLocation>(); }

}  // namespace weft::search
