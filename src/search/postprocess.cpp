#include "search/postprocess.h"

namespace weft::search {

std::vector<std::shared_ptr<const Postprocessor>> default_postprocessors(const Target& target) {
  if (target.backend == "cpu")
    return {make_rewrite_reduction_block(), make_rewrite_parallel_vectorize_unroll(), make_verify()};
  throw UsageError("no postprocessors for target backend '" + target.backend + "' (known: cpu)");
}

void postprocess(sched::Schedule& sch, const Target& target) {
  for (const auto& p : default_postprocessors(target)) p->apply(sch, target);
}

}  // namespace weft::search
