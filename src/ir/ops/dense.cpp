// Dense layers with a fused epilogue: Y = act(X @ W + b), X[M,K], W[K,N], b[N].
// The product goes to an intermediate T (block "matmul"); block "bias_<act>" adds
// the bias and applies the activation. f16/bf16 inputs accumulate in out_dtype.
#include <functional>
#include <string>

#include "ir/ops/compute.h"
#include "ir/ops/op_families.h"

namespace weft::ir::ops {
namespace {

PrimFunc build_dense(const std::string& name, const std::string& act_name, const std::function<Expr(const Expr&)>& act,
                     const ParamValues& v) {
  int64_t M = v.get_int("M"), N = v.get_int("N"), K = v.get_int("K");
  DType dt = v.get_dtype("dtype"), od = v.get_dtype("out_dtype");
  Buffer X = make_buffer("X", dt, {M, K});
  Buffer W = make_buffer("W", dt, {K, N});
  Buffer b = make_buffer("b", dt, {N});
  Buffer Y = make_buffer("Y", od, {M, N});
  Buffer T = make_buffer("T", od, {M, N});
  Stmt matmul = compute_block("matmul", {spatial("i", M), spatial("j", N), reduce("k", K)},
                              [&](const std::vector<Expr>& it) {
                                const Expr &i = it[0], &j = it[1], &k = it[2];
                                Expr prod = as_type(od, load(X, {i, k})) * as_type(od, load(W, {k, j}));
                                return reduction(T, {i, j}, make_const(od, 0.0), [&](Expr acc) { return acc + prod; });
                              });
  Stmt epilogue = compute_block("bias_" + act_name, {spatial("i", M), spatial("j", N)},
                                [&](const std::vector<Expr>& it) {
                                  const Expr &i = it[0], &j = it[1];
                                  Expr y = act(load(T, {i, j}) + as_type(od, load(b, {j})));
                                  return BlockCode{store(Y, y, {i, j}), Stmt()};
                                });
  return make_func_with_root(name, {X, W, b, Y}, seq({matmul, epilogue}), {T});
}

OpDef dense_op(const std::string& act_name, const std::string& formula, std::function<Expr(const Expr&)> act) {
  std::string name = "dense_bias_" + act_name;
  OpDef op;
  op.name = name;
  op.summary = "Y[M,N] = " + formula + " with X[M,K], W[K,N], b[N]; blocks \"matmul\" (into T) and \"bias_" +
               act_name + "\"";
  op.params = {int_param("M"), int_param("N"), int_param("K"), dtype_param("dtype", DType::f32, float_dtypes()),
               out_dtype_param()};
  op.build = [name, act_name, act](const ParamValues& v) { return build_dense(name, act_name, act, v); };
  return op;
}

}  // namespace

std::vector<OpDef> dense_ops() {
  return {dense_op("gelu", "gelu(X @ W + b) (erf form)", gelu_erf), dense_op("relu", "relu(X @ W + b)", relu)};
}

}  // namespace weft::ir::ops
