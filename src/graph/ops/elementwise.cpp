// Elementwise arithmetic with numpy broadcasting (add, sub, mul, div, maximum,
// equal), unary math (neg, exp, log, sqrt), constants (full) and broadcast_to.
#include <cmath>

#include "graph/grad_context.h"
#include "graph/ops/kernel_util.h"
#include "graph/ops/register.h"

namespace weft::graph {
namespace {

std::vector<TensorType> infer_binary(const InferContext& ctx) {
  ctx.expect_same_float(0, 1);
  return {TensorType{broadcast_shapes(ctx, ctx.shape(0), ctx.shape(1)), ctx.input(0).dtype, ""}};
}

std::vector<TensorType> infer_same_as_input(const InferContext& ctx) {
  ctx.expect_float(0);
  return {TensorType{ctx.shape(0), ctx.input(0).dtype, ctx.input(0).layout}};
}

template <class F>
KernelFn binary_kernel(F f) {
  return [f](KernelContext& ctx) {
    dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
      broadcast_binary<T>(ctx.in(0), ctx.in(1), ctx.out(0), [&](T a, T b) { return static_cast<T>(f(a, b)); });
    });
  };
}

template <class F>
KernelFn unary_kernel(F f) {
  return [f](KernelContext& ctx) {
    dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
      unary_map<T>(ctx.in(0), ctx.out(0), [&](T x) { return static_cast<T>(f(x)); });
    });
  };
}

OpDef binary(const std::string& name, const std::string& summary, KernelFn kernel, GradFn grad) {
  return OpDef{name, FusionClass::elementwise, 2, 2, summary, infer_binary, std::move(kernel), std::move(grad)};
}

OpDef unary(const std::string& name, const std::string& summary, KernelFn kernel, GradFn grad) {
  return OpDef{name, FusionClass::elementwise, 1, 1, summary, infer_same_as_input, std::move(kernel),
               std::move(grad)};
}

using Grads = std::vector<std::optional<ValueId>>;

}  // namespace

void register_elementwise_ops(OpRegistry& r) {
  r.add(binary("add", "add(a, b): a + b with numpy broadcasting",
               binary_kernel([](auto a, auto b) { return a + b; }), [](GradContext& c) -> Grads {
                 ValueId g = *c.out_grad(0);
                 return {c.sum_to(g, c.shape(c.input(0))), c.sum_to(g, c.shape(c.input(1)))};
               }));
  r.add(binary("sub", "sub(a, b): a - b with numpy broadcasting",
               binary_kernel([](auto a, auto b) { return a - b; }), [](GradContext& c) -> Grads {
                 ValueId g = *c.out_grad(0);
                 Grads out{std::nullopt, std::nullopt};
                 if (c.needs(0)) out[0] = c.sum_to(g, c.shape(c.input(0)));
                 if (c.needs(1)) out[1] = c.sum_to(c.emit("neg", {g}), c.shape(c.input(1)));
                 return out;
               }));
  r.add(binary("mul", "mul(a, b): a * b with numpy broadcasting",
               binary_kernel([](auto a, auto b) { return a * b; }), [](GradContext& c) -> Grads {
                 ValueId g = *c.out_grad(0);
                 Grads out{std::nullopt, std::nullopt};
                 if (c.needs(0)) out[0] = c.sum_to(c.emit("mul", {g, c.input(1)}), c.shape(c.input(0)));
                 if (c.needs(1)) out[1] = c.sum_to(c.emit("mul", {g, c.input(0)}), c.shape(c.input(1)));
                 return out;
               }));
  r.add(binary("div", "div(a, b): a / b with numpy broadcasting",
               binary_kernel([](auto a, auto b) { return a / b; }), [](GradContext& c) -> Grads {
                 ValueId g = *c.out_grad(0);
                 Grads out{std::nullopt, std::nullopt};
                 if (c.needs(0)) out[0] = c.sum_to(c.emit("div", {g, c.input(1)}), c.shape(c.input(0)));
                 if (c.needs(1)) {  // d(a/b)/db = -(a/b)/b
                   ValueId t = c.emit("div", {c.emit("mul", {g, c.output(0)}), c.input(1)});
                   out[1] = c.sum_to(c.emit("neg", {t}), c.shape(c.input(1)));
                 }
                 return out;
               }));
  r.add(binary("maximum", "maximum(a, b): elementwise max with broadcasting; ties send the gradient to a",
               binary_kernel([](auto a, auto b) { return a >= b ? a : b; }), [](GradContext& c) -> Grads {
                 ValueId g = *c.out_grad(0);
                 // mask = (out == a): 1 where a won (ties included), else 0.
                 ValueId mask = c.emit("equal", {c.output(0), c.input(0)});
                 Grads out{std::nullopt, std::nullopt};
                 if (c.needs(0)) out[0] = c.sum_to(c.emit("mul", {g, mask}), c.shape(c.input(0)));
                 if (c.needs(1)) {
                   ValueId rest = c.emit("sub", {c.scalar(1.0, c.dtype(g)), mask});
                   out[1] = c.sum_to(c.emit("mul", {g, rest}), c.shape(c.input(1)));
                 }
                 return out;
               }));
  r.add(binary("equal", "equal(a, b): 1 where a == b else 0, in the inputs' float dtype; gradient zero",
               binary_kernel([](auto a, auto b) { return a == b ? 1 : 0; }),
               [](GradContext&) -> Grads { return {std::nullopt, std::nullopt}; }));
  r.add(binary("not_equal", "not_equal(a, b): 1 where a != b else 0, in the inputs' float dtype; gradient zero",
               binary_kernel([](auto a, auto b) { return a != b ? 1 : 0; }),
               [](GradContext&) -> Grads { return {std::nullopt, std::nullopt}; }));

  r.add(unary("neg", "neg(x): -x", unary_kernel([](auto x) { return -x; }),
              [](GradContext& c) -> Grads { return {c.emit("neg", {*c.out_grad(0)})}; }));
  r.add(unary("exp", "exp(x)", unary_kernel([](auto x) { return std::exp(x); }), [](GradContext& c) -> Grads {
    return {c.emit("mul", {*c.out_grad(0), c.output(0)})};
  }));
  r.add(unary("log", "log(x), natural", unary_kernel([](auto x) { return std::log(x); }),
              [](GradContext& c) -> Grads { return {c.emit("div", {*c.out_grad(0), c.input(0)})}; }));
  r.add(unary("sqrt", "sqrt(x)", unary_kernel([](auto x) { return std::sqrt(x); }), [](GradContext& c) -> Grads {
    ValueId two_y = c.emit("mul", {c.output(0), c.scalar(2.0, c.dtype(c.output(0)))});
    return {c.emit("div", {*c.out_grad(0), two_y})};
  }));

  r.add(OpDef{"full", FusionClass::broadcast, 0, 0,
              "full() {shape, value, dtype=f32}: a constant tensor filled with value",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                Shape shape = ctx.attr_ints("shape");
                for (int64_t d : shape)
                  if (d <= 0) ctx.fail("shape " + shape_str(shape) + " must have positive dimensions");
                ctx.attr_float("value");
                DType dtype = ctx.attr_dtype("dtype", DType::f32);
                return {TensorType{shape, dtype, ""}};
              },
              [](KernelContext& ctx) {
                double v = ctx.attr_float("value");
                for (int64_t k = 0; k < ctx.out(0).numel(); ++k) ctx.out(0).set(k, v);
              },
              [](GradContext&) -> Grads { return {}; }});

  r.add(OpDef{"broadcast_to", FusionClass::broadcast, 1, 1,
              "broadcast_to(x) {shape}: numpy-broadcast x to shape",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                ctx.expect_float(0);
                Shape target = ctx.attr_ints("shape");
                if (broadcast_shapes(ctx, ctx.shape(0), target) != target)
                  ctx.fail(ctx.input_desc(0) + " does not broadcast to " + shape_str(target));
                return {TensorType{target, ctx.input(0).dtype, ""}};
              },
              [](KernelContext& ctx) {
                dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
                  Tensor zero(TensorType{{}, ctx.in(0).dtype(), ""});
                  broadcast_binary<T>(ctx.in(0), zero, ctx.out(0), [](T a, T) { return a; });
                });
              },
              [](GradContext& c) -> Grads { return {c.sum_to(*c.out_grad(0), c.shape(c.input(0)))}; }});
}

}  // namespace weft::graph
