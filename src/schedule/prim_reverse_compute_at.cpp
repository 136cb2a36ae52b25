// reverse_compute_at: move a consumer under a loop of its producers, consuming
// in each iteration the region they wrote in that iteration.
//
// The producers' written regions are bounding boxes and may hold elements
// written in other iterations. That is safe for the iterators they determine:
// every element is consumed again in the last iteration whose box holds it, by
// which time it is final, and the consumer's result is overwritten then. Reads of
// other produced buffers must provably stay inside what is written in the same
// iteration.
#include <algorithm>
#include <map>

#include "ir/printer.h"
#include "ir/region.h"
#include "ir/simplify.h"
#include "schedule/compute_location_impl.h"
#include "schedule/compute_location_util.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/primitives_compute_location.h"

namespace weft::sched {

using namespace ir;

namespace compute_location {

namespace {

bool provably(const Expr& cond, const VarDomains& domains) { return is_const_true(simplify(cond, domains)); }

}  // namespace

PrimFunc reverse_compute_at_func(const PrimFunc& func, const std::string& name, const Var& loop_var,
                                 bool preserve_unit_loops) {
  BlockSite site = *find_block(func, name);
  LoopSite lsite = *find_loop(func, loop_var.get());
  const BlockNode& c = site.block();
  const ForNode& loop = lsite.node();
  auto fail_block = [&](const std::string& msg) {
    throw ScheduleError("reverse_compute_at: " + msg + "\n  block " + name + ":\n" + snippet(site.realize));
  };
  auto fail_loop = [&](const std::string& msg) {
    throw ScheduleError("reverse_compute_at: " + msg + "\n  loop " + loop_var->name + ":\n" + snippet(lsite.loop));
  };
  if (!site.parent) fail_block("the root block cannot move");
  if (!lsite.parent.same_as(site.parent))
    fail_loop("block '" + name + "' and loop " + loop_var->name + " are not in the same scope (their parent blocks differ)");
  Scope scope = scope_of(site);
  LoopSpan span = loop_span(scope, lsite);
  if (span.contains(scope.self)) fail_loop("block '" + name + "' is already under loop " + loop_var->name);
  if (scope.self < span.first)
    fail_block("block '" + name + "' comes before loop " + loop_var->name + " in program order");

  // Moved under the loop it may run more than once per element: it must not
  // update its output in place (a reduction starts over from its init).
  for (const BufferRegion& w : c.writes)
    if (!c.is_reduction() && declares_read(c, w.buffer))
      fail_block("block '" + name + "' reads its own output '" + w.buffer->name +
                 "'; repeating it for overlapping regions would not be idempotent");

  // Its loops are rebuilt one per iterator: the reduction must survive that.
  if (std::string problem = reduction_binding_problem(site, domains_inside(func, lsite)); !problem.empty())
    fail_block("the reduction of block '" + name + "' cannot be rebuilt under loop " + loop_var->name + ": " + problem);

  // The buffers it reads that blocks under the loop produce, each by one block.
  std::map<const BufferNode*, size_t> producer_of;
  std::vector<const BufferRegion*> produced_reads;
  for (const BufferRegion& r : c.reads) {
    for (size_t i = span.first; i < span.last; ++i) {
      if (!declares_write(scope.block(i), r.buffer)) continue;
      auto [it, fresh] = producer_of.emplace(r.buffer.get(), i);
      if (!fresh && it->second != i)
        fail_loop("'" + r.buffer->name + "' is written by both '" + scope.block(it->second).name + "' and '" +
                  scope.block(i).name + "' under loop " + loop_var->name);
    }
    if (producer_of.count(r.buffer.get())) produced_reads.push_back(&r);
  }
  if (produced_reads.empty())
    fail_loop("no block under loop " + loop_var->name + " writes anything block '" + name + "' reads");
  for (size_t i = span.last; i < scope.self; ++i) {
    const BlockNode& o = scope.block(i);
    std::string dep = first_dependence(c, o);
    if (!dep.empty())
      fail_block("block '" + o.name + "' writes '" + dep + "' between loop " + loop_var->name + " and block '" + name +
                 "', which reads it");
    if (!first_dependence(o, c).empty() || std::any_of(c.writes.begin(), c.writes.end(), [&](const BufferRegion& w) {
          return declares_write(o, w.buffer);
        }))
      fail_block("block '" + o.name + "' accesses the output of block '" + name + "' between loop " +
                 loop_var->name + " and the block");
  }

  // Where in the loop body: after its producers, before anything using its output.
  std::vector<Stmt> children = loop_children(loop);
  size_t pos = children.size(), after_producers = 0;
  for (size_t k = 0; k < children.size(); ++k) {
    if (any_block_under(children[k], [&](const BlockNode& o) { return !first_dependence(c, o).empty(); }))
      after_producers = k + 1;
    if (any_block_under(children[k], [&](const BlockNode& o) {
          return !first_dependence(o, c).empty() || std::any_of(c.writes.begin(), c.writes.end(), [&](const BufferRegion& w) {
                   return declares_write(o, w.buffer);
                 });
        }))
      pos = std::min(pos, k);
  }
  if (after_producers > pos)
    fail_loop("under loop " + loop_var->name + ", a block using the output of block '" + name +
              "' comes before one of its producers; there is no place for it");

  // Iterators follow the regions written in one iteration, first read first.
  VarDomains outer = domains_inside(func, lsite);
  std::vector<BufferRegion> provided;
  for (const BufferRegion* r : produced_reads) {
    const Block& producer = scope.siblings[producer_of[r->buffer.get()]].as<BlockRealizeNode>()->block;
    std::vector<BufferRegion> writes = block_access_under(loop.body, producer, outer).writes;
    provided.push_back(*std::find_if(writes.begin(), writes.end(),
                                     [&](const BufferRegion& w) { return w.buffer == r->buffer; }));
  }
  // A read defines the iterators its indices are (when they are distinct
  // iterators not defined by an earlier read); any other read is checked below.
  std::vector<IterCover> covers(c.iter_vars.size());
  std::vector<bool> defining(produced_reads.size(), false);
  for (size_t k = 0; k < produced_reads.size(); ++k) {
    auto dims = iterator_dims(c, *produced_reads[k]);
    if (!dims || std::any_of(dims->begin(), dims->end(), [&](int i) { return covers[i].has_value(); })) continue;
    defining[k] = true;
    for (size_t d = 0; d < dims->size(); ++d) covers[(*dims)[d]] = provided[k].region[d];
  }
  if (std::none_of(defining.begin(), defining.end(), [](bool x) { return x; }))
    fail_block("block '" + name + "' reads " + region_text(*produced_reads[0]) +
               "; reverse_compute_at needs a read of a produced buffer whose indices are distinct iterators");
  for (size_t i = 0; i < c.iter_vars.size(); ++i) {
    const IterVar& iv = c.iter_vars[i];
    if (iv.kind != IterKind::Reduce || !covers[i]) continue;
    if (!provably(eq(covers[i]->min, iv.dom.min), outer) || !provably(eq(covers[i]->extent, iv.dom.extent), outer))
      fail_loop("loop " + loop_var->name + " splits the reduction over '" + iv.var->name + "' of block '" + name +
                "': one iteration provides " + to_text(covers[i]->min) + ":+" + to_text(covers[i]->extent) +
                " of its domain");
    covers[i].reset();  // the whole domain
  }
  Stmt moved = regenerate_loops(site.node(), covers, outer, preserve_unit_loops, fail_block);

  // Reads not defining the iteration space must stay inside what was written.
  BlockAccess reads = block_access_under(moved, site.node().block, outer);
  for (size_t k = 0; k < produced_reads.size(); ++k) {
    if (defining[k]) continue;
    const BufferRegion& got = reads.reads[static_cast<size_t>(produced_reads[k] - c.reads.data())];
    const BufferRegion& have = provided[k];
    for (size_t d = 0; d < got.region.size(); ++d) {
      const Range &g = got.region[d], &h = have.region[d];
      if (!provably(le(h.min, g.min), outer) || !provably(le(g.min + g.extent, h.min + h.extent), outer))
        fail_block("block '" + name + "' would read " + region_text(got) + " in one iteration of loop " +
                   loop_var->name + ", not provably inside " + region_text(have) + " written there");
    }
  }
  PrimFunc f = replace_stmt(func, lsite.loop.get(), insert_into_loop(loop, moved, pos));
  return replace_stmt(f, site.realize.get(), Stmt());
}

}  // namespace compute_location

void reverse_compute_at(Schedule& sch, BlockRV block, LoopRV loop, bool preserve_unit_loops) {
  std::string name = sch.block_name(block);
  if (compute_location::sentinel_of(sch, loop))
    throw ScheduleError("reverse_compute_at: " + sch.describe(RV{RVKind::Loop, loop.id}) +
                        " is a location from sample_compute_location, which only compute_at takes");
  ir::Var var = sch.loop_var(loop);
  sch.set_func(compute_location::reverse_compute_at_func(sch.func(), name, var, preserve_unit_loops));
  sch.record({"reverse_compute_at",
              {Arg(block), Arg(loop)},
              {{"preserve_unit_loops", Arg(static_cast<int64_t>(preserve_unit_loops))}},
              {},
              std::nullopt});
}

namespace {
const RegisterInstruction kReverseComputeAt({"reverse_compute_at", RVKind::Block, false, false,
                                             [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                                const std::optional<Arg>&) {
                                               ArgReader r("reverse_compute_at", in, attrs);
                                               r.expect_count(2);
                                               reverse_compute_at(sch, r.block(0), r.loop(1),
                                                                  r.attr_int("preserve_unit_loops", 0) != 0);
                                               return std::vector<RV>{};
                                             }});
}  // namespace

}  // namespace weft::sched
