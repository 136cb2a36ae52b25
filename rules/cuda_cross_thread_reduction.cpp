// cuda-cross-thread-reduction: MetaSchedule's CrossThreadReduction for reduction
// blocks that are not tiled (softmax, layernorm, row sums). weft's IR has no
// allreduce and bind refuses loops that feed reduction iterators, so the
// reduction is spread over threads with rfactor and a shared buffer:
//
//   reorder spatial loops outside, fuse the reduction loops, split the fused loop
//   into [n / T, T] with T sampled from the divisors of n in {4, 8, ..., 512}
//   (rfactor needs a divisible split; other divisors up to 512 when none is) and rfactor the T
//   part: block "<name>_rf" keeps T partial results per output element in
//   "<W>_rf" (moved to "shared" scope). In the rf nest the T loop goes in front
//   of the serial loop over n / T and is bound to threadIdx.x, the fused spatial
//   loops to blockIdx.x; the final block is reverse_compute_at the blockIdx.x loop
//   and its unit spatial loop bound to threadIdx.x (one thread adds the T partials):
//
//     for b in blockIdx.x:
//       for t in threadIdx.x(T):  for o: W_rf[b, t] += x[b, o*T + t]     (shared)
//       for u in threadIdx.x(1):  for t: W[b] += W_rf[b, t]
//
// (Under the emitter's semantics the second loop is guarded by threadIdx.x < 1
// after a barrier.) The rule returns this state and the unchanged one, which
// auto-bind then binds over the spatial loops only (one thread per output).
// Applies to reduction blocks with an init, trivial bindings, a spatial iterator,
// a reduction of at least 32 elements and no data reuse worth tiling.
#include "ir/substitute.h"
#include "rules/cuda_util.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "schedule/error.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_cache.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/primitives_reduction.h"
#include "schedule/sampling.h"

namespace weft::rules {
namespace {

using namespace ir;

constexpr int64_t kMinReduceExtent = 32;

bool applies(const sched::BlockSite& site) {
  const BlockNode& b = site.block();
  if (is_root(site) || !b.is_reduction() || !b.init || b.writes.size() != 1 || !has_trivial_binding(site))
    return false;
  if (needs_multi_level_tiling(site) || has_annotation(b, "tiling_structure")) return false;
  int64_t reduce = 1;
  bool spatial = false;
  for (size_t i = 0; i < b.iter_vars.size(); ++i) {
    int64_t extent;
    if (!is_const_int(site.loops[i].as<ForNode>()->extent, &extent)) return false;
    if (b.iter_vars[i].kind == IterKind::Spatial) spatial = true;
    else reduce *= extent;
  }
  return spatial && reduce >= kMinReduceExtent;
}

// rfactor refuses the predicate of a non-divisible split (a partial result could
// miss its first update), so the thread extent divides the reduction: the
// candidates of {4, ..., 512} that do, or else every divisor in [2, 512].
std::vector<int64_t> thread_candidates(int64_t extent) {
  std::vector<int64_t> out;
  for (int64_t c : cuda::kReductionThreadExtents)
    if (extent % c == 0) out.push_back(c);
  if (!out.empty()) return out;
  for (int64_t c = 2; c <= std::min<int64_t>(extent, 512); ++c)
    if (extent % c == 0) out.push_back(c);
  return out;
}

class CudaCrossThreadReduction : public ScheduleRule {
 public:
  std::string name() const override { return "cuda-cross-thread-reduction"; }
  std::string description() const override {
    return "spread an untiled reduction over threadIdx.x (T from {4,...,512}) with rfactor into shared memory, "
           "one thread per block adding the partials";
  }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch, const std::string& block_name,
                                     const Target&) const override {
    sched::BlockSite site = site_of(sch, block_name);
    if (!applies(site)) return {sch};
    const BlockNode& b = site.block();
    int64_t reduce_extent = 1;
    for (size_t i = 0; i < b.iter_vars.size(); ++i) {
      int64_t e = 1;
      is_const_int(site.loops[i].as<ForNode>()->extent, &e);
      if (b.iter_vars[i].kind == IterKind::Reduce) reduce_extent *= e;
    }
    std::vector<int64_t> candidates = thread_candidates(reduce_extent);
    if (candidates.empty()) return {sch};
    sched::Schedule out = sch;
    out = out.fork();
    bool ok = try_transform(out, [&](sched::Schedule& s) {
      sched::BlockRV block = sched::get_block(s, block_name);
      std::vector<sched::LoopRV> loops = sched::get_loops(s, block), spatial, reduce;
      for (size_t i = 0; i < loops.size(); ++i)
        (b.iter_vars[i].kind == IterKind::Spatial ? spatial : reduce).push_back(loops[i]);
      std::vector<sched::LoopRV> order = spatial;
      order.insert(order.end(), reduce.begin(), reduce.end());
      bool ordered = true;
      for (size_t i = 0; i < loops.size(); ++i) ordered &= loops[i].id == order[i].id;
      if (!ordered) sched::reorder(s, order);
      sched::LoopRV fused = reduce.size() > 1 ? sched::fuse(s, reduce) : reduce[0];
      std::vector<double> uniform(candidates.size(), 1.0 / static_cast<double>(candidates.size()));
      sched::ExprRV threads = sched::sample_categorical(s, candidates, uniform);
      std::vector<sched::LoopRV> parts = sched::split(s, fused, {sched::Arg(), sched::Arg(threads)});
      sched::BlockRV rf = sched::rfactor(s, parts[1], static_cast<int64_t>(spatial.size()));
      sched::set_scope(s, rf, 0, "shared");
      // The rf nest keeps the handles of the split: the thread loop goes outside
      // the serial one, the spatial loops become the grid.
      sched::reorder(s, {parts[1], parts[0]});
      sched::LoopRV rows = spatial.size() > 1 ? sched::fuse(s, spatial) : spatial[0];
      sched::bind(s, rows, "blockIdx.x");
      sched::bind(s, parts[1], "threadIdx.x");
      // The final block follows in the same thread block; its first (unit) spatial
      // loop is the one thread that adds the partials. Loop handles come from
      // get_loops with a count the decisions do not change (unit loops preserved).
      block = sched::get_block(s, block_name);
      sched::reverse_compute_at(s, block, rows, true);
      std::vector<sched::LoopRV> final_loops = sched::get_loops(s, block);
      if (final_loops.size() < 2) throw sched::ScheduleError("cuda-cross-thread-reduction: final block lost its loops");
      sched::bind(s, final_loops[1], "threadIdx.x");
    });
    if (!ok) return {sch};
    return {out, sch};
  }
};

const RegisterRule<CudaCrossThreadReduction> kRegister;

}  // namespace
}  // namespace weft::rules
