// mutate-tile-size: picks a sample_perfect_tile decision, divides one tile by a
// divisor d > 1 of it and multiplies another tile by d, so the product (the loop
// extent) stays; a move that would put more than max_innermost into the innermost
// tile is not made, nor one the rest of the trace does not replay with.
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/replay.h"
#include "search/mutator.h"
#include "search/mutator_util.h"

namespace weft::search {
namespace {

std::vector<int64_t> divisors_above_one(int64_t n) {
  std::vector<int64_t> out;
  for (int64_t d = 2; d <= n; ++d)
    if (n % d == 0) out.push_back(d);
  return out;
}

int64_t max_innermost_of(const sched::Instruction& inst) {
  for (const auto& [key, value] : inst.attrs)
    if (key == "max_innermost")
      if (const auto* v = std::get_if<int64_t>(&value.value)) return *v;
  return 0;
}

class MutateTileSize : public Mutator {
 public:
  std::string name() const override { return "mutate-tile-size"; }

  std::optional<sched::Trace> apply(const sched::Trace& trace, const ir::PrimFunc& func, Rng& rng) const override {
    // Instructions with at least two tiles and a tile that can give a factor.
    std::vector<size_t> movable;
    for (size_t i : decided_instructions(trace, "sample_perfect_tile")) {
      auto tile = int_list(*trace.instructions()[i].decision);
      if (!tile || tile->size() < 2) continue;
      for (int64_t f : *tile)
        if (f > 1) {
          movable.push_back(i);
          break;
        }
    }
    // A handful of draws: a draw fails only on the innermost limit.
    for (int attempt = 0; attempt < 16 && !movable.empty(); ++attempt) {
      size_t index = pick(movable, rng);
      const sched::Instruction& inst = trace.instructions()[index];
      std::vector<int64_t> tile = *int_list(*inst.decision);
      std::vector<size_t> sources;
      for (size_t k = 0; k < tile.size(); ++k)
        if (tile[k] > 1) sources.push_back(k);
      size_t from = pick(sources, rng);
      int64_t d = pick(divisors_above_one(tile[from]), rng);
      size_t to = static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(tile.size()) - 2));
      if (to >= from) ++to;
      int64_t limit = max_innermost_of(inst);
      if (to == tile.size() - 1 && limit > 0 && tile[to] * d > limit) continue;
      tile[from] /= d;
      tile[to] *= d;
      sched::Arg::List decision;
      for (int64_t f : tile) decision.push_back(sched::Arg(f));
      sched::Trace mutated = trace.with_decision(index, sched::Arg(decision));
      // A later instruction may refuse the new tiles (rfactor of a loop that became
      // a unit loop): such a draw is not a mutation.
      try {
        sched::replay(mutated, func);
      } catch (const sched::ScheduleError&) {
        continue;
      }
      return mutated;
    }
    return std::nullopt;
  }
};

}  // namespace

std::shared_ptr<const Mutator> make_mutate_tile_size() { return std::make_shared<MutateTileSize>(); }

}  // namespace weft::search
