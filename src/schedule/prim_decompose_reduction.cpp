// decompose_reduction: lift a reduction block's init into its own block placed
// before a loop, so the update loop nest no longer tests "first iteration?".
#include "ir/access.h"
#include "ir/functor.h"
#include "ir/region.h"
#include "ir/simplify.h"
#include "ir/substitute.h"
#include "schedule/bindings.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_reduction.h"

namespace weft::sched {

using namespace ir;

namespace {

// What a statement reads and writes: the point regions of its stores and loads, or,
// when it holds blocks (the init of a blockized block), their regions relaxed over
// the loops inside it.
AccessRegions accesses_of(const Stmt& s) {
  std::vector<Stmt> realizes = child_block_realizes(s);
  if (realizes.empty()) return collect_accesses(s);
  std::vector<BufferRegion> reads, writes;
  for (const Stmt& r : realizes) {
    BlockAccess a = block_access_under(s, r.as<BlockRealizeNode>()->block);
    reads.insert(reads.end(), a.reads.begin(), a.reads.end());
    writes.insert(writes.end(), a.writes.begin(), a.writes.end());
  }
  return {merge_regions(reads), merge_regions(writes)};
}

}  // namespace

BlockRV decompose_reduction(Schedule& sch, BlockRV block_rv, LoopRV loop_rv) {
  const PrimFunc& func = sch.func();
  std::string name = sch.block_name(block_rv);
  Var loop_var = sch.loop_var(loop_rv);
  BlockSite site = *find_block(func, name);
  const BlockRealizeNode& realize = site.node();
  const BlockNode& block = site.block();
  auto fail = [&](const std::string& msg) {
    throw ScheduleError("decompose_reduction: " + msg + "\n  block " + name + ":\n" + snippet(site.realize));
  };

  // ---- legality ----------------------------------------------------------------------
  if (!block.init) fail("block '" + name + "' has no init (it is not a reduction, or its init was already decomposed)");
  size_t pos = site.loops.size();
  for (size_t i = 0; i < site.loops.size(); ++i)
    if (site.loops[i].as<ForNode>()->loop_var == loop_var) pos = i;
  if (pos == site.loops.size())
    fail("loop " + loop_var->name + " is not above block '" + name + "' (within its parent block)");

  VarSet spatial_uses, reduce_uses, reduce_iters;
  for (size_t i = 0; i < block.iter_vars.size(); ++i) {
    bool reduce = block.iter_vars[i].kind == IterKind::Reduce;
    if (reduce) reduce_iters.insert(block.iter_vars[i].var.get());
    for (const Var& v : collect_vars(realize.iter_values[i])) (reduce ? reduce_uses : spatial_uses).insert(v.get());
  }
  for (size_t q = 0; q < pos; ++q) {
    const ForNode& outer = *site.loops[q].as<ForNode>();
    if (reduce_uses.count(outer.loop_var.get()))
      fail("loop " + outer.loop_var->name + " lies above loop " + loop_var->name +
           " and feeds a reduction iterator: an init placed before " + loop_var->name +
           " would run again in each of its iterations; decompose at loop " + outer.loop_var->name + " or higher");
  }
  for (const VarNode* v : vars_used(block.init))
    if (reduce_iters.count(v)) fail("the init uses reduction iterator '" + v->name + "'");

  // ---- the init nest -----------------------------------------------------------------
  // Copies of the loops from `loop` down that feed spatial iterators. The loops left
  // out feed only reductions; the predicate is taken at their first iteration (0),
  // the one at which the original block ran its init.
  VarMap pred_map;
  VarDomains domains = loop_domains(std::vector<Stmt>(site.loops.begin(), site.loops.begin() + pos));
  std::vector<std::pair<const ForNode*, Var>> copies;
  for (size_t q = pos; q < site.loops.size(); ++q) {
    const ForNode& l = *site.loops[q].as<ForNode>();
    if (spatial_uses.count(l.loop_var.get())) {
      Var c = make_var(l.loop_var->name + "_init", l.loop_var->dtype);
      copies.push_back({&l, c});
      pred_map[l.loop_var.get()] = var_expr(c);
      int64_t e;
      if (is_const_int(l.extent, &e) && e >= 1) domains[c.get()] = Interval::from_extent(0, e);
    } else {
      pred_map[l.loop_var.get()] = int_imm(0, l.loop_var->dtype);
    }
  }
  Expr predicate =
      is_const_true(realize.predicate) ? realize.predicate : simplify(substitute(realize.predicate, pred_map), domains);

  std::vector<IterVar> iters;
  std::vector<Expr> values;
  VarMap iter_map;
  for (size_t i = 0; i < block.iter_vars.size(); ++i) {
    const IterVar& iv = block.iter_vars[i];
    if (iv.kind != IterKind::Spatial) continue;
    Var v = make_var(iv.var->name + "_init", iv.var->dtype);
    iters.push_back({v, iv.dom, IterKind::Spatial});
    values.push_back(substitute(realize.iter_values[i], pred_map));
    iter_map[iv.var.get()] = var_expr(v);
  }
  Stmt init_body = substitute(block.init, iter_map);
  AccessRegions access = accesses_of(init_body);
  std::string init_name = sch.fresh_block_name(name + "_init");
  Stmt nest =
      make_block_realize(values, predicate, make_block(init_name, iters, access.reads, access.writes, init_body));
  for (size_t i = copies.size(); i-- > 0;) {
    const ForNode& l = *copies[i].first;
    nest = make_for(copies[i].second, l.extent, l.for_kind, nest, l.thread_tag, l.annotations);
  }

  // ---- rewrite: the block without init, the init nest right before `loop` --------------
  BlockEdit edit;
  edit.init = Stmt();
  PrimFunc out = replace_stmt(func, site.realize.get(),
                              make_block_realize(realize.iter_values, realize.predicate, edit_block(block, edit)));
  LoopSite loop_site = *find_loop(out, loop_var.get());
  out = replace_stmt(out, loop_site.loop.get(), seq({nest, loop_site.loop}));

  sch.set_func(out);
  BlockRV result = sch.make_block_rv(init_name);
  sch.record({"decompose_reduction", {Arg(block_rv), Arg(loop_rv)}, {}, {RV{RVKind::Block, result.id}}, std::nullopt});
  return result;
}

namespace {
const RegisterInstruction kDecomposeReduction({"decompose_reduction", RVKind::Block, false, false,
                                               [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                                  const std::optional<Arg>&) {
                                                 ArgReader r("decompose_reduction", in, attrs);
                                                 r.expect_count(2);
                                                 BlockRV b = decompose_reduction(sch, r.block(0), r.loop(1));
                                                 return std::vector<RV>{{RVKind::Block, b.id}};
                                               }});
}  // namespace

}  // namespace weft::sched
