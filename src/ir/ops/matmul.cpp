// matmul and batch_matmul: C = op(A) @ op(B), where the transpose flags give A as
// K x M (ta=1) and B as N x K (tb=1). Half-precision inputs are cast to out_dtype
// (f32 by default) inside the block, so products accumulate in f32.
#include <string>

#include "ir/ops/compute.h"
#include "ir/ops/op_families.h"

namespace weft::ir::ops {

ParamDef out_dtype_param() {
  ParamDef p = dtype_param("out_dtype", DType::f32, float_dtypes());
  p.default_text.reset();
  p.derived_default = [](const ParamValues& v) {
    return std::string(dtype_name(accumulation_type(v.get_dtype("dtype"))));
  };
  p.derived_default_doc = "f32 for f16/bf16, else dtype";
  return p;
}

namespace {

// Batched when `batch` > 0: every buffer gets a leading batch dimension.
PrimFunc build_matmul(const std::string& name, int64_t batch, const ParamValues& v) {
  int64_t M = v.get_int("M"), N = v.get_int("N"), K = v.get_int("K");
  bool ta = v.get_int("ta") != 0, tb = v.get_int("tb") != 0;
  DType dt = v.get_dtype("dtype"), od = v.get_dtype("out_dtype");
  auto shape = [&](std::vector<int64_t> dims) {
    if (batch > 0) dims.insert(dims.begin(), batch);
    return dims;
  };
  Buffer A = make_buffer("A", dt, shape(ta ? std::vector<int64_t>{K, M} : std::vector<int64_t>{M, K}));
  Buffer B = make_buffer("B", dt, shape(tb ? std::vector<int64_t>{N, K} : std::vector<int64_t>{K, N}));
  Buffer C = make_buffer("C", od, shape({M, N}));
  std::vector<Axis> axes = {spatial("i", M), spatial("j", N), reduce("k", K)};
  if (batch > 0) axes.insert(axes.begin(), spatial("b", batch));
  Stmt body = compute_block("C", axes, [&](const std::vector<Expr>& it) {
    std::vector<Expr> lead;
    if (batch > 0) lead.push_back(it[0]);
    size_t o = lead.size();
    const Expr &i = it[o], &j = it[o + 1], &k = it[o + 2];
    auto idx = [&](const Expr& x, const Expr& y) {
      std::vector<Expr> r = lead;
      r.push_back(x);
      r.push_back(y);
      return r;
    };
    Expr a = as_type(od, load(A, ta ? idx(k, i) : idx(i, k)));
    Expr b = as_type(od, load(B, tb ? idx(j, k) : idx(k, j)));
    return reduction(C, idx(i, j), make_const(od, 0.0), [&](Expr acc) { return acc + a * b; });
  });
  return make_func_with_root(name, {A, B, C}, body);
}

}  // namespace

std::vector<OpDef> matmul_ops() {
  std::vector<OpDef> ops;
  ops.push_back({"matmul",
                 "C[M,N] = A[M,K] @ B[K,N] (A is K x M with ta=1, B is N x K with tb=1); block \"C\"",
                 {int_param("M"), int_param("N"), int_param("K"), flag_param("ta"), flag_param("tb"),
                  dtype_param("dtype", DType::f32, float_dtypes()), out_dtype_param()},
                 1,
                 [](const ParamValues& v) { return build_matmul("matmul", 0, v); }});
  ops.push_back({"batch_matmul",
                 "C[B,M,N] = A[B,M,K] @ B[B,K,N] per batch (transposes as in matmul); block \"C\"",
                 {int_param("B"), int_param("M"), int_param("N"), int_param("K"), flag_param("ta"), flag_param("tb"),
                  dtype_param("dtype", DType::f32, float_dtypes()), out_dtype_param()},
                 1,
                 [](const ParamValues& v) { return build_matmul("batch_matmul", v.get_int("B"), v); }});
  return ops;
}

}  // namespace weft::ir::ops
