// compute_at: move a producer under a loop of its consumers, computing in each
// iteration the region of its output that the consumers read there.
#include <algorithm>

#include "ir/printer.h"
#include "ir/region.h"
#include "schedule/compute_location_impl.h"
#include "schedule/compute_location_util.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/primitives_compute_location.h"

namespace weft::sched {

using namespace ir;

namespace compute_location {

PrimFunc compute_at_func(const PrimFunc& func, const std::string& name, const Var& loop_var, bool preserve_unit_loops) {
  BlockSite site = *find_block(func, name);
  LoopSite lsite = *find_loop(func, loop_var.get());
  const BlockNode& b = site.block();
  const ForNode& loop = lsite.node();
  const std::string where = "block '" + name + "' and loop " + loop_var->name;
  auto fail_block = [&](const std::string& msg) {
    throw ScheduleError("compute_at: " + msg + "\n  block " + name + ":\n" + snippet(site.realize));
  };
  auto fail_loop = [&](const std::string& msg) {
    throw ScheduleError("compute_at: " + msg + "\n  loop " + loop_var->name + ":\n" + snippet(lsite.loop));
  };
  if (!site.parent) fail_block("the root block cannot move");
  if (!lsite.parent.same_as(site.parent))
    fail_loop(where + " are not in the same scope (their parent blocks differ)");
  Scope scope = scope_of(site);
  LoopSpan span = loop_span(scope, lsite);
  if (span.contains(scope.self)) fail_loop("block '" + name + "' is already under loop " + loop_var->name);

  // The block produces one intermediate buffer, indexed by its spatial iterators.
  if (b.writes.size() != 1)
    fail_block("block '" + name + "' writes " + std::to_string(b.writes.size()) +
               " buffers; compute_at moves a block producing one");
  const BufferRegion& written = b.writes[0];
  const Buffer& buffer = written.buffer;
  if (is_param(func, buffer))
    fail_block("block '" + name + "' writes '" + buffer->name +
               "', a parameter of the function; under a loop it would compute only the part its consumers read");
  if (!b.is_reduction() && declares_read(b, buffer))
    fail_block("block '" + name + "' reads its own output '" + buffer->name +
               "'; recomputing it for overlapping regions would not be idempotent");
  auto dims = iterator_dims(b, written);
  bool spatial_indices = dims.has_value();
  for (size_t i = 0; spatial_indices && i < b.iter_vars.size(); ++i) {
    bool indexed = std::find(dims->begin(), dims->end(), static_cast<int>(i)) != dims->end();
    spatial_indices = indexed == (b.iter_vars[i].kind == IterKind::Spatial);
  }
  if (!spatial_indices)
    fail_block("block '" + name + "' writes " + region_text(written) +
               "; compute_at needs each index to be a distinct spatial iterator, every spatial iterator used once");

  // Its loops are rebuilt one per iterator: the reduction must survive that.
  VarDomains outer = domains_inside(func, lsite);
  if (std::string problem = reduction_binding_problem(site, outer); !problem.empty())
    fail_block("the reduction of block '" + name + "' cannot be rebuilt under loop " + loop_var->name + ": " + problem);

  // Every other access to the buffer is a read by a sibling under the loop.
  std::vector<RealizedBlock> blocks = all_blocks(func);
  std::vector<std::string> ancestors;
  for (const RealizedBlock& rb : blocks)
    if (rb.realize.same_as(site.realize)) ancestors = rb.ancestors;
  for (const RealizedBlock& rb : blocks)
    if (!is_self_or_ancestor(rb, name, ancestors) && declares_write(rb.block(), buffer))
      fail_block("block '" + rb.block().name + "' also writes '" + buffer->name + "'; block '" + name +
                 "' must be its only producer");
  std::vector<size_t> consumers;
  for (size_t i = 0; i < scope.siblings.size(); ++i) {
    if (i == scope.self || !declares_read(scope.block(i), buffer)) continue;
    if (!span.contains(i))
      fail_loop("block '" + scope.block(i).name + "' reads '" + buffer->name + "' but is not under loop " +
                loop_var->name + "; every consumer of block '" + name + "' must be");
    consumers.push_back(i);
  }
  if (consumers.empty()) fail_loop("no block under loop " + loop_var->name + " reads '" + buffer->name + "'");
  if (scope.self > span.first)
    fail_block("block '" + name + "' comes after loop " + loop_var->name + " in program order");
  for (size_t i = scope.self + 1; i < span.first; ++i) {
    std::string dep = first_dependence(b, scope.block(i));
    if (!dep.empty())
      fail_block("block '" + scope.block(i).name + "' writes '" + dep + "' between block '" + name +
                 "', which reads it, and loop " + loop_var->name);
  }

  // Where in the loop body: after what the block depends on, before its consumers.
  std::vector<Stmt> children = loop_children(loop);
  size_t pos = 0, first_consumer = children.size();
  for (size_t k = 0; k < children.size(); ++k) {
    if (any_block_under(children[k], [&](const BlockNode& o) { return declares_read(o, buffer); }))
      first_consumer = std::min(first_consumer, k);
    if (any_block_under(children[k], [&](const BlockNode& o) { return !first_dependence(b, o).empty(); }))
      pos = k + 1;
  }
  if (pos > first_consumer)
    fail_loop("under loop " + loop_var->name + ", a block that block '" + name +
              "' depends on comes after one of its consumers; there is no place for it");

  // The region of the buffer the consumers read during one iteration of the loop.
  std::optional<BufferRegion> needed;
  for (size_t i : consumers) {
    const Block& consumer = scope.siblings[i].as<BlockRealizeNode>()->block;
    for (const BufferRegion& r : block_access_under(loop.body, consumer, outer).reads)
      if (r.buffer == buffer) needed = needed ? region_union(*needed, r, outer) : r;
  }
  // A "shared" buffer is one per thread block: the threads of the threadIdx.x loops
  // around the location fill it together (a cooperative fetch binds threadIdx.x
  // again inside them), so each computes what all of them read, as TVM's compute_at
  // relaxes shared regions over thread loops. threadIdx.y/z loops stay symbolic: a
  // tensor-core schedule keeps one shared tile per warp under them (lanes are x),
  // and vthread loops run serially in each thread (codegen/cuda_threads.h).
  if (buffer->scope.rfind("shared", 0) == 0) {
    VarDomains threads, context = outer;
    std::vector<Stmt> around = lsite.outer_loops;
    around.push_back(lsite.loop);
    for (const Stmt& l : around) {
      const ForNode& f = *l.as<ForNode>();
      if (f.for_kind != ForKind::ThreadBinding || f.thread_tag != "threadIdx.x") continue;
      threads[f.loop_var.get()] = outer.at(f.loop_var.get());
      context.erase(f.loop_var.get());
    }
    if (!threads.empty()) needed = relax_region(*needed, threads, context);
  }
  std::vector<IterCover> covers(b.iter_vars.size());
  for (size_t d = 0; d < dims->size(); ++d) covers[(*dims)[d]] = needed->region[d];

  Stmt moved = regenerate_loops(site.node(), covers, outer, preserve_unit_loops, fail_block);
  PrimFunc f = replace_stmt(func, lsite.loop.get(), insert_into_loop(loop, moved, pos));
  return replace_stmt(f, site.realize.get(), Stmt());
}

}  // namespace compute_location

void compute_at(Schedule& sch, BlockRV block, LoopRV loop, bool preserve_unit_loops) {
  std::string name = sch.block_name(block);
  std::optional<int64_t> sentinel = compute_location::sentinel_of(sch, loop);
  if (sentinel == compute_location::kComputeInline) {
    sch.set_func(compute_location::compute_inline_func(sch.func(), name));
  } else if (!sentinel) {
    ir::Var var = sch.loop_var(loop);
    sch.set_func(compute_location::compute_at_func(sch.func(), name, var, preserve_unit_loops));
  }  // the root location: the block stays where it is
  sch.record({"compute_at",
              {Arg(block), Arg(loop)},
              {{"preserve_unit_loops", Arg(static_cast<int64_t>(preserve_unit_loops))}},
              {},
              std::nullopt});
}

namespace {
const RegisterInstruction kComputeAt({"compute_at", RVKind::Block, false, false,
                                      [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                         const std::optional<Arg>&) {
                                        ArgReader r("compute_at", in, attrs);
                                        r.expect_count(2);
                                        compute_at(sch, r.block(0), r.loop(1), r.attr_int("preserve_unit_loops", 0) != 0);
                                        return std::vector<RV>{};
                                      }});
}  // namespace

}  // namespace weft::sched
