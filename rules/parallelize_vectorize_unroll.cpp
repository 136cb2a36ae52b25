// parallelize-vectorize-unroll: MetaSchedule's ParallelizeVectorizeUnroll. Only on
// the root block (visited last), it records requests that the postprocessor
// (src/search/postprocess.h) turns into loop kinds once the loop nests are final:
//   parallel_extent  fuse and parallelise outer spatial loops up to this product of
//                    extents (16 jobs per core). The value is a sample_categorical
//                    over multiples of the core count that always draws 16 x cores;
//                    the parallel mutator moves the decision to other multiples.
//   vectorize_bytes  fuse and vectorise inner spatial loops up to this many bytes of
//                    the block's output: 64 (four SSE, two AVX2 or one AVX-512
//                    register), or the target's vector width if wider.
//   unroll_explicit  unroll budget, sampled uniformly from {0, 16, 64, 512}; only
//                    for programs with a reduction.
#include "rules/annotations.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "schedule/compute_location_util.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_lookup.h"
#include "schedule/sampling.h"

namespace weft::rules {
namespace {

constexpr int64_t kMaxJobsPerCore = 16;
constexpr int64_t kVectorizeBytes = 64;
const std::vector<int64_t> kUnrollSteps = {0, 16, 64, 512};
// Multiples of the core count the parallel extent may take (the first draw is 16).
const std::vector<int64_t> kParallelJobsPerCore = {1, 2, 4, 8, 16, 32, 64};

bool has_reduction_block(const ir::PrimFunc& func) {
  for (const auto& rb : sched::compute_location::all_blocks(func))
    if (rb.block().is_reduction()) return true;
  return false;
}

class ParallelizeVectorizeUnroll : public ScheduleRule {
 public:
  std::string name() const override { return "parallelize-vectorize-unroll"; }
  std::string description() const override {
    return "annotate the root block: parallel extent 16 x cores, vectorize 64 bytes, unroll step from {0,16,64,512}";
  }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch, const std::string& block_name,
                                     const Target& target) const override {
    if (!is_root(site_of(sch, block_name))) return {sch};
    sched::Schedule out = sch;
    sched::BlockRV root = sched::get_block(out, block_name);
    sched::RV root_rv{sched::RVKind::Block, root.id};
    int64_t cores = std::max(1, target.num_cores);
    std::vector<int64_t> extents;
    std::vector<double> probs;
    for (int64_t jobs : kParallelJobsPerCore) {
      extents.push_back(jobs * cores);
      probs.push_back(jobs == kMaxJobsPerCore ? 1.0 : 0.0);
    }
    sched::annotate(out, root_rv, ann::kParallelExtent, sched::Arg(sched::sample_categorical(out, extents, probs)));
    sched::annotate(out, root_rv, ann::kVectorizeBytes,
                    sched::Arg(std::max<int64_t>(kVectorizeBytes, target.vector_bytes)));
    if (has_reduction_block(out.func())) {
      std::vector<double> uniform(kUnrollSteps.size(), 1.0 / static_cast<double>(kUnrollSteps.size()));
      sched::annotate(out, root_rv, ann::kUnrollExplicit, sched::Arg(sched::sample_categorical(out, kUnrollSteps, uniform)));
    }
    return {out};
  }
};

const RegisterRule<ParallelizeVectorizeUnroll> kRegister;

}  // namespace
}  // namespace weft::rules
