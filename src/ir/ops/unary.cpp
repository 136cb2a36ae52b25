// Unary elementwise ops on an M x N tensor: Y[i, j] = f(X[i, j]) in block "<op>",
// computed in the tensor's own dtype.
#include <functional>
#include <string>

#include "ir/ops/compute.h"
#include "ir/ops/op_families.h"

namespace weft::ir::ops {
namespace {

OpDef unary_op(const std::string& name, const std::string& formula, std::function<Expr(const Expr&)> f) {
  OpDef op;
  op.name = name;
  op.summary = "Y[M,N] = " + formula + " elementwise; block \"" + name + "\"";
  op.params = {int_param("M"), int_param("N"), dtype_param("dtype", DType::f32, float_dtypes())};
  op.build = [name, f](const ParamValues& v) {
    int64_t M = v.get_int("M"), N = v.get_int("N");
    DType dt = v.get_dtype("dtype");
    Buffer X = make_buffer("X", dt, {M, N});
    Buffer Y = make_buffer("Y", dt, {M, N});
    Stmt body = compute_block(name, {spatial("i", M), spatial("j", N)}, [&](const std::vector<Expr>& it) {
      return BlockCode{store(Y, f(load(X, {it[0], it[1]})), {it[0], it[1]}), Stmt()};
    });
    return make_func_with_root(name, {X, Y}, body);
  };
  return op;
}

std::function<Expr(const Expr&)> intrinsic(Intrinsic fn) {
  return [fn](const Expr& x) { return call(fn, {x}); };
}

}  // namespace

std::vector<OpDef> unary_ops() {
  return {
      unary_op("relu", "max(X, 0)", relu),
      unary_op("gelu", "0.5 X (1 + erf(X / sqrt(2)))", gelu_erf),
      unary_op("gelu_tanh", "0.5 X (1 + tanh(sqrt(2/pi) (X + 0.044715 X^3)))", gelu_tanh),
      unary_op("tanh", "tanh(X)", intrinsic(Intrinsic::tanh)),
      unary_op("sigmoid", "1 / (1 + exp(-X))", intrinsic(Intrinsic::sigmoid)),
      unary_op("exp", "exp(X)", intrinsic(Intrinsic::exp)),
      unary_op("log", "log(X)", intrinsic(Intrinsic::log)),
      unary_op("sqrt", "sqrt(X)", intrinsic(Intrinsic::sqrt)),
      unary_op("rsqrt", "1 / sqrt(X)", intrinsic(Intrinsic::rsqrt)),
  };
}

}  // namespace weft::ir::ops
