// Mutators: small random changes of a trace's sampling decisions (never of its
// instructions), used by evolutionary search. A mutated trace still replays and
// realizes; a mutator that finds nothing to change returns nullopt.
//
//   mutate-tile-size        moves a factor between two tiles of one
//                           sample_perfect_tile (product kept, innermost limit kept)
//                           and sample_partial_tile (outer moves or a new height)
//   mutate-unroll           another unroll budget for the root's unroll_explicit
//   mutate-compute-location another legal decision of a sample_compute_location
//   mutate-parallel         another parallel_extent that changes which loops the
//                           postprocessor fuses and parallelises
//   mutate-thread-binding   another thread extent for cuda-auto-bind or
//                           cuda-cross-thread-reduction (CUDA)
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/stmt.h"
#include "schedule/trace.h"
#include "support/rng.h"
#include "support/target.h"

namespace weft::search {

class Mutator {
 public:
  virtual ~Mutator() = default;
  virtual std::string name() const = 0;
  // A copy of `trace` with changed decisions, or nullopt when there is nothing to
  // mutate. All randomness comes from `rng`.
  virtual std::optional<sched::Trace> apply(const sched::Trace& trace, const ir::PrimFunc& func, Rng& rng) const = 0;
};

struct WeightedMutator {
  std::shared_ptr<const Mutator> mutator;
  double probability;
};

std::shared_ptr<const Mutator> make_mutate_tile_size();
std::shared_ptr<const Mutator> make_mutate_unroll();
std::shared_ptr<const Mutator> make_mutate_compute_location();
// `target` decides how candidates are realized when comparing parallel plans.
std::shared_ptr<const Mutator> make_mutate_parallel(const Target& target);
std::shared_ptr<const Mutator> make_mutate_thread_binding();

// CPU: tile size .9, compute location .05, unroll .03, parallel .02; CUDA: tile
// size .9, unroll .08, thread binding .02. UsageError for
// a backend without mutators.
std::vector<WeightedMutator> default_mutators(const Target& target);

}  // namespace weft::search
