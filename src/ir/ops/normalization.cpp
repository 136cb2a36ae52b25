// softmax and layernorm over the last axis of an M x N tensor. Row statistics live
// in intermediates allocated by the root block; for f16/bf16 tensors they (and the
// arithmetic) are f32, and only the result is rounded back to the storage type.
#include <string>

#include "ir/ops/compute.h"
#include "ir/ops/op_families.h"

namespace weft::ir::ops {
namespace {

PrimFunc build_softmax(const ParamValues& v) {
  int64_t M = v.get_int("M"), N = v.get_int("N");
  DType dt = v.get_dtype("dtype"), at = accumulation_type(dt);
  Buffer X = make_buffer("X", dt, {M, N});
  Buffer Y = make_buffer("Y", dt, {M, N});
  Buffer row_max = make_buffer("X_max", at, {M});
  Buffer shifted_exp = make_buffer("X_exp", at, {M, N});
  Buffer row_sum = make_buffer("X_sum", at, {M});
  auto x = [&](const Expr& i, const Expr& j) { return as_type(at, load(X, {i, j})); };

  Stmt maxelem = compute_block("maxelem", {spatial("i", M), reduce("k", N)}, [&](const std::vector<Expr>& it) {
    return reduction(row_max, {it[0]}, lowest_value(at), [&](Expr acc) { return max(acc, x(it[0], it[1])); });
  });
  Stmt expsub = compute_block("expsub", {spatial("i", M), spatial("j", N)}, [&](const std::vector<Expr>& it) {
    Expr e = call(Intrinsic::exp, {x(it[0], it[1]) - load(row_max, {it[0]})});
    return BlockCode{store(shifted_exp, e, {it[0], it[1]}), Stmt()};
  });
  Stmt sumexp = compute_block("sumexp", {spatial("i", M), reduce("k", N)}, [&](const std::vector<Expr>& it) {
    return reduction(row_sum, {it[0]}, make_const(at, 0.0),
                     [&](Expr acc) { return acc + load(shifted_exp, {it[0], it[1]}); });
  });
  Stmt norm = compute_block("norm", {spatial("i", M), spatial("j", N)}, [&](const std::vector<Expr>& it) {
    Expr y = load(shifted_exp, {it[0], it[1]}) / load(row_sum, {it[0]});
    return BlockCode{store(Y, as_type(dt, y), {it[0], it[1]}), Stmt()};
  });
  return make_func_with_root("softmax", {X, Y}, seq({maxelem, expsub, sumexp, norm}),
                             {row_max, shifted_exp, row_sum});
}

PrimFunc build_layernorm(const ParamValues& v) {
  int64_t M = v.get_int("M"), N = v.get_int("N");
  DType dt = v.get_dtype("dtype"), at = accumulation_type(dt);
  Buffer X = make_buffer("X", dt, {M, N});
  Buffer gamma = make_buffer("gamma", dt, {N});
  Buffer beta = make_buffer("beta", dt, {N});
  Buffer Y = make_buffer("Y", dt, {M, N});
  Buffer mean = make_buffer("X_mean", at, {M});
  Buffer var = make_buffer("X_var", at, {M});
  Expr inv_n = make_const(at, 1.0 / static_cast<double>(N));
  auto x = [&](const Expr& i, const Expr& j) { return as_type(at, load(X, {i, j})); };

  Stmt mean_block = compute_block("mean", {spatial("i", M), reduce("k", N)}, [&](const std::vector<Expr>& it) {
    return reduction(mean, {it[0]}, make_const(at, 0.0), [&](Expr acc) { return acc + x(it[0], it[1]) * inv_n; });
  });
  Stmt var_block = compute_block("variance", {spatial("i", M), reduce("k", N)}, [&](const std::vector<Expr>& it) {
    Expr d = x(it[0], it[1]) - load(mean, {it[0]});
    return reduction(var, {it[0]}, make_const(at, 0.0), [&](Expr acc) { return acc + d * d * inv_n; });
  });
  Stmt norm_block = compute_block("normalize", {spatial("i", M), spatial("j", N)}, [&](const std::vector<Expr>& it) {
    const Expr &i = it[0], &j = it[1];
    Expr rstd = call(Intrinsic::rsqrt, {load(var, {i}) + make_const(at, v.get_float("eps"))});
    Expr y = (x(i, j) - load(mean, {i})) * rstd * as_type(at, load(gamma, {j})) + as_type(at, load(beta, {j}));
    return BlockCode{store(Y, as_type(dt, y), {i, j}), Stmt()};
  });
  return make_func_with_root("layernorm", {X, gamma, beta, Y}, seq({mean_block, var_block, norm_block}), {mean, var});
}

}  // namespace

std::vector<OpDef> normalization_ops() {
  return {
      {"softmax",
       "Y[M,N] = softmax of X[M,N] over N; blocks \"maxelem\", \"expsub\", \"sumexp\", \"norm\"",
       {int_param("M"), int_param("N"), dtype_param("dtype", DType::f32, float_dtypes())},
       1,
       build_softmax},
      {"layernorm",
       "Y[M,N] = (X - mean) / sqrt(var + eps) * gamma[N] + beta[N], statistics over N; blocks \"mean\", "
       "\"variance\", \"normalize\"",
       {int_param("M"), int_param("N"), float_param("eps", 1e-5), dtype_param("dtype", DType::f32, float_dtypes())},
       1,
       build_layernorm},
  };
}

}  // namespace weft::ir::ops
