// Reductions over axes: sum, mean, max. Attributes: axes (empty = all) and
// keepdims (0/1, default 0).
#include <cmath>
#include <limits>

#include "graph/grad_context.h"
#include "graph/ops/kernel_util.h"
#include "graph/ops/register.h"

namespace weft::graph {
namespace {

using Grads = std::vector<std::optional<ValueId>>;

// The input shape with reduced axes set to 1.
Shape kept_shape(const NodeView& view, const Shape& in) {
  Shape keep = in;
  for (int64_t a : normalize_axes(view, view.attr_ints("axes", {}), static_cast<int64_t>(in.size()))) keep[a] = 1;
  return keep;
}

std::vector<TensorType> infer_reduce(const InferContext& ctx) {
  ctx.expect_float(0);
  std::vector<int64_t> axes = normalize_axes(ctx, ctx.attr_ints("axes", {}), ctx.rank(0));
  bool keepdims = ctx.attr_bool("keepdims", false);
  Shape out;
  for (int64_t i = 0; i < ctx.rank(0); ++i) {
    bool reduced = std::find(axes.begin(), axes.end(), i) != axes.end();
    if (!reduced) out.push_back(ctx.shape(0)[i]);
    else if (keepdims) out.push_back(1);
  }
  return {TensorType{out, ctx.input(0).dtype, ""}};
}

// Folds every input element into its output slot: acc = f(acc, x).
template <class T, class F>
void reduce_into(const Tensor& in, const Shape& keep, std::span<T> out, F f) {
  auto X = in.data<T>();
  const Shape& shape = in.shape();
  std::vector<int64_t> so = broadcast_strides(keep, shape);
  std::vector<int64_t> idx(shape.size(), 0);
  int64_t io = 0;
  for (int64_t k = 0; k < in.numel(); ++k) {
    out[io] = f(out[io], X[k]);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      ++idx[d];
      io += so[d];
      if (idx[d] < shape[d]) break;
      io -= so[d] * shape[d];
      idx[d] = 0;
    }
  }
}

enum class Kind { sum, mean, max };

KernelFn reduce_kernel(Kind kind) {
  return [kind](KernelContext& ctx) {
    Shape keep = kept_shape(ctx, ctx.in(0).shape());
    dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
      auto O = ctx.out(0).data<T>();
      if (kind == Kind::max) {
        std::fill(O.begin(), O.end(), -std::numeric_limits<T>::infinity());
        reduce_into<T>(ctx.in(0), keep, O, [](T acc, T x) { return x > acc || std::isnan(x) ? x : acc; });
      } else {
        reduce_into<T>(ctx.in(0), keep, O, [](T acc, T x) { return acc + x; });
      }
      if (kind == Kind::mean) {
        T count = static_cast<T>(ctx.in(0).numel() / std::max<int64_t>(1, shape_numel(keep)));
        for (T& v : O) v /= count;
      }
    });
  };
}

// Broadcasts an output-shaped gradient back over the reduced axes.
ValueId expand_back(GradContext& c, ValueId g) {
  Shape keep = kept_shape(c, c.shape(c.input(0)));
  if (c.shape(g) != keep) g = c.emit("reshape", {g}, {{"shape", keep}});
  return g;
}

}  // namespace

void register_reduction_ops(OpRegistry& r) {
  r.add(OpDef{"sum", FusionClass::reduction, 1, 1, "sum(x) {axes=[], keepdims=0}", infer_reduce,
              reduce_kernel(Kind::sum), [](GradContext& c) -> Grads {
                ValueId g = expand_back(c, *c.out_grad(0));
                return {c.emit("broadcast_to", {g}, {{"shape", c.shape(c.input(0))}})};
              }});
  r.add(OpDef{"mean", FusionClass::reduction, 1, 1, "mean(x) {axes=[], keepdims=0}", infer_reduce,
              reduce_kernel(Kind::mean), [](GradContext& c) -> Grads {
                ValueId g = expand_back(c, *c.out_grad(0));
                double count = static_cast<double>(c.type(c.input(0)).numel() / c.type(g).numel());
                ValueId scaled = c.emit("div", {g, c.scalar(count, c.dtype(g))});
                return {c.emit("broadcast_to", {scaled}, {{"shape", c.shape(c.input(0))}})};
              }});
  r.add(OpDef{"max", FusionClass::reduction, 1, 1,
              "max(x) {axes=[], keepdims=0}; the gradient goes to every maximal element", infer_reduce,
              reduce_kernel(Kind::max), [](GradContext& c) -> Grads {
                ValueId g = expand_back(c, *c.out_grad(0));
                ValueId y = expand_back(c, c.output(0));
                ValueId mask = c.emit("equal", {c.input(0), y});
                return {c.emit("mul", {mask, g})};
              }});
}

}  // namespace weft::graph
