#include <algorithm>
#include <optional>

#include "ir/access.h"
#include "ir/printer.h"
#include "ir/region.h"
#include "ir/simplify.h"
#include "schedule/cache_buffer_rewrite.h"
#include "schedule/cache_stage.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_cache.h"

namespace weft::sched {

using namespace ir;

namespace {

// Whether a write region is exact: each dimension a constant or one of the
// block's spatial iterators, distinct ones. Then the elements written are the
// iterator domains the loops reach, and relaxing the region over the loops (cut
// to the domains) covers nothing else; otherwise the write-back could clobber
// elements the block never wrote. Gives the iterator per dimension (null for a
// constant).
std::optional<std::vector<const IterVar*>> write_iterators(const BlockNode& block, const BufferRegion& write) {
  std::vector<const IterVar*> out;
  for (const Range& r : write.region) {
    int64_t extent;
    if (!is_const_int(r.extent, &extent) || extent != 1) return std::nullopt;
    if (is_const_int(r.min)) {
      out.push_back(nullptr);
      continue;
    }
    const auto* v = r.min.as<VarNode>();
    auto it = std::find_if(block.iter_vars.begin(), block.iter_vars.end(),
                           [&](const IterVar& iv) { return iv.var.get() == v; });
    if (!v || it == block.iter_vars.end() || it->kind != IterKind::Spatial) return std::nullopt;
    if (std::find(out.begin(), out.end(), &*it) != out.end()) return std::nullopt;
    out.push_back(&*it);
  }
  return out;
}

// `region` cut to the iterator domains: the block writes nothing outside them.
BufferRegion within_domains(const BufferRegion& region, const std::vector<const IterVar*>& iters,
                            const VarDomains& context) {
  BufferRegion out{region.buffer, {}};
  for (size_t d = 0; d < region.region.size(); ++d) {
    const Range& r = region.region[d];
    if (!iters[d]) {  // a constant index
      out.region.push_back(r);
      continue;
    }
    Expr lo = simplify(max(r.min, iters[d]->dom.min), context);
    Expr hi = simplify(min(r.min + r.extent, iters[d]->dom.min + iters[d]->dom.extent) - 1, context);
    out.region.push_back({lo, simplify(hi - lo + 1, context)});
  }
  return out;
}

// True unless the realize's predicate may drop points of the iterator domains.
// Accepted conjuncts compare an iterator's binding with a limit at or past the end
// of its domain, as the guard of a non-divisible split does: they drop only
// instances outside the domain.
bool predicate_keeps_domains(const BlockRealizeNode& br) {
  std::vector<Expr> todo{br.predicate}, conjuncts;
  while (!todo.empty()) {
    Expr e = todo.back();
    todo.pop_back();
    if (const auto* b = e.as<BinaryNode>(); b && b->op == BinaryOp::And) {
      todo.push_back(b->a);
      todo.push_back(b->b);
    } else {
      conjuncts.push_back(e);
    }
  }
  for (const Expr& c : conjuncts) {
    if (is_const_true(c)) continue;
    const auto* cmp = c.as<BinaryNode>();
    int64_t limit;
    if (!cmp || (cmp->op != BinaryOp::LT && cmp->op != BinaryOp::LE) || !is_const_int(cmp->b, &limit)) return false;
    if (cmp->op == BinaryOp::LE) ++limit;  // binding < limit
    bool guards_domain = false;
    for (size_t i = 0; i < br.iter_values.size() && !guards_domain; ++i) {
      const Range& dom = br.block->iter_vars[i].dom;
      int64_t min, extent;
      guards_domain = is_const_int(dom.min, &min) && is_const_int(dom.extent, &extent) && limit >= min + extent &&
                      same_expr(br.iter_values[i], cmp->a);
    }
    if (!guards_domain) return false;
  }
  return true;
}

// True if an `if` between `stmt` and `target` may skip the target.
bool under_condition(const Stmt& stmt, const StmtNode* target, bool in_if = false) {
  if (stmt.get() == target) return in_if;
  if (const auto* f = stmt.as<ForNode>()) return under_condition(f->body, target, in_if);
  if (const auto* q = stmt.as<SeqStmtNode>()) {
    for (const Stmt& s : q->seq)
      if (under_condition(s, target, in_if)) return true;
    return false;
  }
  if (const auto* i = stmt.as<IfThenElseNode>())
    return under_condition(i->then_case, target, true) || (i->else_case && under_condition(i->else_case, target, true));
  return false;
}

}  // namespace

BlockRV cache_write(Schedule& sch, BlockRV block_rv, int64_t write_buffer_index, const std::string& scope) {
  const std::string name = sch.block_name(block_rv);
  const BlockSite site = *find_block(sch.func(), name);
  const BlockNode& block = site.block();
  auto fail = [&](const std::string& msg) {
    throw ScheduleError("cache_write: " + msg + "\n  block " + name + ":\n" + snippet(site.realize));
  };
  if (!is_valid_scope(scope))
    fail("unknown storage scope '" + scope +
         "' (expected global, shared, shared.dyn, local, frag.matrix_a, frag.matrix_b or frag.accumulator)");
  if (!site.parent) fail("the root block has no parent block to hold a cache stage");
  if (write_buffer_index < 0 || write_buffer_index >= static_cast<int64_t>(block.writes.size()))
    fail("write buffer index " + std::to_string(write_buffer_index) + " is out of range: block '" + name +
         "' writes " + std::to_string(block.writes.size()) + " region(s)");
  const Buffer buffer = block.writes[write_buffer_index].buffer;
  if (std::find(block.alloc_buffers.begin(), block.alloc_buffers.end(), buffer) != block.alloc_buffers.end())
    fail("buffer '" + buffer->name + "' is allocated by block '" + name + "' itself");

  const std::vector<BufferRegion> writes = regions_of(block.writes, buffer.get());
  if (writes.size() != 1)
    fail("block '" + name + "' writes buffer '" + buffer->name + "' in " + std::to_string(writes.size()) +
         " regions; cache_write needs exactly one");
  const std::optional<std::vector<const IterVar*>> iters = write_iterators(block, writes[0]);
  if (!iters)
    fail("block '" + name + "' writes " + region_text(writes[0]) +
         ", not indexed by constants and distinct spatial iterators; the write-back could overwrite elements it never "
         "wrote");
  // The write-back covers the iterator domains the loops reach; it would copy
  // unwritten elements if a predicate or an `if` skipped some of them.
  if (!predicate_keeps_domains(site.node()))
    fail("block '" + name + "' has the predicate " + to_text(site.node().predicate) +
         ", which may skip points of its iterator domains; the write-back could overwrite elements it never wrote");
  // The write-back goes right after the outermost of the block's loops under
  // which no other block uses the buffer: later users see the written values.
  const StageSite stage = *find_stage_site(site, [&](const Stmt& outer) {
    const BufferUsers users = buffer_users(outer, buffer.get(), &block);
    return users.readers.empty() && users.writers.empty();
  });
  if (under_condition(stage.outer, site.realize.get()))
    fail("block '" + name + "' sits under an if; the write-back could overwrite elements it never wrote");
  // Reading the buffer is fine only for the accumulation of a reduction: the init
  // has put the value in the cache before the body reads it back.
  for (const BufferRegion& r : regions_of(block.reads, buffer.get())) {
    if (!block.init)
      fail("block '" + name + "' reads buffer '" + buffer->name +
           "' without an init; the cache would not hold the values it reads");
    for (size_t d = 0; d < r.region.size(); ++d)
      if (!same_expr(r.region[d].min, writes[0].region[d].min) || !same_expr(r.region[d].extent, writes[0].region[d].extent))
        fail("block '" + name + "' reads " + region_text(r) + " outside the region it writes, " + region_text(writes[0]));
  }

  const BlockAccess access = block_access_under(stage.outer, site.node().block, stage.context);
  const BufferRegion region = within_domains(access.writes[write_buffer_index], *iters, stage.context);

  const std::string base = buffer->name + "_" + scope_word(scope);
  const Buffer cache = make_buffer(sch.fresh_buffer_name(base), buffer->dtype, buffer->shape, scope);
  const std::string stage_name = sch.fresh_block_name(base);
  const Stmt copy = make_copy_stage(stage_name, cache, buffer, region, stage.context);

  const Block writer = swap_buffer(site.node().block, BufferSwap{buffer.get(), cache, true, true, false});
  const BlockRealizeNode& br = site.node();
  PrimFunc func = replace_stmt(sch.func(), site.realize.get(), make_block_realize(br.iter_values, br.predicate, writer));
  func = insert_stage(func, name, stage.depth, copy, /*before=*/false, cache);

  sch.set_func(func);
  BlockRV out = sch.make_block_rv(stage_name);
  sch.record({"cache_write", {Arg(block_rv), Arg(write_buffer_index), Arg(scope)}, {}, {RV{RVKind::Block, out.id}},
              std::nullopt});
  return out;
}

namespace {
const RegisterInstruction kCacheWrite({"cache_write", RVKind::Block, false, false,
                                       [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                          const std::optional<Arg>&) {
                                         ArgReader r("cache_write", in, attrs);
                                         r.expect_count(3);
                                         BlockRV b = cache_write(sch, r.block(0), r.integer(1), r.string(2));
                                         return std::vector<RV>{{RVKind::Block, b.id}};
                                       }});
}  // namespace

}  // namespace weft::sched
