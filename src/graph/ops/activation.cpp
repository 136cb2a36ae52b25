// Activations (relu, gelu, tanh, sigmoid) and their backward ops, which take the
// incoming gradient first: relu_grad(g, y), gelu_grad(g, x), tanh_grad(g, y),
// sigmoid_grad(g, y). Backward ops are elementwise and have no gradient themselves.
#include <cmath>

#include "graph/grad_context.h"
#include "graph/ops/kernel_util.h"
#include "graph/ops/register.h"

namespace weft::graph {
namespace {

using Grads = std::vector<std::optional<ValueId>>;

template <class T>
T gelu(T x) {
  return static_cast<T>(0.5) * x * (static_cast<T>(1) + std::erf(x * static_cast<T>(M_SQRT1_2)));
}

template <class T>
T gelu_derivative(T x) {
  T cdf = static_cast<T>(0.5) * (static_cast<T>(1) + std::erf(x * static_cast<T>(M_SQRT1_2)));
  T pdf = std::exp(static_cast<T>(-0.5) * x * x) * static_cast<T>(0.5 * M_2_SQRTPI * M_SQRT1_2);
  return cdf + x * pdf;
}

template <class T>
T sigmoid(T x) {
  return static_cast<T>(1) / (static_cast<T>(1) + std::exp(-x));
}

OpDef activation(const std::string& name, const std::string& summary, KernelFn kernel, GradFn grad) {
  return OpDef{name, FusionClass::elementwise, 1, 1, summary,
               [](const InferContext& ctx) -> std::vector<TensorType> {
                 ctx.expect_float(0);
                 return {ctx.input(0)};
               },
               std::move(kernel), std::move(grad)};
}

// Backward op(g, saved): both the same float type.
template <class F>
OpDef backward(const std::string& name, const std::string& summary, F f) {
  return OpDef{name, FusionClass::elementwise, 2, 2, summary,
               [](const InferContext& ctx) -> std::vector<TensorType> {
                 ctx.expect_same_float(0, 1);
                 if (ctx.shape(0) != ctx.shape(1)) ctx.fail(ctx.input_desc(0) + " and " + ctx.input_desc(1) +
                                                            " must have the same shape");
                 return {ctx.input(0)};
               },
               [f](KernelContext& ctx) {
                 dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
                   broadcast_binary<T>(ctx.in(0), ctx.in(1), ctx.out(0), [&](T g, T s) { return f(g, s); });
                 });
               },
               {}};
}

}  // namespace

void register_activation_ops(OpRegistry& r) {
  r.add(activation("relu", "relu(x): max(x, 0)",
                   [](KernelContext& ctx) {
                     dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
                       unary_map<T>(ctx.in(0), ctx.out(0), [](T x) { return x > 0 ? x : T(0); });
                     });
                   },
                   [](GradContext& c) -> Grads { return {c.emit("relu_grad", {*c.out_grad(0), c.output(0)})}; }));
  r.add(activation("gelu", "gelu(x): x * Phi(x) (exact, erf form)",
                   [](KernelContext& ctx) {
                     dispatch_float(ctx.in(0).dtype(),
                                    [&]<typename T>() { unary_map<T>(ctx.in(0), ctx.out(0), gelu<T>); });
                   },
                   [](GradContext& c) -> Grads { return {c.emit("gelu_grad", {*c.out_grad(0), c.input(0)})}; }));
  r.add(activation("tanh", "tanh(x)",
                   [](KernelContext& ctx) {
                     dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
                       unary_map<T>(ctx.in(0), ctx.out(0), [](T x) { return std::tanh(x); });
                     });
                   },
                   [](GradContext& c) -> Grads { return {c.emit("tanh_grad", {*c.out_grad(0), c.output(0)})}; }));
  r.add(activation("sigmoid", "sigmoid(x): 1 / (1 + exp(-x))",
                   [](KernelContext& ctx) {
                     dispatch_float(ctx.in(0).dtype(),
                                    [&]<typename T>() { unary_map<T>(ctx.in(0), ctx.out(0), sigmoid<T>); });
                   },
                   [](GradContext& c) -> Grads {
                     return {c.emit("sigmoid_grad", {*c.out_grad(0), c.output(0)})};
                   }));

  r.add(backward("relu_grad", "relu_grad(g, y): g where y > 0 else 0 (y = relu output)",
                 [](auto g, auto y) { return y > 0 ? g : decltype(g)(0); }));
  r.add(backward("gelu_grad", "gelu_grad(g, x): g * gelu'(x)", [](auto g, auto x) { return g * gelu_derivative(x); }));
  r.add(backward("tanh_grad", "tanh_grad(g, y): g * (1 - y^2) (y = tanh output)",
                 [](auto g, auto y) { return g * (decltype(g)(1) - y * y); }));
  r.add(backward("sigmoid_grad", "sigmoid_grad(g, y): g * y * (1 - y) (y = sigmoid output)",
                 [](auto g, auto y) { return g * y * (decltype(g)(1) - y); }));
}

}  // namespace weft::graph
