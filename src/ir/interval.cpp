#include "ir/interval.h"

#include <algorithm>

#include "ir/functor.h"
#include "ir/interp_numeric.h"
#include "support/error.h"

namespace weft::ir {

namespace {

using i128 = __int128;
constexpr int64_t kNeg = Interval::kNegInf;
constexpr int64_t kPos = Interval::kPosInf;

// Open ends as +-2^63, one past every finite value, so that products of corners
// saturate correctly (inf * 0 = 0, inf * x = +-inf) in 128-bit arithmetic.
i128 widen(int64_t v) {
  if (v == kPos) return static_cast<i128>(1) << 63;
  if (v == kNeg) return -(static_cast<i128>(1) << 63);
  return v;
}

int64_t saturate(i128 v) {
  if (v >= static_cast<i128>(kPos)) return kPos;
  if (v <= static_cast<i128>(kNeg)) return kNeg;
  return static_cast<int64_t>(v);
}

int64_t negate(int64_t v) {
  if (v == kPos) return kNeg;
  if (v == kNeg) return kPos;
  return -v;
}

Interval neg(const Interval& a) { return {negate(a.max), negate(a.min)}; }

Interval add(const Interval& a, const Interval& b) {
  int64_t lo = (a.min == kNeg || b.min == kNeg) ? kNeg : saturate(widen(a.min) + widen(b.min));
  int64_t hi = (a.max == kPos || b.max == kPos) ? kPos : saturate(widen(a.max) + widen(b.max));
  return {lo, hi};
}

Interval sub(const Interval& a, const Interval& b) { return add(a, neg(b)); }

Interval mul(const Interval& a, const Interval& b) {
  i128 c[4] = {widen(a.min) * widen(b.min), widen(a.min) * widen(b.max), widen(a.max) * widen(b.min),
               widen(a.max) * widen(b.max)};
  return {saturate(*std::min_element(c, c + 4)), saturate(*std::max_element(c, c + 4))};
}

// floor(x / b) for b >= 1, either of them possibly an open end.
int64_t div_end(int64_t x, int64_t b) {
  if (x == kNeg || x == kPos) return x;
  if (b == kPos) return x >= 0 ? 0 : -1;
  return interp::floor_div(x, b);
}

Interval floordiv_positive(const Interval& a, const Interval& b) {
  return {std::min(div_end(a.min, b.min), div_end(a.min, b.max)),
          std::max(div_end(a.max, b.min), div_end(a.max, b.max))};
}

Interval floordiv(const Interval& a, const Interval& b) {
  if (b.min >= 1) return floordiv_positive(a, b);
  if (b.max <= -1) return floordiv_positive(neg(a), neg(b));  // floor(a / b) == floor(-a / -b)
  return Interval::everything();
}

Interval floormod_positive(const Interval& a, const Interval& b) {
  if (b.is_point()) {
    int64_t c = b.min;
    if (a.is_bounded()) {
      int64_t k = interp::floor_div(a.min, c);
      if (k == interp::floor_div(a.max, c)) return {a.min - k * c, a.max - k * c};  // one period: a shifted
    }
    Interval r{0, c - 1};
    if (a.min >= 0 && a.has_lower()) r.max = std::min(r.max, a.max);
    return r;
  }
  if (a.has_lower() && a.min >= 0 && a.has_upper() && a.max < b.min) return a;
  Interval r{0, b.has_upper() ? b.max - 1 : kPos};
  if (a.has_lower() && a.min >= 0) r.max = std::min(r.max, a.max);
  return r;
}

Interval floormod(const Interval& a, const Interval& b) {
  if (b.min >= 1) return floormod_positive(a, b);
  if (b.max <= -1) return neg(floormod_positive(neg(a), neg(b)));  // a mod b == -((-a) mod (-b))
  return Interval::everything();
}

Interval dtype_range(DType t) {
  switch (t) {
    case DType::i32: return {INT32_MIN, INT32_MAX};
    case DType::i8: return {INT8_MIN, INT8_MAX};
    case DType::boolean: return {0, 1};
    default: return Interval::everything();
  }
}

// A result whose finite bounds leave the dtype's range may have wrapped.
Interval fit(const Interval& r, DType t) {
  Interval range = dtype_range(t);
  bool lo_out = r.has_lower() && (r.min < range.min || r.min > range.max);
  bool hi_out = r.has_upper() && (r.max > range.max || r.max < range.min);
  return (lo_out || hi_out) ? Interval::everything() : r;
}

const Interval kFalse{0, 0}, kTrue{1, 1}, kEither{0, 1};

Interval compare(BinaryOp op, const Interval& a, const Interval& b) {
  auto less = [](const Interval& x, const Interval& y) { return x.has_upper() && y.has_lower() && x.max < y.min; };
  auto less_eq = [](const Interval& x, const Interval& y) { return x.has_upper() && y.has_lower() && x.max <= y.min; };
  switch (op) {
    case BinaryOp::LT: return less(a, b) ? kTrue : less_eq(b, a) ? kFalse : kEither;
    case BinaryOp::LE: return less_eq(a, b) ? kTrue : less(b, a) ? kFalse : kEither;
    case BinaryOp::GT: return less(b, a) ? kTrue : less_eq(a, b) ? kFalse : kEither;
    case BinaryOp::GE: return less_eq(b, a) ? kTrue : less(a, b) ? kFalse : kEither;
    case BinaryOp::EQ:
    case BinaryOp::NE: {
      bool equal = a.is_point() && b.is_point() && a.min == b.min;
      bool apart = less(a, b) || less(b, a);
      if (!equal && !apart) return kEither;
      return (equal == (op == BinaryOp::EQ)) ? kTrue : kFalse;
    }
    default: return kEither;
  }
}

class Bounder : public ExprFunctor<Interval> {
 public:
  explicit Bounder(const VarDomains& domains) : domains_(domains) {}

 protected:
  Interval visit(const VarNode& n, const Expr&) override {
    auto it = domains_.find(&n);
    return it == domains_.end() ? Interval::everything() : it->second;
  }
  Interval visit(const IntImmNode& n, const Expr&) override { return Interval::point(n.value); }
  Interval visit(const FloatImmNode&, const Expr&) override { return Interval::everything(); }

  Interval visit(const BinaryNode& n, const Expr&) override {
    DType operand = n.a.dtype();
    if (is_logical(n.op)) return logical(n.op, visit_expr(n.a), visit_expr(n.b));
    if (!is_int(operand)) return n.dtype == DType::boolean ? kEither : Interval::everything();
    Interval a = visit_expr(n.a), b = visit_expr(n.b);
    if (is_comparison(n.op)) return compare(n.op, a, b);
    switch (n.op) {
      case BinaryOp::Add: return fit(add(a, b), n.dtype);
      case BinaryOp::Sub: return fit(sub(a, b), n.dtype);
      case BinaryOp::Mul: return fit(mul(a, b), n.dtype);
      case BinaryOp::FloorDiv: return fit(floordiv(a, b), n.dtype);
      case BinaryOp::FloorMod: return floormod(a, b);
      case BinaryOp::Min: return {std::min(a.min, b.min), std::min(a.max, b.max)};
      case BinaryOp::Max: return {std::max(a.min, b.min), std::max(a.max, b.max)};
      default: return Interval::everything();
    }
  }

  Interval visit(const NotNode& n, const Expr&) override {
    Interval a = visit_expr(n.a);
    return a == kTrue ? kFalse : a == kFalse ? kTrue : kEither;
  }

  Interval visit(const CastNode& n, const Expr&) override {
    DType from = n.value.dtype();
    if (n.dtype == DType::boolean) {
      if (!is_int(from) && from != DType::boolean) return kEither;
      Interval v = visit_expr(n.value);
      return !v.contains(0) ? kTrue : v == kFalse ? kFalse : kEither;
    }
    if (!is_int(n.dtype)) return Interval::everything();
    if (!is_int(from) && from != DType::boolean) return Interval::everything();
    Interval v = visit_expr(n.value);
    Interval range = dtype_range(n.dtype);
    if (n.dtype == DType::i64 || (v.is_bounded() && range.contains(v))) return v;
    return Interval::everything();
  }

  Interval visit(const SelectNode& n, const Expr&) override {
    Interval c = visit_expr(n.cond);
    if (c == kTrue) return visit_expr(n.true_value);
    if (c == kFalse) return visit_expr(n.false_value);
    return interval_union(visit_expr(n.true_value), visit_expr(n.false_value));
  }

  Interval visit(const CallNode&, const Expr&) override { return Interval::everything(); }
  Interval visit(const BufferLoadNode& n, const Expr&) override {
    return n.dtype == DType::boolean ? kEither : Interval::everything();
  }

 private:
  static Interval logical(BinaryOp op, const Interval& a, const Interval& b) {
    if (op == BinaryOp::And) {
      if (a == kFalse || b == kFalse) return kFalse;
      return (a == kTrue && b == kTrue) ? kTrue : kEither;
    }
    if (a == kTrue || b == kTrue) return kTrue;
    return (a == kFalse && b == kFalse) ? kFalse : kEither;
  }

  const VarDomains& domains_;
};

}  // namespace

Interval Interval::closed(int64_t lo, int64_t hi) {
  WEFT_CHECK(lo <= hi, InternalError,
             "empty interval [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  return {lo, hi};
}

Interval Interval::from_extent(int64_t min, int64_t extent) {
  WEFT_CHECK(extent >= 1, InternalError,
             "interval of a range with extent " + std::to_string(extent) + " (must be at least 1)");
  Interval r{min, saturate(widen(min) + extent - 1)};
  return r;
}

Interval interval_union(const Interval& a, const Interval& b) {
  return {std::min(a.min, b.min), std::max(a.max, b.max)};
}

std::string to_string(const Interval& r) {
  std::string lo = r.has_lower() ? std::to_string(r.min) : "-inf";
  std::string hi = r.has_upper() ? std::to_string(r.max) : "+inf";
  return "[" + lo + ", " + hi + "]";
}

Interval bound_of(const Expr& e, const VarDomains& domains) {
  WEFT_CHECK(static_cast<bool>(e), InternalError, "bound_of a null expression");
  Bounder b(domains);
  return b.visit_expr(e);
}

}  // namespace weft::ir
