// softmax and log_softmax over one axis (attribute axis, default -1), and their
// backward ops softmax_grad(g, y) = y * (g - sum(g * y)) and
// log_softmax_grad(g, y) = g - exp(y) * sum(g), where y is the forward output.
#include <cmath>

#include "graph/grad_context.h"
#include "graph/ops/kernel_util.h"
#include "graph/ops/register.h"

namespace weft::graph {
namespace {

using Grads = std::vector<std::optional<ValueId>>;

int64_t kernel_axis(const KernelContext& ctx) {
  int64_t axis = ctx.attr_int("axis", -1);
  return axis < 0 ? axis + static_cast<int64_t>(ctx.in(0).shape().size()) : axis;
}

// Calls f(offset, stride, length) for every line along the node's axis.
template <class F>
void for_each_line(const KernelContext& ctx, F f) {
  AxisSplit s = split_at_axis(ctx.in(0).shape(), kernel_axis(ctx));
  for (int64_t o = 0; o < s.outer; ++o)
    for (int64_t i = 0; i < s.inner; ++i) f(o * s.length * s.inner + i, s.inner, s.length);
}

void softmax_kernel(KernelContext& ctx, bool log) {
  dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
    auto X = ctx.in(0).data<T>();
    auto Y = ctx.out(0).data<T>();
    for_each_line(ctx, [&](int64_t base, int64_t stride, int64_t len) {
      T mx = X[base];
      for (int64_t j = 1; j < len; ++j) mx = std::max(mx, X[base + j * stride]);
      double total = 0;
      for (int64_t j = 0; j < len; ++j) total += std::exp(static_cast<double>(X[base + j * stride] - mx));
      double log_total = std::log(total);
      for (int64_t j = 0; j < len; ++j) {
        double shifted = static_cast<double>(X[base + j * stride] - mx);
        Y[base + j * stride] = static_cast<T>(log ? shifted - log_total : std::exp(shifted) / total);
      }
    });
  });
}

void softmax_grad_kernel(KernelContext& ctx, bool log) {
  dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
    auto G = ctx.in(0).data<T>();
    auto Y = ctx.in(1).data<T>();
    auto D = ctx.out(0).data<T>();
    for_each_line(ctx, [&](int64_t base, int64_t stride, int64_t len) {
      double acc = 0;
      for (int64_t j = 0; j < len; ++j) {
        int64_t k = base + j * stride;
        acc += log ? static_cast<double>(G[k]) : static_cast<double>(G[k]) * Y[k];
      }
      for (int64_t j = 0; j < len; ++j) {
        int64_t k = base + j * stride;
        D[k] = static_cast<T>(log ? G[k] - std::exp(static_cast<double>(Y[k])) * acc : Y[k] * (G[k] - acc));
      }
    });
  });
}

std::vector<TensorType> infer_softmax(const InferContext& ctx) {
  ctx.expect_float(0);
  ctx.expect_min_rank(0, 1);
  ctx.axis(ctx.attr_int("axis", -1), ctx.rank(0));
  return {ctx.input(0)};
}

std::vector<TensorType> infer_softmax_grad(const InferContext& ctx) {
  ctx.expect_same_float(0, 1);
  if (ctx.shape(0) != ctx.shape(1)) ctx.fail(ctx.input_desc(0) + " and " + ctx.input_desc(1) + " differ in shape");
  ctx.axis(ctx.attr_int("axis", -1), ctx.rank(0));
  return {ctx.input(0)};
}

}  // namespace

void register_softmax_ops(OpRegistry& r) {
  r.add(OpDef{"softmax", FusionClass::softmax, 1, 1, "softmax(x) {axis=-1}", infer_softmax,
              [](KernelContext& ctx) { softmax_kernel(ctx, false); }, [](GradContext& c) -> Grads {
                return {c.emit("softmax_grad", {*c.out_grad(0), c.output(0)}, {{"axis", c.attr_int("axis", -1)}})};
              }});
  r.add(OpDef{"log_softmax", FusionClass::softmax, 1, 1, "log_softmax(x) {axis=-1}", infer_softmax,
              [](KernelContext& ctx) { softmax_kernel(ctx, true); }, [](GradContext& c) -> Grads {
                return {c.emit("log_softmax_grad", {*c.out_grad(0), c.output(0)},
                               {{"axis", c.attr_int("axis", -1)}})};
              }});
  r.add(OpDef{"softmax_grad", FusionClass::softmax, 2, 2,
              "softmax_grad(g, y) {axis=-1}: y * (g - sum(g * y, axis))", infer_softmax_grad,
              [](KernelContext& ctx) { softmax_grad_kernel(ctx, false); }, {}});
  r.add(OpDef{"log_softmax_grad", FusionClass::softmax, 2, 2,
              "log_softmax_grad(g, y) {axis=-1}: g - exp(y) * sum(g, axis)", infer_softmax_grad,
              [](KernelContext& ctx) { softmax_grad_kernel(ctx, true); }, {}});
}

}  // namespace weft::graph
