// Internal to the simplifier (simplify.cpp, simplify_divmod.cpp): the expression
// rewriter behind simplify(). Use ir/simplify.h instead.
//
// Map of the rules:
//   visit(...)                      bottom-up: children first, then the node's rules
//   int_arith / product             +, -, * through the linear form      simplify.cpp
//   min_max / compare_int           decided by bounds of a - b, else canonical
//   logical / negate / float_arith  boolean rules; IEEE-exact float identities
//   recombine                       (x // c)*c + x % c -> x and friends   simplify_divmod.cpp
//   div_const / mod_const           floordiv / floormod by a positive constant
#pragma once

#include "ir/expr_order.h"
#include "ir/functor.h"
#include "ir/interval.h"
#include "ir/linear_form.h"

namespace weft::ir::detail {

class Simplifier : public ExprFunctor<Expr> {
 public:
  Simplifier(const VarDomains& domains, const ExprOrder& order) : domains_(domains), order_(order) {}
  Expr run(const Expr& e) { return visit_expr(e); }

 protected:
  Expr visit(const VarNode& n, const Expr& self) override;
  Expr visit(const IntImmNode&, const Expr& self) override { return self; }
  Expr visit(const FloatImmNode&, const Expr& self) override { return self; }
  Expr visit(const BinaryNode& n, const Expr& self) override;
  Expr visit(const NotNode& n, const Expr& self) override;
  Expr visit(const CastNode& n, const Expr& self) override;
  Expr visit(const SelectNode& n, const Expr& self) override;
  Expr visit(const CallNode& n, const Expr& self) override;
  Expr visit(const BufferLoadNode& n, const Expr& self) override;

 private:
  Interval bound(const Expr& e) const { return bound_of(e, domains_); }
  LinearForm linear(const Expr& e) const { return LinearForm::of(e, order_); }

  // simplify.cpp
  Expr int_arith(BinaryOp op, const Expr& a, const Expr& b);
  Expr product(const Expr& a, const LinearForm& la, const Expr& b, const LinearForm& lb);
  Interval difference_bound(const Expr& a, const Expr& b);
  Expr min_max(BinaryOp op, Expr a, Expr b);
  Expr compare_int(BinaryOp op, Expr a, Expr b);
  Expr compare_bool(const BinaryNode& n, const Expr& self, const Expr& a, const Expr& b);
  Expr logical(BinaryOp op, const Expr& a, const Expr& b);
  Expr negate(const Expr& a);
  Expr float_arith(const BinaryNode& n, const Expr& self, const Expr& a, const Expr& b);

  // simplify_divmod.cpp
  Expr normalize_sum(LinearForm f);
  bool recombine_all(LinearForm& f);
  bool recombine(LinearForm& f);
  Expr int_divmod(BinaryOp op, const Expr& a, const Expr& b);
  void split_and_recombine(const LinearForm& f, int64_t c, LinearForm* q, LinearForm* r);
  bool one_period(const LinearForm& r, int64_t c, int64_t* k) const;
  bool split_aligned(const LinearForm& r, int64_t c, LinearForm* p, LinearForm* b, int64_t* g) const;
  Expr div_const(LinearForm f, int64_t c);
  Expr mod_const(LinearForm f, int64_t c);

  const VarDomains& domains_;
  const ExprOrder& order_;
  // A cap on the `% c` reductions per simplify() call: each one shrinks the
  // expression, the cap only guards against a rule cycle nobody has found.
  static constexpr int kMaxReductions = 256;
  int reductions_ = 0;
};

}  // namespace weft::ir::detail
