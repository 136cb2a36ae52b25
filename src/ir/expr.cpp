#include "ir/expr.h"

#include <cmath>

#include "ir/buffer.h"
#include "support/error.h"

namespace weft::ir {

const char* binary_op_symbol(BinaryOp op) {
  switch (op) {
#define WEFT_X(N, S, P) \
  case BinaryOp::N: return S;
    WEFT_BINARY_OPS(WEFT_X)
#undef WEFT_X
  }
  return "?";
}

int binary_op_precedence(BinaryOp op) {
  switch (op) {
#define WEFT_X(N, S, P) \
  case BinaryOp::N: return P;
    WEFT_BINARY_OPS(WEFT_X)
#undef WEFT_X
  }
  return 0;
}

bool is_comparison(BinaryOp op) { return binary_op_precedence(op) == 3; }
bool is_logical(BinaryOp op) { return op == BinaryOp::And || op == BinaryOp::Or; }

const char* intrinsic_name(Intrinsic f) {
  switch (f) {
#define WEFT_X(N, A) \
  case Intrinsic::N: return #N;
    WEFT_INTRINSICS(WEFT_X)
#undef WEFT_X
  }
  return "?";
}

int intrinsic_arity(Intrinsic f) {
  switch (f) {
#define WEFT_X(N, A) \
  case Intrinsic::N: return A;
    WEFT_INTRINSICS(WEFT_X)
#undef WEFT_X
  }
  return 0;
}

bool parse_intrinsic(const std::string& name, Intrinsic* out) {
#define WEFT_X(N, A)         \
  if (name == #N) {          \
    *out = Intrinsic::N;     \
    return true;             \
  }
  WEFT_INTRINSICS(WEFT_X)
#undef WEFT_X
  return false;
}

static void require(bool cond, const std::string& msg) {
  if (!cond) throw IRError(msg);
}

static std::string tname(DType t) { return std::string(dtype_name(t)); }

VarNode::VarNode(std::string name_in, DType dtype) : ExprNode(ExprKind::Var, dtype), name(std::move(name_in)) {
  require(is_identifier(name), "variable name '" + name + "' is not an identifier");
  require(is_int(dtype), "variable '" + name + "' must have an integer type, not " + tname(dtype));
}

Var make_var(const std::string& name, DType dtype) { return std::make_shared<const VarNode>(name, dtype); }

IntImmNode::IntImmNode(DType dtype, int64_t value) : ExprNode(ExprKind::IntImm, dtype), value(value) {
  require(is_int(dtype) || dtype == DType::boolean, "integer immediate of non-integer type " + tname(dtype));
  require(static_cast<double>(value) == round_to_dtype(static_cast<double>(value), dtype),
          "immediate " + std::to_string(value) + " does not fit in " + tname(dtype));
}

FloatImmNode::FloatImmNode(DType dtype, double value)
    : ExprNode(ExprKind::FloatImm, dtype), value(round_to_dtype(value, dtype)) {
  require(is_float(dtype), "float immediate of non-float type " + tname(dtype));
}

static DType binary_result_type(BinaryOp op, const Expr& a, const Expr& b) {
  require(a && b, std::string("binary '") + binary_op_symbol(op) + "' with a null operand");
  DType ta = a.dtype(), tb = b.dtype();
  require(ta == tb, std::string("operands of '") + binary_op_symbol(op) + "' have different types: " + tname(ta) +
                        " and " + tname(tb));
  if (is_logical(op)) {
    require(ta == DType::boolean, std::string("'") + binary_op_symbol(op) + "' needs bool operands, not " + tname(ta));
    return DType::boolean;
  }
  if (is_comparison(op)) return DType::boolean;
  require(ta != DType::boolean, std::string("arithmetic '") + binary_op_symbol(op) + "' on bool");
  if (op == BinaryOp::Div) require(is_float(ta), "'/' needs float operands (use floordiv for integers), not " + tname(ta));
  if (op == BinaryOp::FloorDiv || op == BinaryOp::FloorMod)
    require(is_int(ta), std::string("'") + binary_op_symbol(op) + "' needs integer operands, not " + tname(ta));
  return ta;
}

BinaryNode::BinaryNode(BinaryOp op, Expr a_in, Expr b_in)
    : ExprNode(ExprKind::Binary, binary_result_type(op, a_in, b_in)), op(op), a(std::move(a_in)), b(std::move(b_in)) {}

NotNode::NotNode(Expr a_in) : ExprNode(ExprKind::Not, DType::boolean), a(std::move(a_in)) {
  require(a && a.dtype() == DType::boolean, "'!' needs a bool operand");
}

CastNode::CastNode(DType dtype, Expr value_in) : ExprNode(ExprKind::Cast, dtype), value(std::move(value_in)) {
  require(static_cast<bool>(value), "cast of a null expression");
}

static DType select_type(const Expr& c, const Expr& t, const Expr& f) {
  require(c && t && f, "select with a null operand");
  require(c.dtype() == DType::boolean, "select condition must be bool, not " + tname(c.dtype()));
  require(t.dtype() == f.dtype(), "select branches have different types: " + tname(t.dtype()) + " and " +
                                      tname(f.dtype()));
  return t.dtype();
}

SelectNode::SelectNode(Expr c, Expr t, Expr f)
    : ExprNode(ExprKind::Select, select_type(c, t, f)), cond(std::move(c)), true_value(std::move(t)),
      false_value(std::move(f)) {}

static DType call_type(Intrinsic func, const std::vector<Expr>& args) {
  require(static_cast<int>(args.size()) == intrinsic_arity(func),
          std::string(intrinsic_name(func)) + " takes " + std::to_string(intrinsic_arity(func)) + " argument(s), got " +
              std::to_string(args.size()));
  for (const Expr& a : args) {
    require(a && is_float(a.dtype()), std::string(intrinsic_name(func)) + " needs float arguments");
    require(a.dtype() == args[0].dtype(), std::string(intrinsic_name(func)) + " arguments have different types");
  }
  return args[0].dtype();
}

CallNode::CallNode(Intrinsic func, std::vector<Expr> args_in)
    : ExprNode(ExprKind::Call, call_type(func, args_in)), func(func), args(std::move(args_in)) {}

static DType load_type(const Buffer& buffer, const std::vector<Expr>& indices) {
  require(buffer != nullptr, "load from a null buffer");
  require(static_cast<int>(indices.size()) == buffer->ndim(),
          "load from '" + buffer->name + "' with " + std::to_string(indices.size()) + " indices, buffer has " +
              std::to_string(buffer->ndim()) + " dimensions");
  for (const Expr& i : indices)
    require(i && is_int(i.dtype()), "load from '" + buffer->name + "' with a non-integer index");
  return buffer->dtype;
}

BufferLoadNode::BufferLoadNode(Buffer buffer_in, std::vector<Expr> indices_in)
    : ExprNode(ExprKind::BufferLoad, load_type(buffer_in, indices_in)), buffer(std::move(buffer_in)),
      indices(std::move(indices_in)) {}

// ---- helpers ----------------------------------------------------------------------

Expr::Expr(int value) : node_(std::make_shared<const IntImmNode>(DType::i32, value)) {}

Expr int_imm(int64_t value, DType dtype) { return std::make_shared<const IntImmNode>(dtype, value); }
Expr float_imm(double value, DType dtype) { return std::make_shared<const FloatImmNode>(dtype, value); }
Expr bool_imm(bool value) { return std::make_shared<const IntImmNode>(DType::boolean, value ? 1 : 0); }

Expr make_const(DType dtype, double value) {
  if (is_float(dtype)) return float_imm(value, dtype);
  if (dtype == DType::boolean) return bool_imm(value != 0);
  return int_imm(static_cast<int64_t>(value), dtype);
}

// A literal written next to an operand of another type takes that type, so that
// `i64_var * 4` and `f32_value + 1` can be written without spelling out types.
static Expr adapt_literal(const Expr& lit, DType target) {
  if (lit.dtype() == target || target == DType::boolean) return lit;
  if (const auto* i = lit.as<IntImmNode>(); i && lit.dtype() != DType::boolean)
    return make_const(target, static_cast<double>(i->value));
  return lit;
}

Expr binary(BinaryOp op, Expr a, Expr b) {
  require(a && b, std::string("binary '") + binary_op_symbol(op) + "' with a null operand");
  if (a.dtype() != b.dtype()) {
    if (b.as<IntImmNode>()) b = adapt_literal(b, a.dtype());
    else if (a.as<IntImmNode>()) a = adapt_literal(a, b.dtype());
  }
  return std::make_shared<const BinaryNode>(op, std::move(a), std::move(b));
}

Expr operator+(Expr a, Expr b) { return binary(BinaryOp::Add, std::move(a), std::move(b)); }
Expr operator-(Expr a, Expr b) { return binary(BinaryOp::Sub, std::move(a), std::move(b)); }
Expr operator*(Expr a, Expr b) { return binary(BinaryOp::Mul, std::move(a), std::move(b)); }
Expr operator/(Expr a, Expr b) { return binary(BinaryOp::Div, std::move(a), std::move(b)); }
Expr floordiv(Expr a, Expr b) { return binary(BinaryOp::FloorDiv, std::move(a), std::move(b)); }
Expr floormod(Expr a, Expr b) { return binary(BinaryOp::FloorMod, std::move(a), std::move(b)); }
Expr min(Expr a, Expr b) { return binary(BinaryOp::Min, std::move(a), std::move(b)); }
Expr max(Expr a, Expr b) { return binary(BinaryOp::Max, std::move(a), std::move(b)); }
Expr eq(Expr a, Expr b) { return binary(BinaryOp::EQ, std::move(a), std::move(b)); }
Expr ne(Expr a, Expr b) { return binary(BinaryOp::NE, std::move(a), std::move(b)); }
Expr lt(Expr a, Expr b) { return binary(BinaryOp::LT, std::move(a), std::move(b)); }
Expr le(Expr a, Expr b) { return binary(BinaryOp::LE, std::move(a), std::move(b)); }
Expr gt(Expr a, Expr b) { return binary(BinaryOp::GT, std::move(a), std::move(b)); }
Expr ge(Expr a, Expr b) { return binary(BinaryOp::GE, std::move(a), std::move(b)); }
Expr logical_and(Expr a, Expr b) { return binary(BinaryOp::And, std::move(a), std::move(b)); }
Expr logical_or(Expr a, Expr b) { return binary(BinaryOp::Or, std::move(a), std::move(b)); }
Expr logical_not(Expr a) { return std::make_shared<const NotNode>(std::move(a)); }
Expr cast(DType dtype, Expr value) { return std::make_shared<const CastNode>(dtype, std::move(value)); }

Expr select(Expr cond, Expr t, Expr f) {
  if (t && f && t.dtype() != f.dtype()) {
    if (f.as<IntImmNode>()) f = adapt_literal(f, t.dtype());
    else if (t.as<IntImmNode>()) t = adapt_literal(t, f.dtype());
  }
  return std::make_shared<const SelectNode>(std::move(cond), std::move(t), std::move(f));
}

Expr call(Intrinsic func, std::vector<Expr> args) { return std::make_shared<const CallNode>(func, std::move(args)); }
Expr load(Buffer buffer, std::vector<Expr> indices) {
  return std::make_shared<const BufferLoadNode>(std::move(buffer), std::move(indices));
}
Expr var_expr(const Var& v) { return Expr(std::static_pointer_cast<const ExprNode>(v)); }

bool is_const_int(const Expr& e, int64_t* value) {
  const auto* i = e.as<IntImmNode>();
  if (!i || e.dtype() == DType::boolean) return false;
  if (value) *value = i->value;
  return true;
}

bool is_const_true(const Expr& e) {
  const auto* i = e.as<IntImmNode>();
  return i && e.dtype() == DType::boolean && i->value != 0;
}

}  // namespace weft::ir
