// cuda-auto-bind: MetaSchedule's AutoBind. A block whose loop nest binds no thread
// axis gets its outer spatial loops fused and split into blockIdx.x x threadIdx.x,
// the thread extent sampled from {32, 64, ..., 1024} (those not above the fused
// extent). A reduction block alone in its nest first has its spatial loops
// reordered outside the reduction loops, so they can be bound. Blocks nested in a
// bound nest (cache stages, fused epilogues) are left alone.
#include "rules/cuda_util.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "schedule/error.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"

namespace weft::rules {
namespace {

using namespace ir;

// Spatial loops before reduction loops for a block with trivial bindings alone in
// its nest; a no-op (nothing recorded) when they already are.
void spatial_loops_outermost(sched::Schedule& s, const std::string& block_name) {
  sched::BlockSite site = site_of(s, block_name);
  if (!has_trivial_binding(site) || !site.block().is_reduction()) return;
  const auto& iters = site.block().iter_vars;
  bool ordered = true;
  for (size_t i = 1; i < iters.size(); ++i)
    ordered &= !(iters[i - 1].kind == IterKind::Reduce && iters[i].kind == IterKind::Spatial);
  if (ordered) return;
  sched::BlockRV block = sched::get_block(s, block_name);
  std::vector<sched::LoopRV> loops = sched::get_loops(s, block), order;
  for (auto kind : {IterKind::Spatial, IterKind::Reduce})
    for (size_t i = 0; i < loops.size(); ++i)
      if (iters[i].kind == kind) order.push_back(loops[i]);
  sched::reorder(s, order);
}

class CudaAutoBind : public ScheduleRule {
 public:
  std::string name() const override { return "cuda-auto-bind"; }
  std::string description() const override {
    return "bind the outer spatial loops of an unbound block to blockIdx.x x threadIdx.x (threads sampled from "
           "{32,...,1024})";
  }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch, const std::string& block_name,
                                     const Target&) const override {
    sched::BlockSite site = site_of(sch, block_name);
    if (is_root(site) || site.loops.empty() || cuda::nest_is_bound(sch.func(), block_name)) return {sch};
    sched::Schedule out = sch;
    bool ok = try_transform(out, [&](sched::Schedule& s) {
      spatial_loops_outermost(s, block_name);
      int64_t extent = cuda::bindable_extent(s.func(), block_name);
      if (extent == 0) throw sched::ScheduleError("cuda-auto-bind: no spatial outer loop to bind");
      sched::ExprRV threads = cuda::sample_thread_extent(s, cuda::kThreadExtents, extent);
      cuda::bind_block_thread(s, block_name, sched::Arg(threads));
    });
    if (!ok) return {sch};
    return {out};
  }
};

const RegisterRule<CudaAutoBind> kRegister;

}  // namespace
}  // namespace weft::rules
