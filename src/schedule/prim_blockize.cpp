// blockize: wrap the loop nest under a loop in an outer block whose iterators are
// derived from the loops above (TVM's blockize). Tensorize matches such a block.
//
//   for i, j_0, k, j_1:  block C(vi = i, vj = j_0 * 8 + j_1, vk = k)
// blockize(j_1) gives
//   for i, j_0, k:  block C_o(vi = i, vj_o = j_0, vk = k)
//                     for j_1:  block C(vj_i = j_1):  ...vj replaced by vj_o * 8 + vj_i
#include <algorithm>
#include <set>

#include "ir/access.h"
#include "ir/expr_order.h"
#include "ir/functor.h"
#include "ir/linear_form.h"
#include "ir/printer.h"
#include "ir/region.h"
#include "ir/simplify.h"
#include "ir/substitute.h"
#include "schedule/bindings.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_blockize.h"

namespace weft::sched {

using namespace ir;

namespace {

// A block iterator divided into a part above the blockized loop and a part below.
struct Division {
  std::optional<IterVar> outer, inner;
  Expr outer_value, inner_value;
  Expr replacement;  // the original iterator in terms of the new ones (null: unchanged)
};

// Why an iterator cannot be divided, or "" when `d` is filled.
std::string divide(const IterVar& iv, const Expr& value, const VarSet& inner_vars, const VarDomains& inner_domains,
                   const VarDomains& outer_domains, Division* d) {
  bool has_inner = false, has_outer = false;
  for (const Var& v : collect_vars(value)) (inner_vars.count(v.get()) ? has_inner : has_outer) = true;
  if (!has_inner) {
    d->outer = iv;
    d->outer_value = value;
    return "";
  }
  if (!has_outer) {
    d->inner = iv;
    d->inner_value = value;
    return "";
  }
  int64_t lo, extent;
  if (!is_const_int(iv.dom.min, &lo) || lo != 0 || !is_const_int(iv.dom.extent, &extent))
    return "its domain is not [0, constant)";
  DType t = iv.var->dtype;
  ExprOrder order;
  order.note(value);
  LinearForm form = LinearForm::of(value, order);
  // Inner terms must form a dense mixed-radix number: coefficients 1, e1, e1*e2, ...
  std::vector<std::pair<int64_t, int64_t>> inner_terms;  // (coefficient, extent)
  LinearForm inner(t), outer(t);
  for (const LinearTerm& term : form.terms()) {
    bool uses_inner = uses_any_var(term.atom, inner_vars);
    if (!uses_inner) continue;
    const auto* v = term.atom.as<VarNode>();
    if (!v) return "the loops under the blockized loop feed it through '" + to_text(term.atom) + "', not a sum";
    inner_terms.push_back({term.coeff, inner_domains.at(v).max + 1});
    inner.add_term(term.atom, term.coeff, order);
  }
  std::sort(inner_terms.begin(), inner_terms.end());
  int64_t c = 1;
  for (const auto& [coeff, ext] : inner_terms) {
    if (coeff != c) return "its inner part is not a dense sum of the loops under the blockized loop";
    c *= ext;
  }
  for (const LinearTerm& term : form.terms()) {
    if (uses_any_var(term.atom, inner_vars)) continue;
    if (term.coeff % c != 0)
      return "the outer term '" + to_text(term.atom) + "' is not a multiple of " + std::to_string(c);
    outer.add_term(term.atom, term.coeff / c, order);
  }
  if (form.constant() % c != 0) return "its constant is not a multiple of " + std::to_string(c);
  outer.add_constant(form.constant() / c);
  int64_t outer_extent = (extent + c - 1) / c;
  Expr outer_value = outer.to_expr();
  Interval range = bound_of(outer_value, outer_domains);
  if (range.min < 0 || range.max >= outer_extent)
    return "its outer part " + to_text(outer_value) + " may leave [0, " + std::to_string(outer_extent) + ")";
  Var ov = make_var(iv.var->name + "_o", t), nv = make_var(iv.var->name + "_i", t);
  d->outer = IterVar{ov, {int_imm(0, t), int_imm(outer_extent, t)}, iv.kind};
  d->outer_value = outer_value;
  d->inner = IterVar{nv, {int_imm(0, t), int_imm(c, t)}, iv.kind};
  d->inner_value = inner.to_expr();
  d->replacement = var_expr(ov) * int_imm(c, t) + var_expr(nv);
  return "";
}

void split_conjuncts(const Expr& e, std::vector<Expr>* out) {
  if (const auto* b = e.as<BinaryNode>(); b && b->op == BinaryOp::And) {
    split_conjuncts(b->a, out);
    split_conjuncts(b->b, out);
  } else if (!is_const_true(e)) {
    out->push_back(e);
  }
}

Expr conjunction(const std::vector<Expr>& terms) {
  Expr out;
  for (const Expr& t : terms) out = out ? logical_and(out, t) : t;
  return out ? out : bool_imm(true);
}

VarDomains iter_domains(const std::vector<IterVar>& iters) {
  VarDomains d;
  for (const IterVar& iv : iters) {
    int64_t lo, extent;
    if (is_const_int(iv.dom.min, &lo) && is_const_int(iv.dom.extent, &extent) && extent >= 1)
      d[iv.var.get()] = Interval::from_extent(lo, extent);
  }
  return d;
}


// What an init reads and writes: point regions of its stores, or, when it holds
// blocks, their regions relaxed over the loops inside it.
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

std::string fresh_block_name(const PrimFunc& func, const std::string& base) {
  std::vector<std::string> names = all_block_names(func);
  std::set<std::string> used(names.begin(), names.end());
  std::string name = base;
  for (int k = 1; used.count(name); ++k) name = base + "_" + std::to_string(k);
  return name;
}

}  // namespace

Blockized blockize_func(const PrimFunc& func, const Var& loop_var, const char* primitive) {
  LoopSite site = *find_loop(func, loop_var.get());
  auto fail = [&](const std::string& msg) {
    throw ScheduleError(std::string(primitive) + ": " + msg + "\n  loop " + loop_var->name + ":\n" +
                        snippet(site.loop));
  };

  // ---- legality: a perfect nest around one block, iterators divisible --------------------
  size_t blocks = child_block_realizes(site.loop).size();
  if (blocks != 1) fail("loop " + loop_var->name + " must hold exactly one block, it holds " + std::to_string(blocks));
  std::vector<const ForNode*> chain;
  Stmt s = site.loop;
  while (const auto* f = s.as<ForNode>()) {
    chain.push_back(f);
    s = f->body;
  }
  const auto* realize = s.as<BlockRealizeNode>();
  if (!realize) fail("the loops under loop " + loop_var->name + " must be perfectly nested around the block");
  const BlockNode& block = *realize->block;
  VarSet inner_vars;
  VarDomains inner_domains;
  for (const ForNode* f : chain) {
    inner_vars.insert(f->loop_var.get());
    inner_domains[f->loop_var.get()] = Interval::from_extent(0, const_extent(*f, primitive));
  }
  VarDomains outer_domains = loop_domains(site.outer_loops);

  std::vector<IterVar> outer_iters, inner_iters;
  std::vector<Expr> outer_values, inner_values;
  VarMap replace;
  bool outer_reduces = false;
  for (size_t i = 0; i < block.iter_vars.size(); ++i) {
    const IterVar& iv = block.iter_vars[i];
    Division d;
    std::string why = divide(iv, realize->iter_values[i], inner_vars, inner_domains, outer_domains, &d);
    if (!why.empty())
      fail("cannot divide iterator '" + iv.var->name + "' of block '" + block.name +
           "' = " + to_text(realize->iter_values[i]) + " at loop " + loop_var->name + ": " + why);
    if (d.outer) {
      outer_iters.push_back(*d.outer);
      outer_values.push_back(d.outer_value);
      outer_reduces |= d.outer->kind == IterKind::Reduce;
    }
    if (d.inner) {
      inner_iters.push_back(*d.inner);
      inner_values.push_back(d.inner_value);
    }
    if (d.replacement) replace[iv.var.get()] = d.replacement;
  }
  std::vector<Expr> conjuncts, outer_conds, inner_conds;
  split_conjuncts(realize->predicate, &conjuncts);
  for (const Expr& c : conjuncts) (uses_any_var(c, inner_vars) ? inner_conds : outer_conds).push_back(c);
  Expr inner_predicate = conjunction(inner_conds);

  bool lift_init = block.init && outer_reduces;
  if (lift_init) {
    if (!inner_conds.empty())
      fail("block '" + block.name + "' has a predicate on the loops under " + loop_var->name +
           "; its init cannot move to the outer block");
    VarSet uses = vars_used(block.init);
    for (const IterVar& iv : block.iter_vars)
      if (iv.kind == IterKind::Reduce && uses.count(iv.var.get()))
        fail("the init of block '" + block.name + "' uses reduction iterator '" + iv.var->name + "'");
  }

  // ---- the inner block: the original with divided iterators -----------------------------
  BlockEdit edit;
  edit.iter_vars = inner_iters;
  edit.body = substitute(block.body, replace);
  edit.init = lift_init || !block.init ? Stmt() : substitute(block.init, replace);
  edit.reads = std::vector<BufferRegion>();
  for (const BufferRegion& r : block.reads) edit.reads->push_back(substitute(r, replace));
  edit.writes = std::vector<BufferRegion>();
  for (const BufferRegion& r : block.writes) edit.writes->push_back(substitute(r, replace));
  Block inner_block = edit_block(block, edit);
  Stmt inner_nest = make_block_realize(inner_values, inner_predicate, inner_block);
  for (size_t i = chain.size(); i-- > 0;) inner_nest = with_body(*chain[i], inner_nest);

  VarDomains outer_iter_domains = iter_domains(outer_iters);
  BlockAccess access = block_access_under(inner_nest, inner_block, outer_iter_domains);

  // ---- the lifted init: copies of the inner loops feeding inner spatial iterators ---------
  std::string outer_name = fresh_block_name(func, block.name + "_o");
  Stmt init_nest;
  if (lift_init) {
    VarSet spatial_uses;
    std::vector<IterVar> init_iters;
    std::vector<Expr> init_values;
    VarMap init_map;
    for (size_t i = 0; i < inner_iters.size(); ++i) {
      if (inner_iters[i].kind != IterKind::Spatial) continue;
      for (const Var& v : collect_vars(inner_values[i])) spatial_uses.insert(v.get());
    }
    VarMap loop_copies;
    std::vector<std::pair<const ForNode*, Var>> copies;
    for (const ForNode* f : chain) {
      if (!spatial_uses.count(f->loop_var.get())) continue;
      Var c = make_var(f->loop_var->name + "_init", f->loop_var->dtype);
      copies.push_back({f, c});
      loop_copies[f->loop_var.get()] = var_expr(c);
    }
    for (size_t i = 0; i < inner_iters.size(); ++i) {
      const IterVar& iv = inner_iters[i];
      if (iv.kind != IterKind::Spatial) continue;
      Var v = make_var(iv.var->name + "_init", iv.var->dtype);
      init_iters.push_back({v, iv.dom, IterKind::Spatial});
      init_values.push_back(substitute(inner_values[i], loop_copies));
      init_map[iv.var.get()] = var_expr(v);
    }
    Stmt init_body = substitute(substitute(block.init, replace), init_map);
    AccessRegions init_access = accesses_of(init_body);
    std::string init_name = fresh_block_name(func, block.name + "_init");
    Block init_block = make_block(init_name, init_iters, init_access.reads, init_access.writes, init_body);
    init_nest = make_block_realize(init_values, bool_imm(true), init_block);
    for (size_t i = copies.size(); i-- > 0;) {
      const ForNode& l = *copies[i].first;
      init_nest = make_for(copies[i].second, l.extent, l.for_kind, init_nest, l.thread_tag, l.annotations);
    }
    BlockAccess init_regions = block_access_under(init_nest, init_block, outer_iter_domains);
    access.reads.insert(access.reads.end(), init_regions.reads.begin(), init_regions.reads.end());
    access.writes.insert(access.writes.end(), init_regions.writes.begin(), init_regions.writes.end());
  }

  // ---- the outer block, realized where the loop was -----------------------------------
  Block outer_block = make_block(outer_name, outer_iters, merge_regions(access.reads, outer_iter_domains),
                                 merge_regions(access.writes, outer_iter_domains), inner_nest, init_nest);
  Stmt outer = make_block_realize(outer_values, conjunction(outer_conds), outer_block);
  return {replace_stmt(func, site.loop.get(), outer), outer_name};
}

BlockRV blockize(Schedule& sch, LoopRV loop_rv) {
  Blockized b = blockize_func(sch.func(), sch.loop_var(loop_rv), "blockize");
  sch.set_func(b.func);
  BlockRV result = sch.make_block_rv(b.outer_block);
  sch.record({"blockize", {Arg(loop_rv)}, {}, {RV{RVKind::Block, result.id}}, std::nullopt});
  return result;
}

namespace {
const RegisterInstruction kBlockize({"blockize", RVKind::Block, false, false,
                                     [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                        const std::optional<Arg>&) {
                                       ArgReader r("blockize", in, attrs);
                                       r.expect_count(1);
                                       BlockRV b = blockize(sch, r.loop(0));
                                       return std::vector<RV>{{RVKind::Block, b.id}};
                                     }});
}  // namespace

}  // namespace weft::sched
