#include "search/postprocess.h"

#include "search/postprocess_gpu.h"

namespace weft::search {

std::vector<std::shared_ptr<const Postprocessor>> default_postprocessors(const Target& target) {
  if (target.backend == "cpu")
    return {make_rewrite_reduction_block(), make_rewrite_parallel_vectorize_unroll(), make_verify()};
  // MetaSchedule's CUDA order; the rewrite of parallel-vectorize-unroll only
  // unrolls there (the CUDA rules request nothing else).
  if (target.backend == "cuda")
    return {make_rewrite_cooperative_fetch(), make_rewrite_unbound_blocks(), make_rewrite_reduction_block(),
            make_rewrite_parallel_vectorize_unroll(), make_verify_gpu_code()};
  throw UsageError("no postprocessors for target backend '" + target.backend + "' (known: cpu, cuda)");
}

void postprocess(sched::Schedule& sch, const Target& target) {
  for (const auto& p : default_postprocessors(target)) p->apply(sch, target);
}

}  // namespace weft::search
