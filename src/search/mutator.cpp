#include "search/mutator.h"

#include "support/error.h"

namespace weft::search {

std::vector<WeightedMutator> default_mutators(const Target& target) {
  if (target.backend == "cpu")
    return {{make_mutate_tile_size(), 0.9},
            {make_mutate_compute_location(), 0.05},
            {make_mutate_unroll(), 0.03},
            {make_mutate_parallel(target), 0.02}};
  if (target.backend == "cuda")
    return {{make_mutate_tile_size(), 0.9}, {make_mutate_unroll(), 0.08}, {make_mutate_thread_binding(), 0.02}};
  throw UsageError("no mutators for target backend '" + target.backend + "' (known: cpu, cuda)");
}

}  // namespace weft::search
