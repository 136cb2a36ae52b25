// SpMM with a CSR sparse matrix A (indptr i64[M+1], indices i64[nnz], values[nnz])
// and a dense matrix: spmm(indptr, indices, values, dense) {transpose_a=0, a_cols}.
// Without transpose: A[M,K] x dense[K,N] -> [M,N] (K = dense rows). With
// transpose_a=1: A^T x dense[M,N] -> [a_cols, N]. The CSR structure is checked at
// run time. spmm_grad_values gives the gradient w.r.t. the nonzero values.
#include "graph/grad_context.h"
#include "graph/ops/register.h"

namespace weft::graph {
namespace {

using Grads = std::vector<std::optional<ValueId>>;

void infer_csr(const InferContext& ctx) {
  ctx.expect_index(0);
  ctx.expect_index(1);
  ctx.expect_rank(0, 1);
  ctx.expect_rank(1, 1);
  if (ctx.shape(0)[0] < 2) ctx.fail(ctx.input_desc(0) + " (indptr) needs at least 2 entries");
}

// Rows x columns of A, and the dense operand's required row count.
struct SpmmDims {
  int64_t rows, cols;
};

SpmmDims a_dims(const NodeView& v, int64_t indptr_len, const Shape& dense) {
  int64_t rows = indptr_len - 1;
  if (v.attr_bool("transpose_a", false)) {
    int64_t cols = v.attr_int("a_cols");
    if (cols < 1) v.fail("a_cols must be positive");
    return {rows, cols};
  }
  return {rows, dense[0]};
}

// Validates the CSR arrays and calls f(row, col, nonzero index) for every nonzero.
template <class F>
void for_each_nonzero(const KernelContext& ctx, SpmmDims dims, F f) {
  auto indptr = ctx.in(0).data<int64_t>();
  auto indices = ctx.in(1).data<int64_t>();
  auto nnz = static_cast<int64_t>(indices.size());
  if (indptr[0] != 0 || indptr[dims.rows] != nnz)
    ctx.runtime_fail("indptr must start at 0 and end at nnz = " + std::to_string(nnz));
  for (int64_t r = 0; r < dims.rows; ++r) {
    if (indptr[r + 1] < indptr[r]) ctx.runtime_fail("indptr decreases at row " + std::to_string(r));
    for (int64_t e = indptr[r]; e < indptr[r + 1]; ++e) {
      if (indices[e] < 0 || indices[e] >= dims.cols)
        ctx.runtime_fail("column index " + std::to_string(indices[e]) + " of nonzero " + std::to_string(e) +
                         " is outside [0, " + std::to_string(dims.cols) + ")");
      f(r, indices[e], e);
    }
  }
}

}  // namespace

void register_sparse_ops(OpRegistry& r) {
  r.add(OpDef{"spmm", FusionClass::spmm, 4, 4,
              "spmm(indptr, indices, values, dense) {transpose_a=0, a_cols}: CSR A (or A^T) times dense",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                infer_csr(ctx);
                ctx.expect_same_float(2, 3);
                ctx.expect_rank(2, 1);
                ctx.expect_rank(3, 2);
                if (ctx.shape(2) != ctx.shape(1)) ctx.fail(ctx.input_desc(2) + " must match " + ctx.input_desc(1));
                SpmmDims d = a_dims(ctx, ctx.shape(0)[0], ctx.shape(3));
                bool t = ctx.attr_bool("transpose_a", false);
                if (t && ctx.shape(3)[0] != d.rows)
                  ctx.fail(ctx.input_desc(3) + " must have " + std::to_string(d.rows) + " rows for A^T x dense");
                return {TensorType{{t ? d.cols : d.rows, ctx.shape(3)[1]}, ctx.input(3).dtype, ""}};
              },
              [](KernelContext& ctx) {
                bool t = ctx.attr_bool("transpose_a", false);
                SpmmDims d = a_dims(ctx, ctx.in(0).numel(), ctx.in(3).shape());
                int64_t n = ctx.in(3).shape()[1];
                dispatch_float(ctx.in(3).dtype(), [&]<typename T>() {
                  auto vals = ctx.in(2).data<T>();
                  auto B = ctx.in(3).data<T>();
                  auto C = ctx.out(0).data<T>();
                  for_each_nonzero(ctx, d, [&](int64_t row, int64_t col, int64_t e) {
                    int64_t src = t ? row : col, dst = t ? col : row;
                    for (int64_t j = 0; j < n; ++j) C[dst * n + j] += vals[e] * B[src * n + j];
                  });
                });
              },
              [](GradContext& c) -> Grads {
                bool t = c.attr_bool("transpose_a", false);
                ValueId g = *c.out_grad(0);
                Grads out{std::nullopt, std::nullopt, std::nullopt, std::nullopt};
                if (c.needs(2))
                  out[2] = c.emit("spmm_grad_values", {c.input(0), c.input(1), g, c.input(3)},
                                  {{"transpose_a", int64_t{t}}});
                if (c.needs(3)) {
                  Attrs a{{"transpose_a", int64_t{!t}}};
                  if (!t) a.set("a_cols", c.shape(c.input(3))[0]);
                  out[3] = c.emit("spmm", {c.input(0), c.input(1), c.input(2), g}, a);
                }
                return out;
              }});

  r.add(OpDef{"spmm_grad_values", FusionClass::spmm, 4, 4,
              "spmm_grad_values(indptr, indices, g, dense) {transpose_a=0}: d(values) of spmm",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                infer_csr(ctx);
                ctx.expect_same_float(2, 3);
                ctx.expect_rank(2, 2);
                ctx.expect_rank(3, 2);
                if (ctx.shape(2)[1] != ctx.shape(3)[1]) ctx.fail(ctx.input_desc(2) + " and " + ctx.input_desc(3) +
                                                                 " differ in columns");
                int64_t rows = ctx.shape(0)[0] - 1;
                bool t = ctx.attr_bool("transpose_a", false);
                if ((t ? ctx.shape(3)[0] : ctx.shape(2)[0]) != rows)
                  ctx.fail("the gradient and dense operands do not match A's " + std::to_string(rows) + " rows");
                return {TensorType{ctx.shape(1), ctx.input(2).dtype, ""}};
              },
              [](KernelContext& ctx) {
                bool t = ctx.attr_bool("transpose_a", false);
                // A's columns index the dense operand (no transpose) or the gradient (transpose).
                SpmmDims d{ctx.in(0).numel() - 1, t ? ctx.in(2).shape()[0] : ctx.in(3).shape()[0]};
                int64_t n = ctx.in(3).shape()[1];
                dispatch_float(ctx.in(2).dtype(), [&]<typename T>() {
                  auto G = ctx.in(2).data<T>();
                  auto B = ctx.in(3).data<T>();
                  auto DV = ctx.out(0).data<T>();
                  for_each_nonzero(ctx, d, [&](int64_t row, int64_t col, int64_t e) {
                    int64_t gi = t ? col : row, bi = t ? row : col;
                    double acc = 0;
                    for (int64_t j = 0; j < n; ++j) acc += static_cast<double>(G[gi * n + j]) * B[bi * n + j];
                    DV[e] = static_cast<T>(acc);
                  });
                });
              },
              {}});
}

}  // namespace weft::graph
