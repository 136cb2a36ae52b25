// add-rfactor: for a reduction with too little spatial parallelism (MetaSchedule's
// AddRFactor, 16 jobs per core): reorder the reduction loops innermost, fuse them,
// split the fused loop in two with sample_perfect_tile and rfactor either part,
// so the partial results can be computed in parallel. Returns one state per
// successful rfactor plus the original. The final reduction block is annotated so
// that random-compute-location also places the new rfactor block (rfactor keeps
// its iterators independent after a fuse, so compute_at can move it).
#include "rules/annotations.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "schedule/error.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/primitives_reduction.h"
#include "schedule/sampling.h"

namespace weft::rules {
namespace {

using namespace ir;

constexpr int64_t kMaxJobsPerCore = 16;
constexpr int64_t kMaxInnermostFactor = 64;

// MetaSchedule's NeedsRFactorOrCrossThreadReduction on a block with trivial
// bindings: a block worth tiling keeps its spatial parallelism unless the
// reduction is longer than it and the spatial extent is small; other reductions
// are factored when they are longer than the number of cores.
bool needs_rfactor(const sched::BlockSite& site, const Target& target) {
  const BlockNode& b = site.block();
  if (is_root(site) || !b.is_reduction() || !b.init || b.writes.size() != 1 || !has_trivial_binding(site))
    return false;
  int64_t space = 1, reduce = 1;
  for (size_t i = 0; i < b.iter_vars.size(); ++i) {
    int64_t extent;
    if (!is_const_int(site.loops[i].as<ForNode>()->extent, &extent)) return false;
    (b.iter_vars[i].kind == IterKind::Spatial ? space : reduce) *= extent;
  }
  int64_t cores = std::max(1, target.num_cores);
  if (needs_multi_level_tiling(site)) return !(space >= reduce || space > cores * kMaxJobsPerCore);
  return reduce > 1 && reduce > cores;
}

class AddRFactor : public ScheduleRule {
 public:
  std::string name() const override { return "add-rfactor"; }
  std::string description() const override {
    return "rfactor a long reduction with little spatial parallelism (fuse, split in two, factor either part)";
  }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch, const std::string& block_name,
                                     const Target& target) const override {
    sched::BlockSite site = site_of(sch, block_name);
    if (!needs_rfactor(site, target)) return {sch};
    const BlockNode& b = site.block();
    sched::Schedule base = sch;
    int64_t num_spatial = 0;
    std::vector<sched::LoopRV> split_loops;
    bool ok = try_transform(base, [&](sched::Schedule& s) {
      sched::BlockRV block = sched::get_block(s, block_name);
      std::vector<sched::LoopRV> loops = sched::get_loops(s, block);
      std::vector<sched::LoopRV> spatial, reduce;
      for (size_t i = 0; i < loops.size(); ++i)
        (b.iter_vars[i].kind == IterKind::Spatial ? spatial : reduce).push_back(loops[i]);
      num_spatial = static_cast<int64_t>(spatial.size());
      std::vector<sched::LoopRV> order = spatial;
      order.insert(order.end(), reduce.begin(), reduce.end());
      bool reduce_innermost = true;
      for (size_t i = 0; i < loops.size(); ++i) reduce_innermost &= loops[i].id == order[i].id;
      if (!reduce_innermost) sched::reorder(s, order);
      sched::LoopRV fused = reduce.size() > 1 ? sched::fuse(s, reduce) : reduce[0];
      std::vector<sched::Arg> factors;
      for (sched::ExprRV f : sched::sample_perfect_tile(s, fused, 2, kMaxInnermostFactor)) factors.push_back(sched::Arg(f));
      split_loops = sched::split(s, fused, factors);
    });
    if (!ok) return {sch};
    std::vector<sched::Schedule> out;
    for (sched::LoopRV loop : split_loops) {
      sched::Schedule state = base.fork();
      bool factored = try_transform(state, [&](sched::Schedule& s) {
        sched::rfactor(s, loop, num_spatial);
        sched::BlockRV final_block = sched::get_block(s, block_name);
        sched::annotate(s, sched::RV{sched::RVKind::Block, final_block.id}, ann::kRandomComputeProducer,
                        sched::Arg(int64_t{1}));
      });
      if (factored) out.push_back(std::move(state));
    }
    out.push_back(sch);
    return out;
  }
};

const RegisterRule<AddRFactor> kRegister;

}  // namespace
}  // namespace weft::rules
