// matmul (2-D) and batch_matmul (rank >= 3, equal leading batch dims), each with
// transpose_a / transpose_b attributes, and addmm(bias, a, b) {alpha=1, beta=1} =
// beta*bias + alpha*(a@b) with bias broadcastable to the [M,N] result (PyTorch's
// addmm; beta=0 ignores bias, NaNs included). Kernels use Eigen's GEMM on
// row-major maps. The decompose pass rewrites addmm into matmul + mul/add.
#include <Eigen/Core>

#include "graph/grad_context.h"
#include "graph/ops/kernel_util.h"
#include "graph/ops/register.h"

namespace weft::graph {
namespace {

using Grads = std::vector<std::optional<ValueId>>;

template <class T>
using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Infers (batch dims, M, N) from the last two dims of the operands at inputs
// `ia` (A) and `ia + 1` (B), so addmm's messages name its own input positions.
std::vector<TensorType> infer_gemm(const InferContext& ctx, bool batched, size_t ia = 0) {
  size_t ib = ia + 1;
  ctx.expect_same_float(ia, ib);
  if (batched) {
    ctx.expect_min_rank(ia, 3);
    if (ctx.rank(ib) != ctx.rank(ia)) ctx.fail(ctx.input_desc(ia) + " and " + ctx.input_desc(ib) + " differ in rank");
  } else {
    ctx.expect_rank(ia, 2);
    ctx.expect_rank(ib, 2);
  }
  bool ta = ctx.attr_bool("transpose_a", false), tb = ctx.attr_bool("transpose_b", false);
  const Shape &a = ctx.shape(ia), &b = ctx.shape(ib);
  size_t r = a.size();
  Shape out(a.begin(), a.end() - 2);
  for (size_t i = 0; i + 2 < r; ++i)
    if (a[i] != b[i]) ctx.fail("batch dims of " + ctx.input_desc(ia) + " and " + ctx.input_desc(ib) + " differ");
  int64_t m = ta ? a[r - 1] : a[r - 2], ka = ta ? a[r - 2] : a[r - 1];
  int64_t kb = tb ? b[r - 1] : b[r - 2], n = tb ? b[r - 2] : b[r - 1];
  if (ka != kb)
    ctx.fail("contraction dims differ: " + ctx.input_desc(ia) + (ta ? " transposed" : "") + " has K=" +
             std::to_string(ka) + ", " + ctx.input_desc(ib) + (tb ? " transposed" : "") + " has K=" +
             std::to_string(kb));
  out.push_back(m);
  out.push_back(n);
  return {TensorType{out, ctx.input(ia).dtype, ""}};
}

// C = op(A) op(B) into `c`, whose shape is the inferred one.
void gemm_into(const NodeView& node, const Tensor& at, const Tensor& bt, Tensor& ct) {
  bool ta = node.attr_bool("transpose_a", false), tb = node.attr_bool("transpose_b", false);
  const Shape &a = at.shape(), &b = bt.shape(), &o = ct.shape();
  size_t r = a.size();
  int64_t batch = 1;
  for (size_t i = 0; i + 2 < r; ++i) batch *= a[i];
  int64_t ar = a[r - 2], ac = a[r - 1], br = b[r - 2], bc = b[r - 1], m = o[r - 2], n = o[r - 1];
  dispatch_float(at.dtype(), [&]<typename T>() {
    const T* A = at.data<T>().data();
    const T* B = bt.data<T>().data();
    T* C = ct.data<T>().data();
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

void gemm_kernel(KernelContext& ctx) { gemm_into(ctx, ctx.in(0), ctx.in(1), ctx.out(0)); }

Attrs gemm_attrs(bool ta, bool tb) {
  return {{"transpose_a", int64_t{ta}}, {"transpose_b", int64_t{tb}}};
}

// C = op(A) op(B) with `op` the GEMM op to emit. dA = g op(B)^T (or its transpose
// when A is transposed); likewise dB. Only the wanted gradients are built.
Grads gemm_operand_grads(GradContext& c, const std::string& op, ValueId g, ValueId a, ValueId b, bool need_a,
                         bool need_b) {
  bool ta = c.attr_bool("transpose_a", false), tb = c.attr_bool("transpose_b", false);
  Grads out{std::nullopt, std::nullopt};
  if (need_a) out[0] = ta ? c.emit(op, {b, g}, gemm_attrs(tb, true)) : c.emit(op, {g, b}, gemm_attrs(false, !tb));
  if (need_b) out[1] = tb ? c.emit(op, {g, a}, gemm_attrs(true, ta)) : c.emit(op, {a, g}, gemm_attrs(!ta, false));
  return out;
}

Grads gemm_grad(GradContext& c) {
  return gemm_operand_grads(c, c.op(), *c.out_grad(0), c.input(0), c.input(1), c.needs(0), c.needs(1));
}

// addmm(bias, a, b): the product's shape and transposes come from (a, b); bias must
// broadcast to it (one way: bias never widens the result).
// numpy broadcasting of `from` to `to` without changing `to`.
bool broadcasts_to(const Shape& from, const Shape& to) {
  if (from.size() > to.size()) return false;
  for (size_t i = 1; i <= from.size(); ++i)
    if (from[from.size() - i] != 1 && from[from.size() - i] != to[to.size() - i]) return false;
  return true;
}

std::vector<TensorType> infer_addmm(const InferContext& ctx) {
  std::vector<TensorType> out = infer_gemm(ctx, false, 1);
  ctx.expect_same_float(0, 1);
  if (!broadcasts_to(ctx.shape(0), out[0].shape))
    ctx.fail(ctx.input_desc(0) + " does not broadcast to the product's shape " + shape_str(out[0].shape));
  return out;
}

void addmm_kernel(KernelContext& ctx) {
  double alpha = ctx.attr_float("alpha", 1.0), beta = ctx.attr_float("beta", 1.0);
  const Tensor& bias = ctx.in(0);
  Tensor product(ctx.out(0).type());
  gemm_into(ctx, ctx.in(1), ctx.in(2), product);
  dispatch_float(bias.dtype(), [&]<typename T>() {
    if (beta == 0) {  // PyTorch: bias is ignored, so its NaNs and infinities do not propagate
      unary_map<T>(product, ctx.out(0), [&](T p) { return static_cast<T>(alpha * p); });
      return;
    }
    broadcast_binary<T>(product, bias, ctx.out(0), [&](T p, T c) { return static_cast<T>(alpha * p + beta * c); });
  });
}

// d bias = sum_to(beta * g), d a / d b = the matmul gradients of alpha * g.
Grads addmm_grad(GradContext& c) {
  double alpha = c.attr_float("alpha", 1.0), beta = c.attr_float("beta", 1.0);
  ValueId g = *c.out_grad(0), bias = c.input(0);
  DType dt = c.dtype(g);
  Grads out{std::nullopt, std::nullopt, std::nullopt};
  if (c.needs(0))
    out[0] = beta == 0 ? c.zeros(c.type(bias))
                       : c.sum_to(beta == 1 ? g : c.emit("mul", {g, c.scalar(beta, dt)}), c.shape(bias));
  if (c.needs(1) || c.needs(2)) {
    ValueId scaled = alpha == 1 ? g : c.emit("mul", {g, c.scalar(alpha, dt)});
    Grads ab = gemm_operand_grads(c, "matmul", scaled, c.input(1), c.input(2), c.needs(1), c.needs(2));
    out[1] = ab[0];
    out[2] = ab[1];
  }
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
  r.add(OpDef{"addmm", FusionClass::matmul, 3, 3,
              "addmm(bias, a, b) {alpha=1, beta=1, transpose_a=0, transpose_b=0}: beta*bias + alpha*(a@b), "
              "bias broadcast to [M,N]",
              infer_addmm, addmm_kernel, addmm_grad});
}

}  // namespace weft::graph
