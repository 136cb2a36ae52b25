#include "ir/linear_form.h"

#include <algorithm>
#include <numeric>

#include "ir/interp_numeric.h"
#include "support/error.h"

namespace weft::ir {

int64_t wrap_add(int64_t a, int64_t b, DType dtype) { return interp::wrap_int(interp::wrapping_add(a, b), dtype); }
int64_t wrap_mul(int64_t a, int64_t b, DType dtype) { return interp::wrap_int(interp::wrapping_mul(a, b), dtype); }

LinearForm::LinearForm(DType dtype, int64_t constant) : dtype_(dtype), constant_(0) {
  WEFT_CHECK(is_int(dtype), InternalError, "linear form of a non-integer type");
  constant_ = wrap(constant);
}

int64_t LinearForm::wrap(int64_t v) const { return interp::wrap_int(v, dtype_); }

LinearForm LinearForm::of(const Expr& e, const ExprOrder& order) {
  LinearForm f(e.dtype());
  // An explicit stack instead of recursion: (expression, multiplier) pairs.
  std::vector<std::pair<Expr, int64_t>> todo{{e, 1}};
  while (!todo.empty()) {
    auto [x, k] = todo.back();
    todo.pop_back();
    int64_t c;
    if (is_const_int(x, &c)) {
      f.add_constant(wrap_mul(c, k, f.dtype_));
      continue;
    }
    if (const auto* b = x.as<BinaryNode>()) {
      if (b->op == BinaryOp::Add || b->op == BinaryOp::Sub) {
        todo.push_back({b->a, k});
        todo.push_back({b->b, b->op == BinaryOp::Add ? k : wrap_mul(k, -1, f.dtype_)});
        continue;
      }
      if (b->op == BinaryOp::Mul && is_const_int(b->b, &c)) {
        todo.push_back({b->a, wrap_mul(k, c, f.dtype_)});
        continue;
      }
      if (b->op == BinaryOp::Mul && is_const_int(b->a, &c)) {
        todo.push_back({b->b, wrap_mul(k, c, f.dtype_)});
        continue;
      }
    }
    f.add_term(x, k, order);
  }
  return f;
}

void LinearForm::add_constant(int64_t c) { constant_ = wrap_add(constant_, c, dtype_); }

void LinearForm::add_term(const Expr& atom, int64_t coeff, const ExprOrder& order) {
  coeff = wrap(coeff);
  if (coeff == 0) return;
  auto it = std::lower_bound(terms_.begin(), terms_.end(), atom,
                             [&](const LinearTerm& t, const Expr& a) { return order.less(t.atom, a); });
  if (it != terms_.end() && order.equal(it->atom, atom)) {
    it->coeff = wrap_add(it->coeff, coeff, dtype_);
    if (it->coeff == 0) terms_.erase(it);
    return;
  }
  terms_.insert(it, {atom, coeff});
}

void LinearForm::add(const LinearForm& other, int64_t scale, const ExprOrder& order) {
  for (const LinearTerm& t : other.terms_) add_term(t.atom, wrap_mul(t.coeff, scale, dtype_), order);
  add_constant(wrap_mul(other.constant_, scale, dtype_));
}

void LinearForm::scale(int64_t k) {
  constant_ = wrap_mul(constant_, k, dtype_);
  for (LinearTerm& t : terms_) t.coeff = wrap_mul(t.coeff, k, dtype_);
  std::erase_if(terms_, [](const LinearTerm& t) { return t.coeff == 0; });
}

void LinearForm::remove_term(size_t index) { terms_.erase(terms_.begin() + static_cast<std::ptrdiff_t>(index)); }

void LinearForm::divide_exact(int64_t g) {
  WEFT_CHECK(g > 0, InternalError, "linear form divided by a non-positive number");
  auto check = [g](int64_t v) {
    WEFT_CHECK(v % g == 0, InternalError, "linear form divided by a non-divisor " + std::to_string(g));
    return v / g;
  };
  constant_ = check(constant_);
  for (LinearTerm& t : terms_) t.coeff = check(t.coeff);
}

int64_t LinearForm::content() const {
  // std::gcd of INT64_MIN is undefined; such coefficients only arise from wrapped
  // i64 arithmetic, and 1 is always a safe answer.
  auto magnitude = [](int64_t v) { return v == INT64_MIN ? int64_t{1} : (v < 0 ? -v : v); };
  int64_t g = magnitude(constant_);
  for (const LinearTerm& t : terms_) g = std::gcd(g, magnitude(t.coeff));
  return g;
}

Expr LinearForm::to_expr() const {
  std::vector<LinearTerm> order = terms_;
  std::stable_sort(order.begin(), order.end(),
                   [](const LinearTerm& a, const LinearTerm& b) { return a.coeff > b.coeff; });
  // The most negative value of the dtype has no negation to subtract.
  int64_t lowest = dtype_ == DType::i64 ? INT64_MIN : dtype_ == DType::i32 ? INT32_MIN : INT8_MIN;
  auto imm = [this](int64_t v) { return int_imm(v, dtype_); };
  auto scaled = [&](const Expr& atom, int64_t c) { return c == 1 ? atom : binary(BinaryOp::Mul, atom, imm(c)); };
  // Appends `c * x` (x null for the constant) to acc, subtracting when c < 0.
  auto append = [&](Expr acc, const Expr& atom, int64_t c) -> Expr {
    bool subtract = c < 0 && c != lowest;
    int64_t mag = subtract ? -c : c;
    Expr part = atom ? scaled(atom, mag) : imm(mag);
    return binary(subtract ? BinaryOp::Sub : BinaryOp::Add, std::move(acc), part);
  };

  Expr acc;
  size_t next = 0;
  if (!order.empty() && order[0].coeff > 0) {
    acc = scaled(order[0].atom, order[0].coeff);
    next = 1;
  } else if (constant_ > 0 || order.empty()) {
    acc = imm(constant_);
    for (const LinearTerm& t : order) acc = append(acc, t.atom, t.coeff);
    return acc;
  } else {
    acc = scaled(order[0].atom, order[0].coeff);  // all coefficients negative
    next = 1;
  }
  for (size_t i = next; i < order.size(); ++i) acc = append(acc, order[i].atom, order[i].coeff);
  if (constant_ != 0) acc = append(acc, Expr(), constant_);
  return acc;
}

}  // namespace weft::ir
