// The expression simplifier: node visits, linear arithmetic, min/max,
// comparisons, logic and floats. Division rules are in simplify_divmod.cpp, the
// statement simplifier in simplify_stmt.cpp; simplifier.h maps the rules.
#include "ir/simplify.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "ir/const_fold.h"
#include "ir/simplifier.h"
#include "support/error.h"

namespace weft::ir {

namespace {

bool is_float_imm(const Expr& e, double value, bool negative_zero = false) {
  const auto* f = e.as<FloatImmNode>();
  return f && f->value == value && std::signbit(f->value) == negative_zero;
}

bool is_const_false(const Expr& e) {
  const auto* i = e.as<IntImmNode>();
  return i && e.dtype() == DType::boolean && i->value == 0;
}

Expr rebuild(const BinaryNode& n, const Expr& self, const Expr& a, const Expr& b) {
  return a.same_as(n.a) && b.same_as(n.b) ? self : binary(n.op, a, b);
}

}  // namespace

Expr detail::Simplifier::visit(const VarNode& n, const Expr& self) {
  auto it = domains_.find(&n);
  if (it != domains_.end() && it->second.is_point()) return int_imm(it->second.min, n.dtype);
  return self;
}

Expr detail::Simplifier::visit(const BinaryNode& n, const Expr& self) {
  Expr a = visit_expr(n.a), b = visit_expr(n.b);
  if (Expr f = fold_binary(n.op, a, b)) return f;
  DType t = a.dtype();
  if (is_logical(n.op)) return logical(n.op, a, b);
  if (is_comparison(n.op)) {
    if (is_int(t)) return compare_int(n.op, a, b);
    if (t == DType::boolean) return compare_bool(n, self, a, b);
    return rebuild(n, self, a, b);
  }
  if (is_float(t)) return float_arith(n, self, a, b);
  switch (n.op) {
    case BinaryOp::Add:
    case BinaryOp::Sub:
    case BinaryOp::Mul: return int_arith(n.op, a, b);
    case BinaryOp::FloorDiv:
    case BinaryOp::FloorMod: return int_divmod(n.op, a, b);
    case BinaryOp::Min:
    case BinaryOp::Max: return min_max(n.op, a, b);
    default: return rebuild(n, self, a, b);
  }
}

Expr detail::Simplifier::visit(const NotNode& n, const Expr& self) {
  Expr a = visit_expr(n.a);
  if (Expr f = fold_not(a)) return f;
  if (Expr r = negate(a)) return r;
  return a.same_as(n.a) ? self : logical_not(a);
}

Expr detail::Simplifier::visit(const CastNode& n, const Expr& self) {
  Expr v = visit_expr(n.value);
  if (v.dtype() == n.dtype) return v;
  if (Expr f = fold_cast(n.dtype, v)) return f;
  // cast(T, cast(U, x)) with x of type T is x when x survives the trip through U.
  if (const auto* inner = v.as<CastNode>(); inner && inner->value.dtype() == n.dtype) {
    DType u = v.dtype();
    const Expr& x = inner->value;
    if (is_int(n.dtype) && is_int(u)) {
      if (dtype_bytes(u) >= dtype_bytes(n.dtype)) return x;
      Interval range = u == DType::i32 ? Interval{INT32_MIN, INT32_MAX} : Interval{INT8_MIN, INT8_MAX};
      if (range.contains(bound(x))) return x;
    }
    if (n.dtype == DType::boolean && is_int(u)) return x;
  }
  return v.same_as(n.value) ? self : cast(n.dtype, v);
}

Expr detail::Simplifier::visit(const SelectNode& n, const Expr& self) {
  Expr c = visit_expr(n.cond);
  if (is_const_true(c)) return visit_expr(n.true_value);
  if (is_const_false(c)) return visit_expr(n.false_value);
  Expr t = visit_expr(n.true_value), f = visit_expr(n.false_value);
  if (order_.equal(t, f)) return t;
  if (t.dtype() == DType::boolean && is_const_true(t) && is_const_false(f)) return c;
  if (t.dtype() == DType::boolean && is_const_false(t) && is_const_true(f)) return visit_expr(logical_not(c));
  if (c.same_as(n.cond) && t.same_as(n.true_value) && f.same_as(n.false_value)) return self;
  return select(c, t, f);
}

Expr detail::Simplifier::visit(const CallNode& n, const Expr& self) {
  std::vector<Expr> args;
  bool changed = false;
  for (const Expr& a : n.args) {
    args.push_back(visit_expr(a));
    changed |= !args.back().same_as(a);
  }
  if (Expr f = fold_call(n.func, args)) return f;
  return changed ? call(n.func, args) : self;
}

Expr detail::Simplifier::visit(const BufferLoadNode& n, const Expr& self) {
  std::vector<Expr> idx;
  bool changed = false;
  for (const Expr& i : n.indices) {
    idx.push_back(visit_expr(i));
    changed |= !idx.back().same_as(i);
  }
  return changed ? load(n.buffer, idx) : self;
}

Expr detail::Simplifier::int_arith(BinaryOp op, const Expr& a, const Expr& b) {
  LinearForm la = linear(a), lb = linear(b);
  if (op == BinaryOp::Add || op == BinaryOp::Sub) {
    la.add(lb, op == BinaryOp::Add ? 1 : -1, order_);
    return normalize_sum(std::move(la));
  }
  if (lb.is_constant()) {
    la.scale(lb.constant());
    return normalize_sum(std::move(la));
  }
  if (la.is_constant()) {
    lb.scale(la.constant());
    return normalize_sum(std::move(lb));
  }
  return product(a, la, b, lb);
}

// A product of two non-constant factors: coefficients are pulled out and the
// factors of the (flattened) product sorted, so i*j and j*i agree.
Expr detail::Simplifier::product(const Expr& a, const LinearForm& la, const Expr& b, const LinearForm& lb) {
  int64_t coeff = 1;
  std::vector<Expr> factors;
  std::function<void(const Expr&)> flatten = [&](const Expr& x) {
    const auto* m = x.as<BinaryNode>();
    if (m && m->op == BinaryOp::Mul && !is_const_int(m->a) && !is_const_int(m->b)) {
      flatten(m->a);
      flatten(m->b);
    } else {
      factors.push_back(x);
    }
  };
  for (const auto& [x, lx] : {std::pair<const Expr&, const LinearForm&>{a, la}, {b, lb}}) {
    if (lx.constant() == 0 && lx.terms().size() == 1) {
      coeff = wrap_mul(coeff, lx.terms()[0].coeff, a.dtype());
      flatten(lx.terms()[0].atom);
    } else {
      factors.push_back(x);
    }
  }
  std::stable_sort(factors.begin(), factors.end(), [&](const Expr& x, const Expr& y) { return order_.less(x, y); });
  Expr atom = factors[0];
  for (size_t i = 1; i < factors.size(); ++i) atom = binary(BinaryOp::Mul, atom, factors[i]);
  LinearForm r(a.dtype());
  r.add_term(atom, coeff, order_);
  return r.to_expr();
}

// Bounds of a - b, through the linear form so that shared terms cancel.
Interval detail::Simplifier::difference_bound(const Expr& a, const Expr& b) {
  LinearForm d = linear(a);
  d.add(linear(b), -1, order_);
  recombine_all(d);
  return bound(d.to_expr());
}

Expr detail::Simplifier::min_max(BinaryOp op, Expr a, Expr b) {
  if (order_.equal(a, b)) return a;
  bool is_min = op == BinaryOp::Min;
  Interval d = difference_bound(a, b);
  if (d.has_upper() && d.max <= 0) return is_min ? a : b;
  if (d.has_lower() && d.min >= 0) return is_min ? b : a;
  if (order_.less(b, a)) std::swap(a, b);
  // min(min(x, c1), c2) -> min(x, min(c1, c2))
  const auto* inner = a.as<BinaryNode>();
  if (inner && inner->op == op && is_const_int(inner->b) && is_const_int(b))
    return min_max(op, inner->a, fold_binary(op, inner->b, b));
  return binary(op, a, b);
}

Expr detail::Simplifier::compare_int(BinaryOp op, Expr a, Expr b) {
  if (op == BinaryOp::GT || op == BinaryOp::GE) {  // a > b is b < a
    std::swap(a, b);
    op = op == BinaryOp::GT ? BinaryOp::LT : BinaryOp::LE;
  }
  LinearForm d = linear(a);
  d.add(linear(b), -1, order_);
  recombine_all(d);
  Interval r = bound(d.to_expr());
  bool neg = r.has_upper() && r.max < 0, pos = r.has_lower() && r.min > 0;
  bool nonpos = r.has_upper() && r.max <= 0, nonneg = r.has_lower() && r.min >= 0;
  switch (op) {
    case BinaryOp::LT:
      if (neg || nonneg) return bool_imm(neg);
      break;
    case BinaryOp::LE:
      if (nonpos || pos) return bool_imm(nonpos);
      break;
    case BinaryOp::EQ:
    case BinaryOp::NE:
      if (r.is_point() && r.min == 0) return bool_imm(op == BinaryOp::EQ);
      if (neg || pos) return bool_imm(op == BinaryOp::NE);
      // a == b and b == a agree: the first term in ExprOrder gets a positive sign.
      if (!d.terms().empty() && d.terms()[0].coeff < 0) d.scale(-1);
      break;
    default: break;
  }
  // d op 0, written with the positive terms on the left: `pos op neg - const`.
  DType t = d.dtype();
  LinearForm lhs(t), rhs(t);
  for (const LinearTerm& term : d.terms()) {
    if (term.coeff > 0) lhs.add_term(term.atom, term.coeff, order_);
    else rhs.add_term(term.atom, wrap_mul(term.coeff, -1, t), order_);
  }
  if (lhs.is_constant()) lhs.add_constant(d.constant());
  else rhs.add_constant(wrap_mul(d.constant(), -1, t));
  return binary(op, lhs.to_expr(), rhs.to_expr());
}

Expr detail::Simplifier::compare_bool(const BinaryNode& n, const Expr& self, const Expr& a, const Expr& b) {
  if (n.op == BinaryOp::EQ || n.op == BinaryOp::NE) {
    bool eq = n.op == BinaryOp::EQ;
    if (order_.equal(a, b)) return bool_imm(eq);
    for (const auto& [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
      if (const auto* i = y.as<IntImmNode>()) {  // x == true -> x, x == false -> !x, ...
        bool keep = (i->value != 0) == eq;
        return keep ? x : visit_expr(logical_not(x));
      }
    }
  }
  return rebuild(n, self, a, b);
}

Expr detail::Simplifier::logical(BinaryOp op, const Expr& a, const Expr& b) {
  // Operands are never reordered: && and || short-circuit, so `i < n && A[i]`
  // must keep its guard first.
  bool is_and = op == BinaryOp::And;
  for (const Expr* x : {&a, &b}) {
    if (is_const_true(*x)) return is_and ? (x == &a ? b : a) : bool_imm(true);
    if (is_const_false(*x)) return is_and ? bool_imm(false) : (x == &a ? b : a);
  }
  if (order_.equal(a, b)) return a;
  return binary(op, a, b);
}

// The simplified negation of a simplified condition, or null.
Expr detail::Simplifier::negate(const Expr& a) {
  if (const auto* n = a.as<NotNode>()) return n->a;
  const auto* c = a.as<BinaryNode>();
  if (!c || !is_comparison(c->op)) return Expr();
  switch (c->op) {
    case BinaryOp::EQ: return binary(BinaryOp::NE, c->a, c->b);
    case BinaryOp::NE: return binary(BinaryOp::EQ, c->a, c->b);
    default: break;
  }
  if (!is_int(c->a.dtype())) return Expr();  // !(x < y) is not y <= x when x is NaN
  switch (c->op) {
    case BinaryOp::LT: return compare_int(BinaryOp::LE, c->b, c->a);
    case BinaryOp::LE: return compare_int(BinaryOp::LT, c->b, c->a);
    case BinaryOp::GT: return compare_int(BinaryOp::LE, c->a, c->b);
    case BinaryOp::GE: return compare_int(BinaryOp::LT, c->a, c->b);
    default: return Expr();
  }
}

Expr detail::Simplifier::float_arith(const BinaryNode& n, const Expr& self, const Expr& a, const Expr& b) {
  switch (n.op) {
    case BinaryOp::Add:  // x + (-0.0) is x for every x; x + 0.0 is not (-0.0 + 0.0 is 0.0)
      if (is_float_imm(b, 0.0, true)) return a;
      if (is_float_imm(a, 0.0, true)) return b;
      break;
    case BinaryOp::Sub:
      if (is_float_imm(b, 0.0)) return a;
      break;
    case BinaryOp::Mul:
      if (is_float_imm(b, 1.0)) return a;
      if (is_float_imm(a, 1.0)) return b;
      break;
    case BinaryOp::Div:
      if (is_float_imm(b, 1.0)) return a;
      break;
    case BinaryOp::Min:
    case BinaryOp::Max:
      if (order_.equal(a, b)) return a;
      break;
    default: break;
  }
  return rebuild(n, self, a, b);
}

Expr simplify(const Expr& e, const VarDomains& domains) {
  WEFT_CHECK(static_cast<bool>(e), InternalError, "simplify of a null expression");
  ExprOrder order;
  order.note(e);
  detail::Simplifier s(domains, order);
  Expr out = s.run(e);
  WEFT_CHECK(out.dtype() == e.dtype(), InternalError,
             "simplify changed a " + std::string(dtype_name(e.dtype())) + " expression into " +
                 std::string(dtype_name(out.dtype())));
  return out;
}

}  // namespace weft::ir
