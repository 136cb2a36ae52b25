// Expression compilation for the interpreter. Each IR expression becomes one code
// object specialised on its operator and dtype (templates), so evaluation does no
// switching. Integer results wrap to their dtype and float results round to theirs
// after every operation, as compiled code on the target would.
#include <fmt/format.h>

#include <cmath>

#include "ir/buffer.h"
#include "ir/interp_numeric.h"
#include "ir/interp_program.h"
#include "support/error.h"

namespace weft::ir::interp {

namespace {

// ---- leaves --------------------------------------------------------------------------

class IntConst final : public IntCode {
 public:
  explicit IntConst(int64_t v) : v_(v) {}
  int64_t eval() const override { return v_; }

 private:
  int64_t v_;
};

class IntVar final : public IntCode {
 public:
  explicit IntVar(const int64_t* slot) : slot_(slot) {}
  int64_t eval() const override { return *slot_; }

 private:
  const int64_t* slot_;
};

class FloatConst final : public FloatCode {
 public:
  explicit FloatConst(double v) : v_(v) {}
  double eval() const override { return v_; }

 private:
  double v_;
};

template <DType T>
class IntLoad final : public IntCode {
 public:
  explicit IntLoad(Access a) : a_(std::move(a)) {}
  int64_t eval() const override { return load_int_element<T>(a_.data(), a_.offset()); }

 private:
  Access a_;
};

template <DType T>
class FloatLoad final : public FloatCode {
 public:
  explicit FloatLoad(Access a) : a_(std::move(a)) {}
  double eval() const override { return load_float_element<T>(a_.data(), a_.offset()); }

 private:
  Access a_;
};

// ---- arithmetic ----------------------------------------------------------------------

template <BinaryOp Op, DType T>
class IntArith final : public IntCode {
 public:
  IntArith(IntPtr a, IntPtr b) : a_(std::move(a)), b_(std::move(b)) {}
  int64_t eval() const override {
    int64_t a = a_->eval(), b = b_->eval();
    if constexpr (Op == BinaryOp::Add) return wrap_int<T>(wrapping_add(a, b));
    else if constexpr (Op == BinaryOp::Sub) return wrap_int<T>(wrapping_sub(a, b));
    else if constexpr (Op == BinaryOp::Mul) return wrap_int<T>(wrapping_mul(a, b));
    else if constexpr (Op == BinaryOp::Min) return a < b ? a : b;
    else return a > b ? a : b;
  }

 private:
  IntPtr a_, b_;
};

template <BinaryOp Op, DType T>
class IntFloorDivMod final : public IntCode {
 public:
  IntFloorDivMod(IntPtr a, IntPtr b, const std::string* block) : a_(std::move(a)), b_(std::move(b)), block_(block) {}
  int64_t eval() const override {
    int64_t a = a_->eval(), b = b_->eval();
    if (b == 0) [[unlikely]]
      throw RuntimeError(fmt::format("integer division by zero: {} {} 0 (in block '{}')", a, binary_op_symbol(Op),
                                     *block_));
    if constexpr (Op == BinaryOp::FloorDiv) return wrap_int<T>(floor_div(a, b));
    else return wrap_int<T>(floor_mod(a, b));
  }

 private:
  IntPtr a_, b_;
  const std::string* block_;
};

template <BinaryOp Op, DType T>
class FloatArith final : public FloatCode {
 public:
  FloatArith(FloatPtr a, FloatPtr b) : a_(std::move(a)), b_(std::move(b)) {}
  double eval() const override {
    double a = a_->eval(), b = b_->eval();
    if constexpr (Op == BinaryOp::Add) return round_float<T>(a + b);
    else if constexpr (Op == BinaryOp::Sub) return round_float<T>(a - b);
    else if constexpr (Op == BinaryOp::Mul) return round_float<T>(a * b);
    else if constexpr (Op == BinaryOp::Div) return round_float<T>(a / b);
    else if constexpr (Op == BinaryOp::Min) return std::fmin(a, b);  // operands are already of type T
    else return std::fmax(a, b);
  }

 private:
  FloatPtr a_, b_;
};

template <BinaryOp Op, typename V>
bool compare_values(V a, V b) {
  if constexpr (Op == BinaryOp::EQ) return a == b;
  else if constexpr (Op == BinaryOp::NE) return a != b;
  else if constexpr (Op == BinaryOp::LT) return a < b;
  else if constexpr (Op == BinaryOp::LE) return a <= b;
  else if constexpr (Op == BinaryOp::GT) return a > b;
  else return a >= b;
}

template <BinaryOp Op, typename Code>
class Compare final : public IntCode {
 public:
  Compare(std::unique_ptr<Code> a, std::unique_ptr<Code> b) : a_(std::move(a)), b_(std::move(b)) {}
  int64_t eval() const override { return compare_values<Op>(a_->eval(), b_->eval()); }

 private:
  std::unique_ptr<Code> a_, b_;
};

// Logic short-circuits, so a guard like `i < n && A[i]` never reads out of bounds.
class LogicalAnd final : public IntCode {
 public:
  LogicalAnd(IntPtr a, IntPtr b) : a_(std::move(a)), b_(std::move(b)) {}
  int64_t eval() const override { return a_->eval() && b_->eval(); }

 private:
  IntPtr a_, b_;
};

class LogicalOr final : public IntCode {
 public:
  LogicalOr(IntPtr a, IntPtr b) : a_(std::move(a)), b_(std::move(b)) {}
  int64_t eval() const override { return a_->eval() || b_->eval(); }

 private:
  IntPtr a_, b_;
};

class LogicalNot final : public IntCode {
 public:
  explicit LogicalNot(IntPtr a) : a_(std::move(a)) {}
  int64_t eval() const override { return !a_->eval(); }

 private:
  IntPtr a_;
};

// Select evaluates only the chosen branch.
template <typename Code, typename V>
class Select final : public Code {
 public:
  Select(IntPtr c, std::unique_ptr<Code> t, std::unique_ptr<Code> f)
      : c_(std::move(c)), t_(std::move(t)), f_(std::move(f)) {}
  V eval() const override { return c_->eval() ? t_->eval() : f_->eval(); }

 private:
  IntPtr c_;
  std::unique_ptr<Code> t_, f_;
};

// ---- casts and intrinsics ----------------------------------------------------------

template <DType T>
class FloatFromFloat final : public FloatCode {
 public:
  explicit FloatFromFloat(FloatPtr a) : a_(std::move(a)) {}
  double eval() const override { return round_float<T>(a_->eval()); }

 private:
  FloatPtr a_;
};

template <DType T>
class FloatFromInt final : public FloatCode {
 public:
  explicit FloatFromInt(IntPtr a) : a_(std::move(a)) {}
  double eval() const override { return round_float<T>(static_cast<double>(a_->eval())); }

 private:
  IntPtr a_;
};

// Truncates toward zero; to bool it tests != 0 (so NaN is true).
template <DType T>
class IntFromFloat final : public IntCode {
 public:
  explicit IntFromFloat(FloatPtr a) : a_(std::move(a)) {}
  int64_t eval() const override {
    double v = a_->eval();
    if constexpr (T == DType::boolean) return v != 0;
    else return wrap_int<T>(float_to_int64(v));
  }

 private:
  FloatPtr a_;
};

template <DType T>
class IntFromInt final : public IntCode {
 public:
  explicit IntFromInt(IntPtr a) : a_(std::move(a)) {}
  int64_t eval() const override { return wrap_int<T>(a_->eval()); }

 private:
  IntPtr a_;
};

using UnaryFn = double (*)(double);

template <DType T>
class FloatUnaryCall final : public FloatCode {
 public:
  FloatUnaryCall(UnaryFn fn, FloatPtr a) : fn_(fn), a_(std::move(a)) {}
  double eval() const override { return round_float<T>(fn_(a_->eval())); }

 private:
  UnaryFn fn_;
  FloatPtr a_;
};

template <DType T>
class FloatPow final : public FloatCode {
 public:
  FloatPow(FloatPtr a, FloatPtr b) : a_(std::move(a)), b_(std::move(b)) {}
  double eval() const override {
    double a = a_->eval();
    return round_float<T>(std::pow(a, b_->eval()));
  }

 private:
  FloatPtr a_, b_;
};

double exp_fn(double x) { return std::exp(x); }
double log_fn(double x) { return std::log(x); }
double tanh_fn(double x) { return std::tanh(x); }
double erf_fn(double x) { return std::erf(x); }
double sqrt_fn(double x) { return std::sqrt(x); }
double rsqrt_fn(double x) { return 1.0 / std::sqrt(x); }
double sigmoid_fn(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double abs_fn(double x) { return std::fabs(x); }

UnaryFn unary_fn(Intrinsic f) {
  switch (f) {
    case Intrinsic::exp: return exp_fn;
    case Intrinsic::log: return log_fn;
    case Intrinsic::tanh: return tanh_fn;
    case Intrinsic::erf: return erf_fn;
    case Intrinsic::sqrt: return sqrt_fn;
    case Intrinsic::rsqrt: return rsqrt_fn;
    case Intrinsic::sigmoid: return sigmoid_fn;
    case Intrinsic::abs: return abs_fn;
    case Intrinsic::pow: break;
  }
  throw InternalError(std::string("intrinsic '") + intrinsic_name(f) + "' is not unary");
}

// ---- dispatch on dtype --------------------------------------------------------------

template <template <DType> class Node, typename... A>
FloatPtr by_float_type(DType t, A&&... args) {
  switch (t) {
    case DType::f64: return std::make_unique<Node<DType::f64>>(std::forward<A>(args)...);
    case DType::f32: return std::make_unique<Node<DType::f32>>(std::forward<A>(args)...);
    case DType::f16: return std::make_unique<Node<DType::f16>>(std::forward<A>(args)...);
    case DType::bf16: return std::make_unique<Node<DType::bf16>>(std::forward<A>(args)...);
    default: break;
  }
  throw InternalError("interpreter: " + std::string(dtype_name(t)) + " is not a float type");
}

// Integer types and bool.
template <template <DType> class Node, typename... A>
IntPtr by_int_type(DType t, A&&... args) {
  switch (t) {
    case DType::i64: return std::make_unique<Node<DType::i64>>(std::forward<A>(args)...);
    case DType::i32: return std::make_unique<Node<DType::i32>>(std::forward<A>(args)...);
    case DType::i8: return std::make_unique<Node<DType::i8>>(std::forward<A>(args)...);
    case DType::boolean: return std::make_unique<Node<DType::boolean>>(std::forward<A>(args)...);
    default: break;
  }
  throw InternalError("interpreter: " + std::string(dtype_name(t)) + " is not an integer type");
}

template <BinaryOp Op>
struct IntArithOf {
  template <DType T>
  using type = IntArith<Op, T>;
};
template <BinaryOp Op>
struct IntFloorDivModOf {
  template <DType T>
  using type = IntFloorDivMod<Op, T>;
};
template <BinaryOp Op>
struct FloatArithOf {
  template <DType T>
  using type = FloatArith<Op, T>;
};

template <typename Code>
std::unique_ptr<Code> compile_typed(const Expr& e, Env& env) {
  if constexpr (std::is_same_v<Code, IntCode>) return compile_int(e, env);
  else return compile_float(e, env);
}

template <typename Code>
IntPtr compile_comparison(BinaryOp op, const Expr& a, const Expr& b, Env& env) {
  auto ca = compile_typed<Code>(a, env), cb = compile_typed<Code>(b, env);
  switch (op) {
    case BinaryOp::EQ: return std::make_unique<Compare<BinaryOp::EQ, Code>>(std::move(ca), std::move(cb));
    case BinaryOp::NE: return std::make_unique<Compare<BinaryOp::NE, Code>>(std::move(ca), std::move(cb));
    case BinaryOp::LT: return std::make_unique<Compare<BinaryOp::LT, Code>>(std::move(ca), std::move(cb));
    case BinaryOp::LE: return std::make_unique<Compare<BinaryOp::LE, Code>>(std::move(ca), std::move(cb));
    case BinaryOp::GT: return std::make_unique<Compare<BinaryOp::GT, Code>>(std::move(ca), std::move(cb));
    case BinaryOp::GE: return std::make_unique<Compare<BinaryOp::GE, Code>>(std::move(ca), std::move(cb));
    default: break;
  }
  throw InternalError(std::string("interpreter: '") + binary_op_symbol(op) + "' is not a comparison");
}

IntPtr compile_int_binary(const BinaryNode& n, Env& env) {
  if (is_comparison(n.op)) {
    if (is_float(n.a.dtype())) return compile_comparison<FloatCode>(n.op, n.a, n.b, env);
    return compile_comparison<IntCode>(n.op, n.a, n.b, env);
  }
  IntPtr a = compile_int(n.a, env), b = compile_int(n.b, env);
  DType t = n.dtype;
  switch (n.op) {
    case BinaryOp::And: return std::make_unique<LogicalAnd>(std::move(a), std::move(b));
    case BinaryOp::Or: return std::make_unique<LogicalOr>(std::move(a), std::move(b));
    case BinaryOp::Add: return by_int_type<IntArithOf<BinaryOp::Add>::type>(t, std::move(a), std::move(b));
    case BinaryOp::Sub: return by_int_type<IntArithOf<BinaryOp::Sub>::type>(t, std::move(a), std::move(b));
    case BinaryOp::Mul: return by_int_type<IntArithOf<BinaryOp::Mul>::type>(t, std::move(a), std::move(b));
    case BinaryOp::Min: return by_int_type<IntArithOf<BinaryOp::Min>::type>(t, std::move(a), std::move(b));
    case BinaryOp::Max: return by_int_type<IntArithOf<BinaryOp::Max>::type>(t, std::move(a), std::move(b));
    case BinaryOp::FloorDiv:
      return by_int_type<IntFloorDivModOf<BinaryOp::FloorDiv>::type>(t, std::move(a), std::move(b),
                                                                      env.block_name());
    case BinaryOp::FloorMod:
      return by_int_type<IntFloorDivModOf<BinaryOp::FloorMod>::type>(t, std::move(a), std::move(b),
                                                                      env.block_name());
    default: break;
  }
  throw InternalError(std::string("interpreter: integer '") + binary_op_symbol(n.op) + "'");
}

FloatPtr compile_float_binary(const BinaryNode& n, Env& env) {
  FloatPtr a = compile_float(n.a, env), b = compile_float(n.b, env);
  DType t = n.dtype;
  switch (n.op) {
    case BinaryOp::Add: return by_float_type<FloatArithOf<BinaryOp::Add>::type>(t, std::move(a), std::move(b));
    case BinaryOp::Sub: return by_float_type<FloatArithOf<BinaryOp::Sub>::type>(t, std::move(a), std::move(b));
    case BinaryOp::Mul: return by_float_type<FloatArithOf<BinaryOp::Mul>::type>(t, std::move(a), std::move(b));
    case BinaryOp::Div: return by_float_type<FloatArithOf<BinaryOp::Div>::type>(t, std::move(a), std::move(b));
    case BinaryOp::Min: return by_float_type<FloatArithOf<BinaryOp::Min>::type>(t, std::move(a), std::move(b));
    case BinaryOp::Max: return by_float_type<FloatArithOf<BinaryOp::Max>::type>(t, std::move(a), std::move(b));
    default: break;
  }
  throw InternalError(std::string("interpreter: float '") + binary_op_symbol(n.op) + "'");
}

}  // namespace

// ---- entry points -----------------------------------------------------------------

IntOperand compile_operand(const Expr& e, Env& env) {
  if (const auto* v = e.as<VarNode>()) return IntOperand::of_slot(env.lookup(v));
  if (const auto* i = e.as<IntImmNode>()) return IntOperand::of_slot(env.constant(i->value));
  return IntOperand::of_code(compile_int(e, env));
}

Access compile_access(const Buffer& buffer, const std::vector<Expr>& indices, Env& env) {
  BufferSlot* slot = env.lookup(buffer.get());
  std::vector<IntOperand> operands;
  for (const Expr& i : indices) operands.push_back(compile_operand(i, env));
  return Access(slot, std::move(operands), env.block_name());
}

IntPtr compile_int(const Expr& e, Env& env) {
  if (is_float(e.dtype()))
    throw InternalError("interpreter: a " + std::string(dtype_name(e.dtype())) + " expression where an integer is needed");
  switch (e.kind()) {
    case ExprKind::Var: return std::make_unique<IntVar>(env.lookup(e.as<VarNode>()));
    case ExprKind::IntImm: return std::make_unique<IntConst>(e.as<IntImmNode>()->value);
    case ExprKind::Binary: return compile_int_binary(*e.as<BinaryNode>(), env);
    case ExprKind::Not: return std::make_unique<LogicalNot>(compile_int(e.as<NotNode>()->a, env));
    case ExprKind::Cast: {
      const Expr& v = e.as<CastNode>()->value;
      if (is_float(v.dtype())) return by_int_type<IntFromFloat>(e.dtype(), compile_float(v, env));
      return by_int_type<IntFromInt>(e.dtype(), compile_int(v, env));
    }
    case ExprKind::Select: {
      const auto* s = e.as<SelectNode>();
      return std::make_unique<Select<IntCode, int64_t>>(compile_int(s->cond, env), compile_int(s->true_value, env),
                                                        compile_int(s->false_value, env));
    }
    case ExprKind::BufferLoad: {
      const auto* l = e.as<BufferLoadNode>();
      return by_int_type<IntLoad>(e.dtype(), compile_access(l->buffer, l->indices, env));
    }
    case ExprKind::FloatImm:
    case ExprKind::Call: break;
  }
  throw InternalError("interpreter: integer expression of an unexpected kind");
}

FloatPtr compile_float(const Expr& e, Env& env) {
  if (!is_float(e.dtype()))
    throw InternalError("interpreter: a " + std::string(dtype_name(e.dtype())) + " expression where a float is needed");
  switch (e.kind()) {
    case ExprKind::FloatImm: return std::make_unique<FloatConst>(e.as<FloatImmNode>()->value);
    case ExprKind::Binary: return compile_float_binary(*e.as<BinaryNode>(), env);
    case ExprKind::Cast: {
      const Expr& v = e.as<CastNode>()->value;
      if (is_float(v.dtype())) return by_float_type<FloatFromFloat>(e.dtype(), compile_float(v, env));
      return by_float_type<FloatFromInt>(e.dtype(), compile_int(v, env));
    }
    case ExprKind::Select: {
      const auto* s = e.as<SelectNode>();
      return std::make_unique<Select<FloatCode, double>>(compile_int(s->cond, env), compile_float(s->true_value, env),
                                                         compile_float(s->false_value, env));
    }
    case ExprKind::Call: {
      const auto* c = e.as<CallNode>();
      if (c->func == Intrinsic::pow)
        return by_float_type<FloatPow>(e.dtype(), compile_float(c->args[0], env), compile_float(c->args[1], env));
      return by_float_type<FloatUnaryCall>(e.dtype(), unary_fn(c->func), compile_float(c->args[0], env));
    }
    case ExprKind::BufferLoad: {
      const auto* l = e.as<BufferLoadNode>();
      return by_float_type<FloatLoad>(e.dtype(), compile_access(l->buffer, l->indices, env));
    }
    case ExprKind::Var:
    case ExprKind::IntImm:
    case ExprKind::Not: break;
  }
  throw InternalError("interpreter: float expression of an unexpected kind");
}

}  // namespace weft::ir::interp
