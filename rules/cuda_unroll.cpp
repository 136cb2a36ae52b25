// cuda-unroll: the unroll part of MetaSchedule's ParallelizeVectorizeUnroll with
// its CUDA settings. On the root block of a program with a reduction, it records
// an unroll budget (unroll_explicit) sampled uniformly from {0, 16, 64, 512, 1024};
// the rewrite-parallel-vectorize-unroll postprocessor unrolls the serial loops
// executing at most that many statements (thread-bound loops are not serial).
// No parallel or vectorize requests: threads take those roles on a GPU.
#include "rules/annotations.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "schedule/compute_location_util.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_lookup.h"
#include "schedule/sampling.h"

namespace weft::rules {
namespace {

const std::vector<int64_t> kUnrollSteps = {0, 16, 64, 512, 1024};

class CudaUnroll : public ScheduleRule {
 public:
  std::string name() const override { return "cuda-unroll"; }
  std::string description() const override {
    return "annotate the root block of a program with a reduction: unroll step from {0,16,64,512,1024}";
  }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch, const std::string& block_name,
                                     const Target&) const override {
    if (!is_root(site_of(sch, block_name))) return {sch};
    bool reduction = false;
    for (const auto& rb : sched::compute_location::all_blocks(sch.func())) reduction |= rb.block().is_reduction();
    if (!reduction) return {sch};
    sched::Schedule out = sch;
    sched::BlockRV root = sched::get_block(out, block_name);
    std::vector<double> uniform(kUnrollSteps.size(), 1.0 / static_cast<double>(kUnrollSteps.size()));
    sched::annotate(out, sched::RV{sched::RVKind::Block, root.id}, ann::kUnrollExplicit,
                    sched::Arg(sched::sample_categorical(out, kUnrollSteps, uniform)));
    return {out};
  }
};

const RegisterRule<CudaUnroll> kRegister;

}  // namespace
}  // namespace weft::rules
