// Division rules of the simplifier: floordiv/floormod by constants, and the
// recombination of split indices in sums ((x // c)*c + x % c -> x).
#include <algorithm>
#include <numeric>

#include "ir/interp_numeric.h"
#include "ir/simplifier.h"

namespace weft::ir {

namespace {

using interp::floor_div;
using interp::floor_mod;

// a*b when it is positive and fits in `dtype` (to become a divisor), 0 otherwise.
int64_t checked_positive_mul(int64_t a, int64_t b, DType dtype) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r) || r <= 0 || interp::wrap_int(r, dtype) != r) return 0;
  return r;
}

// The constant divisor of `e` if it is `x // c` (op FloorDiv) or `x % c` (FloorMod)
// with c > 0; sets *x.
int64_t const_divisor(const Expr& e, BinaryOp op, Expr* x) {
  const auto* b = e.as<BinaryNode>();
  int64_t c;
  if (!b || b->op != op || !is_const_int(b->b, &c) || c <= 0) return 0;
  *x = b->a;
  return c;
}

void remove_pair(LinearForm& f, size_t i, size_t j) {
  f.remove_term(std::max(i, j));
  f.remove_term(std::min(i, j));
}

// Splits f into q*c + r: a term (or the constant) moves to q when its coefficient
// is a multiple of c or at least c; r keeps the rest.
void split_by(const LinearForm& f, int64_t c, LinearForm* q, LinearForm* r, const ExprOrder& order) {
  auto moves = [c](int64_t v) { return v % c == 0 || v >= c; };
  for (const LinearTerm& t : f.terms()) {
    if (moves(t.coeff)) {
      q->add_term(t.atom, floor_div(t.coeff, c), order);
      r->add_term(t.atom, floor_mod(t.coeff, c), order);
    } else {
      r->add_term(t.atom, t.coeff, order);
    }
  }
  int64_t k = f.constant();
  if (moves(k)) {
    q->add_constant(floor_div(k, c));
    r->add_constant(floor_mod(k, c));
  } else {
    r->add_constant(k);
  }
}

}  // namespace

Expr detail::Simplifier::normalize_sum(LinearForm f) {
  recombine_all(f);
  return f.to_expr();
}

// True if anything was rewritten.
bool detail::Simplifier::recombine_all(LinearForm& f) {
  int rounds = 0;
  while (rounds < 64 && recombine(f)) ++rounds;
  return rounds > 0;
}

// split_by, then recombine the remainder; a rewrite there can bring new
// multiples of c (x - (x // c)*c becomes x % c), so split again until stable.
void detail::Simplifier::split_and_recombine(const LinearForm& f, int64_t c, LinearForm* q, LinearForm* r) {
  split_by(f, c, q, r, order_);
  for (int round = 0; round < 8 && recombine_all(*r); ++round) {
    LinearForm q2(f.dtype()), r2(f.dtype());
    split_by(*r, c, &q2, &r2, order_);
    q->add(q2, 1, order_);
    *r = std::move(r2);
  }
}

// One rewrite of split-index patterns in a sum; false when none applies.
bool detail::Simplifier::recombine(LinearForm& f) {
  const auto& ts = f.terms();
  DType t = f.dtype();
  for (size_t i = 0; i < ts.size(); ++i) {
    Expr x;
    int64_t c = const_divisor(ts[i].atom, BinaryOp::FloorMod, &x);
    if (!c) continue;
    int64_t k = ts[i].coeff, kc = wrap_mul(k, c, t);
    for (size_t j = 0; j < ts.size(); ++j) {
      if (j == i || ts[j].coeff != kc) continue;
      Expr y, z;
      // k*(x % c) + k*c*(x // c) == k*x
      if (const_divisor(ts[j].atom, BinaryOp::FloorDiv, &y) == c && order_.equal(x, y)) {
        remove_pair(f, i, j);
        f.add(linear(x), k, order_);
        return true;
      }
      // k*(x % c) + k*c*((x // c) % d) == k*(x % (c*d))
      int64_t d = const_divisor(ts[j].atom, BinaryOp::FloorMod, &y);
      int64_t cd = d ? checked_positive_mul(c, d, t) : 0;
      if (cd && const_divisor(y, BinaryOp::FloorDiv, &z) == c && order_.equal(x, z)) {
        remove_pair(f, i, j);
        f.add(linear(mod_const(linear(x), cd)), k, order_);
        return true;
      }
    }
  }
  // k*x - k*c*(x // c) == k*(x % c), taken when it makes the sum smaller.
  for (size_t i = 0; i < ts.size(); ++i) {
    Expr x;
    int64_t c = const_divisor(ts[i].atom, BinaryOp::FloorDiv, &x);
    if (!c || ts[i].coeff % c != 0) continue;
    int64_t k = -(ts[i].coeff / c);
    LinearForm candidate = f;
    candidate.remove_term(i);
    candidate.add(linear(x), -k, order_);
    candidate.add(linear(mod_const(linear(x), c)), k, order_);
    if (candidate.size() < f.size()) {
      f = std::move(candidate);
      return true;
    }
  }
  return false;
}

Expr detail::Simplifier::int_divmod(BinaryOp op, const Expr& a, const Expr& b) {
  bool div = op == BinaryOp::FloorDiv;
  int64_t c;
  if (is_const_int(b, &c) && c > 0) {
    LinearForm la = linear(a);
    return div ? div_const(std::move(la), c) : mod_const(std::move(la), c);
  }
  if (is_const_int(b, &c) && c == -1) {  // Negative divisors are rare in index code: only x // -1 and x % -1.
    if (!div) return int_imm(0, a.dtype());
    LinearForm la = linear(a);
    la.scale(-1);
    return normalize_sum(std::move(la));
  }
  // A non-constant divisor: only the bounds rule, x // y -> 0 and x % y -> x when
  // 0 <= x < y.
  Interval ba = bound(a), bb = bound(b);
  if (ba.min >= 0 && ba.has_upper() && bb.has_lower() && ba.max < bb.min) return div ? int_imm(0, a.dtype()) : a;
  return binary(op, a, b);
}

// The k with r in [k*c, k*c + c - 1] for every value of r, if there is one.
bool detail::Simplifier::one_period(const LinearForm& r, int64_t c, int64_t* k) const {
  Interval br = bound(r.to_expr());
  if (!br.is_bounded()) return false;
  *k = floor_div(br.min, c);
  return *k == floor_div(br.max, c);
}

// r == g*p + b with g a proper divisor of c and 0 <= b < g, found by trying
// g = gcd(coefficient, c) for each term, largest first. Then
// r // c == p // (c/g) and r % c == (p % (c/g))*g + b.
bool detail::Simplifier::split_aligned(const LinearForm& r, int64_t c, LinearForm* p, LinearForm* b, int64_t* g_out) const {
  std::vector<int64_t> candidates;
  for (const LinearTerm& t : r.terms()) {
    int64_t g = std::gcd(t.coeff == INT64_MIN ? 1 : (t.coeff < 0 ? -t.coeff : t.coeff), c);
    if (g > 1 && g < c) candidates.push_back(g);
  }
  std::sort(candidates.rbegin(), candidates.rend());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (int64_t g : candidates) {
    LinearForm pg(r.dtype()), rest(r.dtype());
    for (const LinearTerm& t : r.terms()) {
      if (t.coeff % g == 0) pg.add_term(t.atom, t.coeff / g, order_);
      else rest.add_term(t.atom, t.coeff, order_);
    }
    pg.add_constant(floor_div(r.constant(), g));
    rest.add_constant(floor_mod(r.constant(), g));
    Interval rb = bound(rest.to_expr());
    if (rb.has_lower() && rb.min >= 0 && rb.has_upper() && rb.max < g) {
      *p = std::move(pg);
      *b = std::move(rest);
      *g_out = g;
      return true;
    }
  }
  return false;
}

Expr detail::Simplifier::div_const(LinearForm f, int64_t c) {
  DType t = f.dtype();
  if (int64_t g = std::gcd(f.content(), c); g > 1) {
    f.divide_exact(g);
    c /= g;
  }
  if (c == 1) return normalize_sum(std::move(f));
  LinearForm q(t), r(t);
  split_and_recombine(f, c, &q, &r);
  int64_t k;
  if (one_period(r, c, &k)) {
    q.add_constant(k);
    return normalize_sum(std::move(q));
  }
  LinearForm p(t), b(t);
  int64_t g;
  if (split_aligned(r, c, &p, &b, &g)) {  // (g*p + b) // c == p // (c/g)
    q.add(linear(div_const(std::move(p), c / g)), 1, order_);
    return normalize_sum(std::move(q));
  }
  Expr y;
  if (r.terms().size() == 1 && r.terms()[0].coeff == 1) {
    // (y % (c*m)) // c == (y // c) % m, the form split indices recombine from
    if (int64_t c1 = const_divisor(r.terms()[0].atom, BinaryOp::FloorMod, &y);
        c1 && c1 % c == 0 && r.constant() == 0) {
      q.add(linear(mod_const(linear(div_const(linear(y), c)), c1 / c)), 1, order_);
      return normalize_sum(std::move(q));
    }
    // (y // c1 + r0) // c == (y + r0*c1) // (c1*c)
    int64_t c1 = const_divisor(r.terms()[0].atom, BinaryOp::FloorDiv, &y);
    int64_t merged = c1 ? checked_positive_mul(c1, c, t) : 0;
    int64_t shift;
    if (merged && !__builtin_mul_overflow(r.constant(), c1, &shift)) {
      LinearForm ly = linear(y);
      ly.add_constant(shift);
      q.add(linear(div_const(std::move(ly), merged)), 1, order_);
      return normalize_sum(std::move(q));
    }
  }
  q.add_term(binary(BinaryOp::FloorDiv, r.to_expr(), int_imm(c, t)), 1, order_);
  return normalize_sum(std::move(q));
}

Expr detail::Simplifier::mod_const(LinearForm f, int64_t c) {
  DType t = f.dtype();
  if (int64_t g = std::gcd(f.content(), c); g > 1) {  // (g*x) % (g*c) == g*(x % c)
    f.divide_exact(g);
    LinearForm scaled = linear(mod_const(std::move(f), c / g));
    scaled.scale(g);
    return scaled.to_expr();
  }
  if (c == 1) return int_imm(0, t);
  LinearForm q(t), r(t);
  split_and_recombine(f, c, &q, &r);
  // Inside `% c`, an atom y % c1 with c dividing c1 can be replaced by y.
  LinearForm reduced(t, r.constant());
  bool replaced = false;
  for (const LinearTerm& term : r.terms()) {
    Expr y;
    int64_t c1 = const_divisor(term.atom, BinaryOp::FloorMod, &y);
    if (c1 && c1 % c == 0) {
      reduced.add(linear(y), term.coeff, order_);
      replaced = true;
    } else {
      reduced.add_term(term.atom, term.coeff, order_);
    }
  }
  if (replaced && reductions_ < kMaxReductions) {
    ++reductions_;
    return mod_const(std::move(reduced), c);
  }
  int64_t k;
  if (one_period(r, c, &k)) {
    r.add_constant(wrap_mul(-k, c, t));
    return normalize_sum(std::move(r));
  }
  LinearForm p(t), b(t);
  int64_t g;
  if (split_aligned(r, c, &p, &b, &g)) {  // (g*p + b) % c == (p % (c/g))*g + b
    LinearForm out = linear(mod_const(std::move(p), c / g));
    out.scale(g);
    out.add(b, 1, order_);
    return normalize_sum(std::move(out));
  }
  return binary(BinaryOp::FloorMod, r.to_expr(), int_imm(c, t));
}

}  // namespace weft::ir
