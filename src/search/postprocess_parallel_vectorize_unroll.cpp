// rewrite-parallel-vectorize-unroll: turns the root block's requests into loop
// kinds, block by block in program order (MetaSchedule's
// RewriteParallelVectorizeUnroll):
//   parallel   the outermost loops of the block that are serial, unannotated,
//              constant and spatial for every block under them are fused and
//              parallelised, up to and including the loop where the product of
//              extents passes parallel_extent or whose body has several statements
//              (fuse needs a perfect nest). A loop an earlier block parallelised
//              stops the next block at once.
//   vectorize  the innermost such loops (each the only statement of its parent)
//              whose product of extents fits vectorize_bytes of the block's output
//              type are fused and vectorised; they are left to vectorize before
//              parallel takes loops. When both would take every loop, the fused
//              nest is only vectorised (it fits in one vector).
//   unroll     with unroll_explicit = N > 0, every serial loop that executes at most
//              N statements (a vectorised loop counts as one) and holds no
//              parallel loop is unrolled.
#include <functional>
#include <limits>
#include <map>

#include "ir/substitute.h"
#include "rules/annotations.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "search/postprocess.h"

namespace weft::search {
namespace {

using namespace ir;

struct Requests {
  int64_t parallel_extent = -1, vectorize_bytes = -1, unroll_explicit = -1;
  bool any() const { return parallel_extent > 0 || vectorize_bytes > 0 || unroll_explicit > 0; }
};

// Reads and removes the requests from the root block.
Requests take_requests(sched::Schedule& sch) {
  Requests r;
  const BlockNode& root = sch.func()->root_block();
  std::string root_name = root.name;
  std::vector<std::pair<const char*, int64_t*>> keys = {{rules::ann::kParallelExtent, &r.parallel_extent},
                                                        {rules::ann::kVectorizeBytes, &r.vectorize_bytes},
                                                        {rules::ann::kUnrollExplicit, &r.unroll_explicit}};
  Annotations found = root.annotations;
  std::optional<sched::BlockRV> root_rv;
  for (auto [key, value] : keys) {
    auto it = found.find(key);
    if (it == found.end()) continue;
    const auto* v = std::get_if<int64_t>(&it->second);
    if (!v) throw VerificationError("root block annotation '" + std::string(key) + "' must be an integer");
    *value = *v;
    if (!root_rv) root_rv = sched::get_block(sch, root_name);
    sched::unannotate(sch, sched::RV{sched::RVKind::Block, root_rv->id}, key);
  }
  return r;
}

// True if the loop variable feeds only spatial iterators of the blocks under it.
bool spatial_for_all_blocks(const ForNode& loop) {
  bool ok = true;
  std::function<void(const Stmt&)> walk = [&](const Stmt& s) {
    for (const Stmt& r : sched::child_block_realizes(s)) {
      const auto& br = *r.as<BlockRealizeNode>();
      for (size_t i = 0; i < br.iter_values.size(); ++i)
        if (br.block->iter_vars[i].kind == IterKind::Reduce && uses_var(br.iter_values[i], loop.loop_var)) ok = false;
      if (br.block->init) walk(br.block->init);
      walk(br.block->body);
    }
  };
  walk(loop.body);
  return ok;
}

bool plain(const ForNode& loop) { return loop.for_kind == ForKind::Serial && loop.annotations.empty(); }
bool single_stmt(const ForNode& loop) { return !loop.body.as<SeqStmtNode>(); }

void rewrite_block(sched::Schedule& sch, const std::string& name, const Requests& req) {
  sched::BlockSite site = *sched::find_block(sch.func(), name);
  int n = static_cast<int>(site.loops.size());
  if (n == 0) return;
  std::vector<const ForNode*> loops;
  std::vector<int64_t> extents(n, -1);
  std::vector<bool> spatial(n);
  for (int i = 0; i < n; ++i) {
    loops.push_back(site.loops[i].as<ForNode>());
    is_const_int(loops[i]->extent, &extents[i]);
    spatial[i] = spatial_for_all_blocks(*loops[i]);
  }
  int num_parallel = 0, num_vectorize = 0;
  if (req.parallel_extent > 0) {
    int64_t product = 1;
    for (int i = 0; i < n && spatial[i] && plain(*loops[i]) && extents[i] > 0; ++i) {
      ++num_parallel;
      product *= extents[i];
      if (product > req.parallel_extent || !single_stmt(*loops[i])) break;
    }
    if (product == 1) num_parallel = 0;
  }
  if (req.vectorize_bytes > 0 && !site.block().writes.empty()) {
    int64_t lanes = std::max<int64_t>(1, req.vectorize_bytes / dtype_bytes(site.block().writes[0].buffer->dtype));
    int64_t product = 1;
    for (int i = n - 1; i >= 0 && spatial[i] && plain(*loops[i]) && single_stmt(*loops[i]) && extents[i] > 0; --i) {
      if (product * extents[i] > lanes) break;
      product *= extents[i];
      ++num_vectorize;
    }
    if (product == 1) num_vectorize = 0;
  }
  if (num_parallel == 0 && num_vectorize == 0) return;
  sched::BlockRV block = sched::get_block(sch, name);
  std::vector<sched::LoopRV> rvs = sched::get_loops(sch, block);
  auto fused = [&](int first, int count) {
    if (count == 1) return rvs[first];
    return sched::fuse(sch, std::vector<sched::LoopRV>(rvs.begin() + first, rvs.begin() + first + count));
  };
  if (num_vectorize == n && num_parallel == n) {
    sched::vectorize(sch, fused(0, n));
    return;
  }
  num_parallel = std::min(num_parallel, n - num_vectorize);
  if (num_vectorize > 0) sched::vectorize(sch, fused(n - num_vectorize, num_vectorize));
  if (num_parallel > 0) sched::parallel(sch, fused(0, num_parallel));
}

// Statements one execution of `s` runs; saturates at the int64 maximum.
int64_t steps(const Stmt& s) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / 4;
  auto mul = [&](int64_t a, int64_t b) { return a != 0 && b > kMax / a ? kMax : a * b; };
  auto add = [&](int64_t a, int64_t b) { return std::min(kMax, a + b); };
  if (s.as<BufferStoreNode>()) return 1;
  if (const auto* q = s.as<SeqStmtNode>()) {
    int64_t total = 0;
    for (const Stmt& c : q->seq) total = add(total, steps(c));
    return total;
  }
  if (const auto* i = s.as<IfThenElseNode>()) return add(steps(i->then_case), i->else_case ? steps(i->else_case) : 0);
  if (const auto* br = s.as<BlockRealizeNode>())
    return add(steps(br->block->body), br->block->init ? steps(br->block->init) : 0);
  if (const auto* f = s.as<ForNode>()) {
    if (f->for_kind == ForKind::Vectorized) return steps(f->body);
    int64_t extent;
    if (!is_const_int(f->extent, &extent)) return kMax;
    return mul(extent, steps(f->body));
  }
  return 1;
}

bool holds_parallel(const Stmt& s) {
  if (const auto* f = s.as<ForNode>()) return f->for_kind == ForKind::Parallel || holds_parallel(f->body);
  if (const auto* q = s.as<SeqStmtNode>()) {
    for (const Stmt& c : q->seq)
      if (holds_parallel(c)) return true;
    return false;
  }
  if (const auto* i = s.as<IfThenElseNode>()) return holds_parallel(i->then_case) || (i->else_case && holds_parallel(i->else_case));
  if (const auto* br = s.as<BlockRealizeNode>())
    return holds_parallel(br->block->body) || (br->block->init && holds_parallel(br->block->init));
  return false;
}

void unroll_small_loops(sched::Schedule& sch, int64_t max_steps) {
  // Decide on the final nests first, then unroll through handles from get_loops.
  std::map<const VarNode*, std::pair<std::string, size_t>> to_unroll;  // loop -> (block, index in its loops)
  for (const std::string& name : sched::all_block_names(sch.func())) {
    auto site = sched::find_block(sch.func(), name);
    if (!site || !site->parent) continue;
    for (size_t i = 0; i < site->loops.size(); ++i) {
      const ForNode& f = *site->loops[i].as<ForNode>();
      if (f.for_kind == ForKind::Serial && !holds_parallel(f.body) && steps(site->loops[i]) <= max_steps)
        to_unroll.emplace(f.loop_var.get(), std::make_pair(name, i));
    }
  }
  for (const auto& [var, where] : to_unroll) {
    (void)var;
    sched::BlockRV block = sched::get_block(sch, where.first);
    sched::unroll(sch, sched::get_loops(sch, block)[where.second]);
  }
}

bool has_reduction_block(const PrimFunc& func) {
  for (const std::string& name : sched::all_block_names(func))
    if (sched::find_block(func, name)->block().is_reduction()) return true;
  return false;
}

class RewriteParallelVectorizeUnroll : public Postprocessor {
 public:
  std::string name() const override { return "rewrite-parallel-vectorize-unroll"; }
  void apply(sched::Schedule& sch, const Target&) const override {
    Requests req = take_requests(sch);
    if (!req.any()) return;
    if (req.parallel_extent > 0 || req.vectorize_bytes > 0)
      for (const std::string& name : sched::all_block_names(sch.func()))
        if (name != sch.func()->root_block().name) rewrite_block(sch, name, req);
    if (req.unroll_explicit > 0 && has_reduction_block(sch.func())) unroll_small_loops(sch, req.unroll_explicit);
  }
};

}  // namespace

std::shared_ptr<const Postprocessor> make_rewrite_parallel_vectorize_unroll() {
  return std::make_shared<RewriteParallelVectorizeUnroll>();
}

}  // namespace weft::search
