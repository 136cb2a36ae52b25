// Helpers shared by the op families: numpy broadcasting, strides, axis handling.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/op_context.h"
#include "graph/tensor.h"

namespace weft::graph {

// Row-major strides of a shape.
std::vector<int64_t> strides_of(const Shape& shape);
// Strides for reading `from` as if broadcast to `to` (0 along broadcast axes).
std::vector<int64_t> broadcast_strides(const Shape& from, const Shape& to);
// numpy broadcasting of two shapes, or ctx.fail naming both.
Shape broadcast_shapes(const InferContext& ctx, const Shape& a, const Shape& b);
// Normalised, sorted, duplicate-free axes; empty `axes` means all axes.
std::vector<int64_t> normalize_axes(const InferContext& ctx, const std::vector<int64_t>& axes, int64_t rank);
std::vector<int64_t> normalize_axes(const NodeView& view, const std::vector<int64_t>& axes, int64_t rank);

// out[k] = f(a[..], b[..]) with numpy broadcasting into out's shape.
template <class T, class F>
void broadcast_binary(const Tensor& a, const Tensor& b, Tensor& out, F f) {
  auto A = a.data<T>();
  auto B = b.data<T>();
  auto O = out.data<T>();
  const Shape& shape = out.shape();
  int64_t n = out.numel();
  if (a.shape() == shape && b.shape() == shape) {
    for (int64_t k = 0; k < n; ++k) O[k] = f(A[k], B[k]);
    return;
  }
  std::vector<int64_t> sa = broadcast_strides(a.shape(), shape), sb = broadcast_strides(b.shape(), shape);
  std::vector<int64_t> idx(shape.size(), 0);
  int64_t ia = 0, ib = 0;
  for (int64_t k = 0; k < n; ++k) {
    O[k] = f(A[ia], B[ib]);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      ++idx[d];
      ia += sa[d];
      ib += sb[d];
      if (idx[d] < shape[d]) break;
      ia -= sa[d] * shape[d];
      ib -= sb[d] * shape[d];
      idx[d] = 0;
    }
  }
}

// out[k] = f(x[k]) for tensors of the same shape.
template <class T, class F>
void unary_map(const Tensor& x, Tensor& out, F f) {
  auto X = x.data<T>();
  auto O = out.data<T>();
  for (size_t k = 0; k < X.size(); ++k) O[k] = f(X[k]);
}

// Splits a shape around one axis into (outer, axis length, inner) for row kernels.
struct AxisSplit {
  int64_t outer = 1, length = 1, inner = 1;
};
AxisSplit split_at_axis(const Shape& shape, int64_t axis);

}  // namespace weft::graph
