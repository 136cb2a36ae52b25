#include "ir/region.h"

#include <algorithm>
#include <functional>
#include <optional>

#include "ir/expr_order.h"
#include "ir/linear_form.h"
#include "ir/simplify.h"
#include "ir/substitute.h"
#include "support/error.h"

namespace weft::ir {

namespace {

// Inclusive symbolic bounds; a null side is unbounded.
struct SymBound {
  Expr lo, hi;
};

Expr smin(const Expr& a, const Expr& b) { return (a && b) ? min(a, b) : Expr(); }
Expr smax(const Expr& a, const Expr& b) { return (a && b) ? max(a, b) : Expr(); }
Expr first_of(const Expr& a, const Expr& b) { return a ? a : b; }

class Relaxer {
 public:
  Relaxer(const VarDomains& relaxed, const VarDomains& context) : context_(context), all_(context) {
    for (const auto& [var, dom] : relaxed) {
      all_[var] = dom;
      relaxed_.insert(var);
    }
  }

  // Bounds of `e` over the relaxed variables, simplified with the context.
  SymBound relax(const Expr& e) {
    Expr s = simplify(e, all_);
    if (!uses_any_var(s, relaxed_)) return {s, s};
    ExprOrder order;
    order.note(s);
    LinearForm f = LinearForm::of(s, order);
    DType t = s.dtype();
    LinearForm lo(t, f.constant()), hi(t, f.constant());
    bool has_lo = true, has_hi = true;
    for (const LinearTerm& term : f.terms()) {
      if (!uses_any_var(term.atom, relaxed_)) {
        lo.add_term(term.atom, term.coeff, order);
        hi.add_term(term.atom, term.coeff, order);
        continue;
      }
      SymBound b = relax_atom(term.atom);
      const Expr& low_end = term.coeff > 0 ? b.lo : b.hi;
      const Expr& high_end = term.coeff > 0 ? b.hi : b.lo;
      if (low_end) lo.add(LinearForm::of(low_end, order), term.coeff, order);
      else has_lo = false;
      if (high_end) hi.add(LinearForm::of(high_end, order), term.coeff, order);
      else has_hi = false;
    }
    return {has_lo ? simplify(lo.to_expr(), context_) : Expr(), has_hi ? simplify(hi.to_expr(), context_) : Expr()};
  }

 private:
  SymBound relax_atom(const Expr& atom) {
    DType t = atom.dtype();
    if (const auto* b = atom.as<BinaryNode>()) {
      int64_t c;
      switch (b->op) {
        case BinaryOp::FloorDiv:
          if (is_const_int(b->b, &c) && c != 0) {  // monotone in the dividend
            SymBound x = relax(b->a);
            auto div = [&](const Expr& v) { return v ? simplify(floordiv(v, int_imm(c, t)), context_) : Expr(); };
            return c > 0 ? SymBound{div(x.lo), div(x.hi)} : SymBound{div(x.hi), div(x.lo)};
          }
          break;
        case BinaryOp::FloorMod:
          if (is_const_int(b->b, &c) && c > 0) {  // exact when both ends lie in one period
            SymBound x = relax(b->a);
            if (x.lo && x.hi) {
              Expr c_imm = int_imm(c, t);
              int64_t periods;
              if (is_const_int(simplify(floordiv(x.hi, c_imm) - floordiv(x.lo, c_imm), context_), &periods) &&
                  periods == 0)
                return {simplify(floormod(x.lo, c_imm), context_), simplify(floormod(x.hi, c_imm), context_)};
            }
          }
          break;
        case BinaryOp::Min: {
          SymBound x = relax(b->a), y = relax(b->b);
          return {smin(x.lo, y.lo), x.hi && y.hi ? min(x.hi, y.hi) : first_of(x.hi, y.hi)};
        }
        case BinaryOp::Max: {
          SymBound x = relax(b->a), y = relax(b->b);
          return {x.lo && y.lo ? max(x.lo, y.lo) : first_of(x.lo, y.lo), smax(x.hi, y.hi)};
        }
        case BinaryOp::Mul: {  // a product with one factor free of relaxed variables
          bool a_free = !uses_any_var(b->a, relaxed_), b_free = !uses_any_var(b->b, relaxed_);
          if (a_free == b_free) break;
          const Expr& factor = a_free ? b->a : b->b;
          SymBound x = relax(a_free ? b->b : b->a);
          Interval sign = bound_of(factor, all_);
          auto scale = [&](const Expr& v) { return v ? v * factor : Expr(); };
          if (sign.min >= 0) return {scale(x.lo), scale(x.hi)};
          if (sign.has_upper() && sign.max <= 0) return {scale(x.hi), scale(x.lo)};
          break;
        }
        default: break;
      }
    } else if (const auto* s = atom.as<SelectNode>()) {
      SymBound x = relax(s->true_value), y = relax(s->false_value);
      return {smin(x.lo, y.lo), smax(x.hi, y.hi)};
    }
    return numeric(atom);
  }

  SymBound numeric(const Expr& e) const {
    Interval r = bound_of(e, all_);
    DType t = e.dtype();
    return {r.has_lower() ? int_imm(r.min, t) : Expr(), r.has_upper() ? int_imm(r.max, t) : Expr()};
  }

  const VarDomains& context_;
  VarDomains all_;  // context and relaxed domains together
  VarSet relaxed_;
};

// Region dimension [lo, hi] (null sides open) clamped to [0, size).
Range clamp_range(const Expr& lo, const Expr& hi, int64_t size, DType t, const VarDomains& context) {
  Expr zero = int_imm(0, t), last = int_imm(size - 1, t);
  Expr l = lo ? lo : zero, h = hi ? hi : last;
  if (bound_of(l, context).min < 0) l = simplify(max(l, zero), context);
  Interval hb = bound_of(h, context);
  if (!hb.has_upper() || hb.max > size - 1) h = simplify(min(h, last), context);
  return {l, simplify(h - l + 1, context)};
}

}  // namespace

BufferRegion relax_region(const BufferRegion& region, const VarDomains& relaxed, const VarDomains& context,
                          bool clamp) {
  WEFT_CHECK(region.buffer != nullptr && static_cast<int>(region.region.size()) == region.buffer->ndim(),
             InternalError, "relax_region of a malformed region");
  Relaxer relaxer(relaxed, context);
  BufferRegion out{region.buffer, {}};
  for (size_t d = 0; d < region.region.size(); ++d) {
    const Range& r = region.region[d];
    SymBound first = relaxer.relax(r.min);
    SymBound last = relaxer.relax(r.min + r.extent - 1);
    if (clamp || !first.lo || !last.hi)
      out.region.push_back(clamp_range(first.lo, last.hi, region.buffer->shape[d], r.min.dtype(), context));
    else
      out.region.push_back({first.lo, simplify(last.hi - first.lo + 1, context)});
  }
  return out;
}

BufferRegion region_union(const BufferRegion& a, const BufferRegion& b, const VarDomains& context) {
  WEFT_CHECK(a.buffer == b.buffer && a.region.size() == b.region.size(), InternalError,
             "region_union of regions of different buffers ('" + (a.buffer ? a.buffer->name : "?") + "' and '" +
                 (b.buffer ? b.buffer->name : "?") + "')");
  BufferRegion out{a.buffer, {}};
  for (size_t d = 0; d < a.region.size(); ++d) {
    const Range &x = a.region[d], &y = b.region[d];
    Expr lo = simplify(min(x.min, y.min), context);
    Expr hi = simplify(max(x.min + x.extent - 1, y.min + y.extent - 1), context);
    out.region.push_back({lo, simplify(hi - lo + 1, context)});
  }
  return out;
}

std::vector<BufferRegion> merge_regions(const std::vector<BufferRegion>& regions, const VarDomains& context) {
  std::vector<BufferRegion> out;
  for (const BufferRegion& r : regions) {
    auto it = std::find_if(out.begin(), out.end(), [&](const BufferRegion& o) { return o.buffer == r.buffer; });
    if (it == out.end()) out.push_back(r);
    else *it = region_union(*it, r, context);
  }
  return out;
}

BlockAccess block_access(const BlockRealizeNode& realize, const VarDomains& relaxed, const VarDomains& context) {
  const BlockNode& b = *realize.block;
  VarMap bindings;
  for (size_t i = 0; i < b.iter_vars.size(); ++i) bindings[b.iter_vars[i].var.get()] = realize.iter_values[i];
  BlockAccess out;
  for (const BufferRegion& r : b.reads) out.reads.push_back(relax_region(substitute(r, bindings), relaxed, context));
  for (const BufferRegion& r : b.writes) out.writes.push_back(relax_region(substitute(r, bindings), relaxed, context));
  return out;
}

namespace {

// Walks down from a scope, keeping the loops and the bindings of the blocks passed.
class PathWalker {
 public:
  using Visit = std::function<void(const Stmt&)>;
  explicit PathWalker(Visit on_node) : on_node_(std::move(on_node)) {}

  std::vector<const ForNode*> loops;
  std::vector<VarMap> block_bindings;  // outermost first

  void walk(const Stmt& s) {
    if (!s) return;
    on_node_(s);
    if (const auto* f = s.as<ForNode>()) {
      loops.push_back(f);
      walk(f->body);
      loops.pop_back();
    } else if (const auto* br = s.as<BlockRealizeNode>()) {
      VarMap m;
      for (size_t i = 0; i < br->iter_values.size(); ++i) m[br->block->iter_vars[i].var.get()] = br->iter_values[i];
      block_bindings.push_back(std::move(m));
      walk(br->block->init);
      walk(br->block->body);
      block_bindings.pop_back();
    } else if (const auto* sq = s.as<SeqStmtNode>()) {
      for (const Stmt& c : sq->seq) walk(c);
    } else if (const auto* ite = s.as<IfThenElseNode>()) {
      walk(ite->then_case);
      walk(ite->else_case);
    }
  }

  // Domains of the loops on the current path, each extent bounded with `base` and
  // the loops outside it.
  VarDomains loop_domains(const VarDomains& base) const {
    VarDomains out;
    VarDomains known = base;
    for (const ForNode* f : loops) {
      Interval e = bound_of(simplify(f->extent, known), known);
      Interval dom{0, e.has_upper() ? std::max<int64_t>(e.max - 1, 0) : Interval::kPosInf};
      out[f->loop_var.get()] = dom;
      known[f->loop_var.get()] = dom;
    }
    return out;
  }

 private:
  Visit on_node_;
};

}  // namespace

BlockAccess block_access_under(const Stmt& scope, const Block& target, const VarDomains& outer) {
  WEFT_CHECK(target != nullptr, InternalError, "block_access_under of a null block");
  std::optional<BlockAccess> result;
  PathWalker* walker_ptr = nullptr;
  PathWalker walker([&](const Stmt& s) {
    const auto* br = s.as<BlockRealizeNode>();
    if (!br || br->block != target) return;
    VarDomains relaxed = walker_ptr->loop_domains(outer);
    // The realize's own bindings first, then those of the enclosing blocks, inner to outer.
    VarMap own;
    for (size_t i = 0; i < br->iter_values.size(); ++i) own[target->iter_vars[i].var.get()] = br->iter_values[i];
    auto resolve = [&](BufferRegion r) {
      r = substitute(r, own);
      for (auto it = walker_ptr->block_bindings.rbegin(); it != walker_ptr->block_bindings.rend(); ++it)
        r = substitute(r, *it);
      return relax_region(r, relaxed, outer);
    };
    BlockAccess acc;
    for (const BufferRegion& r : target->reads) acc.reads.push_back(resolve(r));
    for (const BufferRegion& r : target->writes) acc.writes.push_back(resolve(r));
    if (!result) {
      result = std::move(acc);
      return;
    }
    for (size_t i = 0; i < acc.reads.size(); ++i) result->reads[i] = region_union(result->reads[i], acc.reads[i], outer);
    for (size_t i = 0; i < acc.writes.size(); ++i)
      result->writes[i] = region_union(result->writes[i], acc.writes[i], outer);
  });
  walker_ptr = &walker;
  walker.walk(scope);
  WEFT_CHECK(result.has_value(), InternalError, "block '" + target->name + "' is not realized under the given scope");
  return std::move(*result);
}

VarDomains enclosing_loop_domains(const Stmt& root, const Stmt& node) {
  std::optional<VarDomains> found;
  PathWalker* walker_ptr = nullptr;
  PathWalker walker([&](const Stmt& s) {
    if (!found && s.same_as(node)) found = walker_ptr->loop_domains({});
  });
  walker_ptr = &walker;
  walker.walk(root);
  return found ? *found : VarDomains{};
}

}  // namespace weft::ir
