#include "schedule/cache_stage.h"

#include <algorithm>

#include "ir/simplify.h"
#include "support/error.h"

namespace weft::sched {

using namespace ir;

namespace {

// Variants of `e` with one min (where `e` grows with it) or max (where `e` shrinks
// with it) replaced by each of its operands; both variants are >= e.
bool upper_variants(const Expr& e, bool increasing, Expr* x, Expr* y) {
  const auto* b = e.as<BinaryNode>();
  if (!b) return false;
  Expr xa, ya;
  int64_t c;
  switch (b->op) {
    case BinaryOp::Min:
    case BinaryOp::Max:
      if ((b->op == BinaryOp::Min) != increasing) return false;
      *x = b->a;
      *y = b->b;
      return true;
    case BinaryOp::Add:
      if (upper_variants(b->a, increasing, &xa, &ya)) {
        *x = xa + b->b;
        *y = ya + b->b;
        return true;
      }
      if (upper_variants(b->b, increasing, &xa, &ya)) {
        *x = b->a + xa;
        *y = b->a + ya;
        return true;
      }
      return false;
    case BinaryOp::Sub:
      if (upper_variants(b->a, increasing, &xa, &ya)) {
        *x = xa - b->b;
        *y = ya - b->b;
        return true;
      }
      if (upper_variants(b->b, !increasing, &xa, &ya)) {
        *x = b->a - xa;
        *y = b->a - ya;
        return true;
      }
      return false;
    case BinaryOp::Mul:
      if (is_const_int(b->b, &c) && c != 0 && upper_variants(b->a, increasing == (c > 0), &xa, &ya)) {
        *x = xa * b->b;
        *y = ya * b->b;
        return true;
      }
      return false;
    default: return false;
  }
}

// A constant upper bound of `e`. Interval analysis alone loses the relation
// between the ends of a clamped region (min(i*4 + 3, 13) - i*4 + 1 is at most 4),
// so mins and maxes are first split into their operands.
int64_t upper_bound(const Expr& e, const VarDomains& context, int depth = 0) {
  int64_t best = bound_of(e, context).max;
  Expr x, y;
  if (depth < 4 && upper_variants(e, true, &x, &y))
    best = std::min({best, upper_bound(simplify(x, context), context, depth + 1),
                     upper_bound(simplify(y, context), context, depth + 1)});
  return best;
}

// `v <= hi` as a conjunction, one conjunct per operand of the mins in `hi`;
// conjuncts that always hold are dropped (null when all are).
Expr upper_guard(const Expr& v, const Expr& hi, const VarDomains& domains) {
  if (const auto* m = hi.as<BinaryNode>(); m && m->op == BinaryOp::Min) {
    Expr a = upper_guard(v, m->a, domains), b = upper_guard(v, m->b, domains);
    return a && b ? logical_and(a, b) : (a ? a : b);
  }
  Expr g = simplify(le(v, hi), domains);
  return is_const_true(g) ? Expr() : g;
}

}  // namespace

std::optional<StageSite> find_stage_site(const BlockSite& site, const std::function<bool(const Stmt&)>& allowed) {
  // Inside a block only its own iterators and the loops under it are visible.
  VarDomains context;
  if (site.parent) {
    for (const IterVar& iv : site.parent.as<BlockRealizeNode>()->block->iter_vars) {
      int64_t min, extent;
      if (is_const_int(iv.dom.min, &min) && is_const_int(iv.dom.extent, &extent) && extent >= 1)
        context[iv.var.get()] = Interval::from_extent(min, extent);
    }
  }
  for (size_t depth = 0; depth <= site.loops.size(); ++depth) {
    Stmt outer = depth < site.loops.size() ? site.loops[depth] : site.realize;
    if (allowed(outer)) return StageSite{depth, outer, context};
    if (depth < site.loops.size()) {
      const auto& loop = *site.loops[depth].as<ForNode>();
      int64_t extent;
      if (is_const_int(loop.extent, &extent) && extent >= 1)
        context[loop.loop_var.get()] = Interval::from_extent(0, extent);
    }
  }
  return std::nullopt;
}

Stmt make_copy_stage(const std::string& name, const Buffer& src, const Buffer& dst, const BufferRegion& region,
                     const VarDomains& context) {
  WEFT_CHECK(src->shape == dst->shape && static_cast<int>(region.region.size()) == src->ndim(), InternalError,
             "make_copy_stage: buffers '" + src->name + "' and '" + dst->name + "' differ in shape");
  VarDomains domains = context;
  std::vector<Var> loop_vars;
  std::vector<int64_t> loop_extents;
  std::vector<IterVar> iters;
  std::vector<Expr> bindings, indices;
  Expr predicate;
  for (int d = 0; d < src->ndim(); ++d) {
    const Range& r = region.region[d];
    DType t = r.min.dtype();
    Var ax = make_var("ax" + std::to_string(d), t);
    Var v = make_var("v" + std::to_string(d), t);
    Expr extent = simplify(r.extent, context);
    int64_t e;
    bool guarded = !is_const_int(extent, &e);
    if (guarded) e = std::clamp<int64_t>(upper_bound(extent, context), 1, src->shape[d]);  // loop to the bound
    domains[ax.get()] = Interval::from_extent(0, e);
    Expr binding = simplify(r.min + var_expr(ax), domains);
    if (guarded) {  // and guard the rest
      Expr guard = upper_guard(binding, simplify(r.min + extent - 1, context), domains);
      if (guard) predicate = predicate ? logical_and(predicate, guard) : guard;
    }
    loop_vars.push_back(ax);
    loop_extents.push_back(e);
    iters.push_back({v, Range{int_imm(0, t), int_imm(src->shape[d], t)}, IterKind::Spatial});
    bindings.push_back(binding);
    indices.push_back(var_expr(v));
  }
  std::vector<Range> point;
  for (const Expr& i : indices) point.push_back({i, int_imm(1, i.dtype())});
  Block block = make_block(name, iters, {BufferRegion{src, point}}, {BufferRegion{dst, point}},
                           store(dst, load(src, indices), indices));
  Stmt out = make_block_realize(bindings, predicate ? simplify(predicate, domains) : bool_imm(true), block);
  for (size_t d = loop_vars.size(); d-- > 0;)
    out = make_for(loop_vars[d], int_imm(loop_extents[d], loop_vars[d]->dtype), ForKind::Serial, out);
  return out;
}

PrimFunc insert_stage(const PrimFunc& func, const std::string& block_name, size_t depth, const Stmt& stage, bool before,
                      const Buffer& cache) {
  std::optional<BlockSite> site = find_block(func, block_name);
  WEFT_CHECK(site && site->parent && depth <= site->loops.size(), InternalError,
             "insert_stage: no stage site at depth " + std::to_string(depth) + " above block '" + block_name + "'");
  std::string parent_name = site->parent.as<BlockRealizeNode>()->block->name;
  Stmt outer = depth < site->loops.size() ? site->loops[depth] : site->realize;
  PrimFunc staged = replace_stmt(func, outer.get(), before ? seq({stage, outer}) : seq({outer, stage}));

  BlockSite parent = *find_block(staged, parent_name);
  BlockEdit edit;
  std::vector<Buffer> allocs = parent.block().alloc_buffers;
  allocs.push_back(cache);
  edit.alloc_buffers = allocs;
  const BlockRealizeNode& br = parent.node();
  return replace_stmt(staged, parent.realize.get(),
                      make_block_realize(br.iter_values, br.predicate, edit_block(parent.block(), edit)));
}

std::string scope_word(const std::string& scope) {
  std::string out = scope;
  std::replace(out.begin(), out.end(), '.', '_');
  return out;
}

}  // namespace weft::sched
