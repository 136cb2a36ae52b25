// matmul (2-D) and batch_matmul (rank >= 3, equal leading batch dims), each with
// transpose_a / transpose_b attributes. Kernels use Eigen's GEMM on row-major maps.
#include <Eigen/Core>

#include "graph/grad_context.h"
#include "graph/ops/register.h"

namespace weft::graph {
namespace {

using Grads = std::vector<std::optional<ValueId>>;

template <class T>
using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct GemmDims {
  int64_t m, n, k;
};

// Infers (batch dims, m, n, k) from the last two dims of each operand.
std::vector<TensorType> infer_gemm(const InferContext& ctx, bool batched) {
  ctx.expect_same_float(0, 1);
  if (batched) {
    ctx.expect_min_rank(0, 3);
    if (ctx.rank(1) != ctx.rank(0)) ctx.fail(ctx.input_desc(0) + " and " + ctx.input_desc(1) + " differ in rank");
  } else {
    ctx.expect_rank(0, 2);
    ctx.expect_rank(1, 2);
  }
  bool ta = ctx.attr_bool("transpose_a", false), tb = ctx.attr_bool("transpose_b", false);
  const Shape &a = ctx.shape(0), &b = ctx.shape(1);
  size_t r = a.size();
  Shape out(a.begin(), a.end() - 2);
  for (size_t i = 0; i + 2 < r; ++i)
    if (a[i] != b[i]) ctx.fail("batch dims of " + ctx.input_desc(0) + " and " + ctx.input_desc(1) + " differ");
  int64_t m = ta ? a[r - 1] : a[r - 2], ka = ta ? a[r - 2] : a[r - 1];
  int64_t kb = tb ? b[r - 1] : b[r - 2], n = tb ? b[r - 2] : b[r - 1];
  if (ka != kb)
    ctx.fail("contraction dims differ: " + ctx.input_desc(0) + (ta ? " transposed" : "") + " has K=" +
             std::to_string(ka) + ", " + ctx.input_desc(1) + (tb ? " transposed" : "") + " has K=" +
             std::to_string(kb));
  out.push_back(m);
  out.push_back(n);
  return {TensorType{out, ctx.input(0).dtype, ""}};
}

void gemm_kernel(KernelContext& ctx) {
  bool ta = ctx.attr_bool("transpose_a", false), tb = ctx.attr_bool("transpose_b", false);
  const Shape &a = ctx.in(0).shape(), &b = ctx.in(1).shape(), &o = ctx.out(0).shape();
  size_t r = a.size();
  int64_t batch = 1;
  for (size_t i = 0; i + 2 < r; ++i) batch *= a[i];
  int64_t ar = a[r - 2], ac = a[r - 1], br = b[r - 2], bc = b[r - 1], m = o[r - 2], n = o[r - 1];
  dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
    const T* A = ctx.in(0).data<T>().data();
    const T* B = ctx.in(1).data<T>().data();
    T* C = ctx.out(0).data<T>().data();
    for (int64_t i = 0; i < batch; ++i) {
      Eigen::Map<const RowMajor<T>> ma(A + i * ar * ac, ar, ac), mb(B + i * br * bc, br, bc);
      Eigen::Map<RowMajor<T>> mc(C + i * m * n, m, n);
      if (!ta && !tb) mc.noalias() = ma * mb;
      else if (ta && !tb) mc.noalias() = ma.transpose() * mb;
      else if (!ta && tb) mc.noalias() = ma * mb.transpose();
      else mc.noalias() = ma.transpose() * mb.transpose();
    }
  });
}

Attrs gemm_attrs(bool ta, bool tb) {
  return {{"transpose_a", int64_t{ta}}, {"transpose_b", int64_t{tb}}};
}

// C = op(A) op(B). dA = g op(B)^T (or its transpose when A is transposed); likewise dB.
Grads gemm_grad(GradContext& c) {
  const std::string& op = c.op();
  bool ta = c.attr_bool("transpose_a", false), tb = c.attr_bool("transpose_b", false);
  ValueId g = *c.out_grad(0), a = c.input(0), b = c.input(1);
  Grads out{std::nullopt, std::nullopt};
  if (c.needs(0)) out[0] = ta ? c.emit(op, {b, g}, gemm_attrs(tb, true)) : c.emit(op, {g, b}, gemm_attrs(false, !tb));
  if (c.needs(1)) out[1] = tb ? c.emit(op, {g, a}, gemm_attrs(true, ta)) : c.emit(op, {a, g}, gemm_attrs(!ta, false));
  return out;
}

}  // namespace

void register_matmul_ops(OpRegistry& r) {
  r.add(OpDef{"matmul", FusionClass::matmul, 2, 2,
              "matmul(a, b) {transpose_a=0, transpose_b=0}: [M,K] x [K,N] -> [M,N]",
              [](const InferContext& ctx) { return infer_gemm(ctx, false); }, gemm_kernel, gemm_grad});
  r.add(OpDef{"batch_matmul", FusionClass::batch_matmul, 2, 2,
              "batch_matmul(a, b) {transpose_a=0, transpose_b=0}: [..., M,K] x [..., K,N] -> [..., M,N]",
              [](const InferContext& ctx) { return infer_gemm(ctx, true); }, gemm_kernel, gemm_grad});
}

}  // namespace weft::graph
