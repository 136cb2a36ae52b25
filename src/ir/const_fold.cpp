#include "ir/const_fold.h"

#include <bit>
#include <cmath>

#include "ir/interp_numeric.h"

namespace weft::ir {

namespace {

// The integer or bool value of an IntImm.
bool int_value(const Expr& e, int64_t* v) {
  const auto* i = e.as<IntImmNode>();
  if (!i) return false;
  *v = i->value;
  return true;
}

bool float_value(const Expr& e, double* v) {
  const auto* f = e.as<FloatImmNode>();
  if (!f) return false;
  *v = f->value;
  return true;
}

template <typename V>
Expr compare(BinaryOp op, V a, V b) {
  switch (op) {
    case BinaryOp::EQ: return bool_imm(a == b);
    case BinaryOp::NE: return bool_imm(a != b);
    case BinaryOp::LT: return bool_imm(a < b);
    case BinaryOp::LE: return bool_imm(a <= b);
    case BinaryOp::GT: return bool_imm(a > b);
    case BinaryOp::GE: return bool_imm(a >= b);
    default: return Expr();
  }
}

Expr fold_int(BinaryOp op, int64_t a, int64_t b, DType t) {
  if (is_comparison(op)) return compare(op, a, b);
  auto imm = [t](int64_t v) { return int_imm(interp::wrap_int(v, t), t); };
  switch (op) {
    case BinaryOp::Add: return imm(interp::wrapping_add(a, b));
    case BinaryOp::Sub: return imm(interp::wrapping_sub(a, b));
    case BinaryOp::Mul: return imm(interp::wrapping_mul(a, b));
    case BinaryOp::FloorDiv: return b == 0 ? Expr() : imm(interp::floor_div(a, b));
    case BinaryOp::FloorMod: return b == 0 ? Expr() : imm(interp::floor_mod(a, b));
    case BinaryOp::Min: return imm(a < b ? a : b);
    case BinaryOp::Max: return imm(a > b ? a : b);
    case BinaryOp::And: return bool_imm(a && b);
    case BinaryOp::Or: return bool_imm(a || b);
    default: return Expr();
  }
}

Expr fold_float(BinaryOp op, double a, double b, DType t) {
  if (is_comparison(op)) return compare(op, a, b);
  auto imm = [t](double v) { return float_imm(round_to_dtype(v, t), t); };
  switch (op) {
    case BinaryOp::Add: return imm(a + b);
    case BinaryOp::Sub: return imm(a - b);
    case BinaryOp::Mul: return imm(a * b);
    case BinaryOp::Div: return imm(a / b);
    case BinaryOp::Min:
    case BinaryOp::Max: {
      // fmin/fmax ignore a NaN operand and may return either zero for (-0, +0);
      // fold only the cases every executor agrees on.
      if (std::isnan(a) || std::isnan(b)) return Expr();
      if (a == b && std::bit_cast<uint64_t>(a) != std::bit_cast<uint64_t>(b)) return Expr();
      return imm(op == BinaryOp::Min ? std::fmin(a, b) : std::fmax(a, b));
    }
    default: return Expr();
  }
}

}  // namespace

Expr fold_binary(BinaryOp op, const Expr& a, const Expr& b) {
  int64_t x, y;
  if (int_value(a, &x) && int_value(b, &y)) return fold_int(op, x, y, a.dtype());
  double p, q;
  if (float_value(a, &p) && float_value(b, &q)) return fold_float(op, p, q, a.dtype());
  return Expr();
}

Expr fold_not(const Expr& a) {
  int64_t v;
  return int_value(a, &v) ? bool_imm(!v) : Expr();
}

Expr fold_cast(DType t, const Expr& value) {
  int64_t i;
  double f;
  if (int_value(value, &i)) {  // from an integer or bool
    if (t == DType::boolean) return bool_imm(i != 0);
    if (is_int(t)) return int_imm(interp::wrap_int(i, t), t);
    return float_imm(round_to_dtype(static_cast<double>(i), t), t);
  }
  if (float_value(value, &f)) {
    if (t == DType::boolean) return bool_imm(f != 0);  // NaN is true, as in the interpreter
    if (is_float(t)) return float_imm(round_to_dtype(f, t), t);
    // Truncation toward zero; NaN and out-of-range values are left to the executor.
    if (!std::isfinite(f) || std::fabs(f) >= 0x1p62) return Expr();
    return int_imm(interp::wrap_int(static_cast<int64_t>(f), t), t);
  }
  return Expr();
}

Expr fold_call(Intrinsic func, const std::vector<Expr>& args) {
  // Only exact operations: the others (exp, tanh, ...) are not correctly rounded on
  // every device, so folding them here could change the program's results.
  double v;
  if (func == Intrinsic::abs && args.size() == 1 && float_value(args[0], &v))
    return float_imm(std::fabs(v), args[0].dtype());
  return Expr();
}

}  // namespace weft::ir
