// mutate-tile-size: picks a tile decision and changes it.
//  - sample_perfect_tile: divides one tile by a divisor d > 1 of it and multiplies
//    another tile by d, so the product (the loop extent) stays; a move that would
//    put more than max_innermost into the innermost tile is not made.
//  - sample_partial_tile: half of the time the same move among the outer tiles;
//    otherwise a new innermost height r in [min_innermost, max_innermost] with the
//    outer tiles drawn afresh for ceil(extent / r). The extent is not in the trace; it lies in
//    ((P - 1) * r, P * r] for the old outer product P and height r, so each
//    product that range allows is tried and replay's check keeps the right one.
// A mutation the rest of the trace does not replay with is not made.
#include <algorithm>
#include <set>

#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/replay.h"
#include "schedule/sampling.h"
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
  return sched::ArgReader(inst.kind, inst.inputs, inst.attrs).attr_int("max_innermost", 0);
}
int64_t min_innermost_of(const sched::Instruction& inst) {
  return sched::ArgReader(inst.kind, inst.inputs, inst.attrs).attr_int("min_innermost", 1);
}

sched::Arg to_arg(const std::vector<int64_t>& tile) {
  sched::Arg::List decision;
  for (int64_t f : tile) decision.push_back(sched::Arg(f));
  return sched::Arg(decision);
}

// The trace with `tile` at `index`, or nullopt when the rest of the trace does not
// replay with it (rfactor of a loop that became a unit loop, a wrong product).
std::optional<sched::Trace> replayable(const sched::Trace& trace, size_t index, const std::vector<int64_t>& tile,
                                       const ir::PrimFunc& func) {
  sched::Trace mutated = trace.with_decision(index, to_arg(tile));
  try {
    sched::replay(mutated, func);
  } catch (const sched::ScheduleError&) {
    return std::nullopt;
  }
  return mutated;
}

// Moves a divisor from one of the first `count` tiles to another of them.
std::optional<std::vector<int64_t>> move_factor(std::vector<int64_t> tile, size_t count, int64_t innermost_limit,
                                                Rng& rng) {
  std::vector<size_t> sources;
  for (size_t k = 0; k < count; ++k)
    if (tile[k] > 1) sources.push_back(k);
  if (sources.empty() || count < 2) return std::nullopt;
  size_t from = pick(sources, rng);
  int64_t d = pick(divisors_above_one(tile[from]), rng);
  size_t to = static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(count) - 2));
  if (to >= from) ++to;
  if (to == tile.size() - 1 && innermost_limit > 0 && tile[to] * d > innermost_limit) return std::nullopt;
  tile[from] /= d;
  tile[to] *= d;
  return tile;
}

std::optional<sched::Trace> new_partial_height(const sched::Trace& trace, size_t index, std::vector<int64_t> tile,
                                               const ir::PrimFunc& func, Rng& rng) {
  int64_t floor = min_innermost_of(trace.instructions()[index]);
  int64_t limit = max_innermost_of(trace.instructions()[index]);
  int64_t height = tile.back(), outer = 1;
  for (size_t k = 0; k + 1 < tile.size(); ++k) outer *= tile[k];
  if (height < floor || height > limit || limit - floor < 1) return std::nullopt;  // a clipped or single height
  int64_t fresh = rng.uniform_int(floor, limit - 1);
  if (fresh >= height) ++fresh;
  std::set<int64_t> products;
  for (int64_t extent = (outer - 1) * height + 1; extent <= outer * height; ++extent)
    products.insert(sched::partial_tile_outer(extent, fresh));
  for (int64_t product : products) {
    std::vector<int64_t> next = sched::draw_perfect_tile(rng, product, static_cast<int>(tile.size()) - 1, 0);
    next.push_back(fresh);
    if (auto mutated = replayable(trace, index, next, func)) return mutated;
  }
  return std::nullopt;
}

class MutateTileSize : public Mutator {
 public:
  std::string name() const override { return "mutate-tile-size"; }

  std::optional<sched::Trace> apply(const sched::Trace& trace, const ir::PrimFunc& func, Rng& rng) const override {
    // Instructions with something to change: a factor to move between two tiles
    // (the outer ones of a partial tile), or another height of a partial tile.
    std::vector<size_t> movable;
    for (const char* kind : {"sample_perfect_tile", "sample_partial_tile"})
      for (size_t i : decided_instructions(trace, kind)) {
        auto tile = int_list(*trace.instructions()[i].decision);
        if (!tile || tile->size() < 2) continue;
        const sched::Instruction& inst = trace.instructions()[i];
        bool partial = inst.kind == "sample_partial_tile";
        size_t moving = partial ? tile->size() - 1 : tile->size();
        bool factor = moving >= 2 && std::any_of(tile->begin(), tile->begin() + moving, [](int64_t f) { return f > 1; });
        if (factor || (partial && max_innermost_of(inst) > min_innermost_of(inst))) movable.push_back(i);
      }
    // A handful of draws: a draw fails on the innermost limit or on replay.
    for (int attempt = 0; attempt < 16 && !movable.empty(); ++attempt) {
      size_t index = pick(movable, rng);
      const sched::Instruction& inst = trace.instructions()[index];
      std::vector<int64_t> tile = *int_list(*inst.decision);
      if (inst.kind == "sample_partial_tile") {
        std::optional<sched::Trace> mutated;
        if (rng.uniform_int(0, 1) == 0) {
          if (auto moved = move_factor(tile, tile.size() - 1, 0, rng)) mutated = replayable(trace, index, *moved, func);
        } else {
          mutated = new_partial_height(trace, index, tile, func, rng);
        }
        if (mutated) return mutated;
        continue;
      }
      if (auto moved = move_factor(tile, tile.size(), max_innermost_of(inst), rng))
        if (auto mutated = replayable(trace, index, *moved, func)) return mutated;
    }
    return std::nullopt;
  }
};

}  // namespace

std::shared_ptr<const Mutator> make_mutate_tile_size() { return std::make_shared<MutateTileSize>(); }

}  // namespace weft::search
