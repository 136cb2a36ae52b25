// Pooling over NHWC inputs: max_pool2d and avg_pool2d {kernel, stride=kernel,
// padding=[0,0]}, and adaptive_max_pool2d {output_hw} (XML-CNN's dynamic max
// pooling: output cell i covers [floor(i*H/OH), ceil((i+1)*H/OH))). Backward ops:
// max_pool2d_grad(g, x), adaptive_max_pool2d_grad(g, x) route g to the first
// maximum of each window; avg_pool2d_grad(g) {input_hw} spreads it evenly.
// Average pooling's count_include_pad (default 1, PyTorch's; ONNX AveragePool's
// default is 0) chooses the divisor: the whole kernel area, padding included, or
// only the in-bounds elements. Windows never reach past the padded input (there
// is no ceil mode), so "padding included" is always kernel[0] * kernel[1].
#include <limits>

#include "graph/grad_context.h"
#include "graph/ops/register.h"

namespace weft::graph {
namespace {

using Grads = std::vector<std::optional<ValueId>>;

struct Window {
  int64_t y0, y1, x0, x1;  // half-open, clipped to the input
};

struct PoolGeometry {
  int64_t n, h, w, c, oh, ow;
  bool adaptive;
  int64_t kh = 0, kw = 0, sh = 0, sw = 0, ph = 0, pw = 0;
  bool count_include_pad = true;

  Window window(int64_t oy, int64_t ox) const {
    if (adaptive)
      return {oy * h / oh, ((oy + 1) * h + oh - 1) / oh, ox * w / ow, ((ox + 1) * w + ow - 1) / ow};
    int64_t y0 = oy * sh - ph, x0 = ox * sw - pw;
    return {std::max<int64_t>(y0, 0), std::min(y0 + kh, h), std::max<int64_t>(x0, 0), std::min(x0 + kw, w)};
  }
  // What average pooling divides a window's sum by.
  double divisor(const Window& win) const {
    if (count_include_pad) return static_cast<double>(kh * kw);
    return static_cast<double>((win.y1 - win.y0) * (win.x1 - win.x0));
  }
};

std::vector<int64_t> pair_attr(const NodeView& v, const std::string& name, std::vector<int64_t> fallback,
                               int64_t min) {
  std::vector<int64_t> p = fallback.empty() ? v.attr_ints(name) : v.attr_ints(name, fallback);
  if (p.size() != 2 || p[0] < min || p[1] < min)
    v.fail("attribute '" + name + "' must be two integers >= " + std::to_string(min) + ", got " + attr_value_str(p));
  return p;
}

// Geometry of pooling an [N,H,W,C] input; the op name selects the rule.
PoolGeometry geometry(const NodeView& v, const Shape& x, bool adaptive) {
  PoolGeometry g{x[0], x[1], x[2], x[3], 0, 0, adaptive};
  if (adaptive) {
    auto out = pair_attr(v, "output_hw", {}, 1);
    if (out[0] > g.h || out[1] > g.w)
      v.fail("output_hw " + attr_value_str(out) + " is larger than the input " + shape_str(x));
    g.oh = out[0];
    g.ow = out[1];
    return g;
  }
  auto k = pair_attr(v, "kernel", {}, 1);
  auto s = pair_attr(v, "stride", k, 1);
  auto p = pair_attr(v, "padding", {0, 0}, 0);
  if (2 * p[0] > k[0] || 2 * p[1] > k[1]) v.fail("padding " + attr_value_str(p) + " exceeds half the kernel");
  g.kh = k[0], g.kw = k[1], g.sh = s[0], g.sw = s[1], g.ph = p[0], g.pw = p[1];
  g.count_include_pad = v.attr_bool("count_include_pad", true);
  if (g.h + 2 * g.ph < g.kh || g.w + 2 * g.pw < g.kw)
    v.fail("kernel " + attr_value_str(k) + " is larger than the padded input " + shape_str(x));
  g.oh = (g.h + 2 * g.ph - g.kh) / g.sh + 1;
  g.ow = (g.w + 2 * g.pw - g.kw) / g.sw + 1;
  return g;
}

bool is_adaptive(const std::string& op) { return op.starts_with("adaptive"); }

std::vector<TensorType> infer_pool(const InferContext& ctx) {
  ctx.expect_float(0);
  ctx.expect_rank(0, 4);
  PoolGeometry g = geometry(ctx, ctx.shape(0), is_adaptive(ctx.op()));
  return {TensorType{{g.n, g.oh, g.ow, g.c}, ctx.input(0).dtype, "NHWC"}};
}

// Calls f(out_index, window, image base index) for every output element's channel 0;
// callers step over channels themselves.
template <class F>
void for_each_window(const PoolGeometry& g, F f) {
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t oy = 0; oy < g.oh; ++oy)
      for (int64_t ox = 0; ox < g.ow; ++ox) f(((n * g.oh + oy) * g.ow + ox) * g.c, g.window(oy, ox), n);
}

int64_t x_index(const PoolGeometry& g, int64_t n, int64_t y, int64_t x) { return ((n * g.h + y) * g.w + x) * g.c; }

// For each output element, the flat input index of the first maximum of its window.
template <class T>
std::vector<int64_t> argmax(const PoolGeometry& g, std::span<const T> X) {
  std::vector<int64_t> arg(static_cast<size_t>(g.n * g.oh * g.ow * g.c), -1);
  for_each_window(g, [&](int64_t o, Window win, int64_t n) {
    for (int64_t ch = 0; ch < g.c; ++ch) {
      T best = -std::numeric_limits<T>::infinity();
      for (int64_t y = win.y0; y < win.y1; ++y)
        for (int64_t x = win.x0; x < win.x1; ++x) {
          int64_t k = x_index(g, n, y, x) + ch;
          if (arg[o + ch] < 0 || X[k] > best) best = X[k], arg[o + ch] = k;
        }
    }
  });
  return arg;
}

void max_pool_kernel(KernelContext& ctx) {
  PoolGeometry g = geometry(ctx, ctx.in(0).shape(), is_adaptive(ctx.op()));
  dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
    auto X = ctx.in(0).data<T>();
    auto Y = ctx.out(0).data<T>();
    std::vector<int64_t> arg = argmax<T>(g, X);
    for (size_t o = 0; o < arg.size(); ++o) Y[o] = X[arg[o]];
  });
}

// max_pool2d_grad(g, x) / adaptive_max_pool2d_grad(g, x)
std::vector<TensorType> infer_max_grad(const InferContext& ctx) {
  ctx.expect_same_float(0, 1);
  ctx.expect_rank(1, 4);
  PoolGeometry g = geometry(ctx, ctx.shape(1), is_adaptive(ctx.op()));
  if (ctx.shape(0) != Shape{g.n, g.oh, g.ow, g.c})
    ctx.fail(ctx.input_desc(0) + " is not the pooled shape of " + ctx.input_desc(1));
  return {ctx.input(1)};
}

void max_pool_grad_kernel(KernelContext& ctx) {
  PoolGeometry g = geometry(ctx, ctx.in(1).shape(), is_adaptive(ctx.op()));
  dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
    auto G = ctx.in(0).data<T>();
    auto DX = ctx.out(0).data<T>();
    std::vector<int64_t> arg = argmax<T>(g, ctx.in(1).data<T>());
    for (size_t o = 0; o < arg.size(); ++o) DX[arg[o]] += G[o];
  });
}

Attrs pool_attrs(const NodeView& v) {
  Attrs a;
  for (const char* name : {"kernel", "stride", "padding", "output_hw"})
    if (v.attrs().has(name)) a.set(name, v.attr_ints(name));
  if (v.attrs().has("count_include_pad")) a.set("count_include_pad", int64_t{v.attr_bool("count_include_pad", true)});
  return a;
}

GradFn max_grad_rule(const std::string& grad_op) {
  return [grad_op](GradContext& c) -> Grads {
    return {c.emit(grad_op, {*c.out_grad(0), c.input(0)}, pool_attrs(c))};
  };
}

}  // namespace

void register_pooling_ops(OpRegistry& r) {
  r.add(OpDef{"max_pool2d", FusionClass::reduction, 1, 1,
              "max_pool2d(x[N,H,W,C]) {kernel, stride=kernel, padding=[0,0]}", infer_pool, max_pool_kernel,
              max_grad_rule("max_pool2d_grad")});
  r.add(OpDef{"max_pool2d_grad", FusionClass::reduction, 2, 2, "max_pool2d_grad(g, x) {kernel, stride, padding}",
              infer_max_grad, max_pool_grad_kernel, {}});
  r.add(OpDef{"adaptive_max_pool2d", FusionClass::reduction, 1, 1,
              "adaptive_max_pool2d(x[N,H,W,C]) {output_hw}: dynamic max pooling into output_hw cells", infer_pool,
              max_pool_kernel, max_grad_rule("adaptive_max_pool2d_grad")});
  r.add(OpDef{"adaptive_max_pool2d_grad", FusionClass::reduction, 2, 2,
              "adaptive_max_pool2d_grad(g, x) {output_hw}", infer_max_grad, max_pool_grad_kernel, {}});

  r.add(OpDef{"avg_pool2d", FusionClass::reduction, 1, 1,
              "avg_pool2d(x[N,H,W,C]) {kernel, stride=kernel, padding=[0,0], count_include_pad=1}",
              infer_pool,
              [](KernelContext& ctx) {
                PoolGeometry g = geometry(ctx, ctx.in(0).shape(), false);
                dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
                  auto X = ctx.in(0).data<T>();
                  auto Y = ctx.out(0).data<T>();
                  for_each_window(g, [&](int64_t o, Window win, int64_t n) {
                    double count = g.divisor(win);
                    for (int64_t ch = 0; ch < g.c; ++ch) {
                      double acc = 0;
                      for (int64_t y = win.y0; y < win.y1; ++y)
                        for (int64_t x = win.x0; x < win.x1; ++x) acc += X[x_index(g, n, y, x) + ch];
                      Y[o + ch] = static_cast<T>(acc / count);
                    }
                  });
                });
              },
              [](GradContext& c) -> Grads {
                Attrs a = pool_attrs(c);
                const Shape& x = c.shape(c.input(0));
                a.set("input_hw", std::vector<int64_t>{x[1], x[2]});
                return {c.emit("avg_pool2d_grad", {*c.out_grad(0)}, a)};
              }});
  r.add(OpDef{"avg_pool2d_grad", FusionClass::reduction, 1, 1,
              "avg_pool2d_grad(g) {input_hw, kernel, stride, padding, count_include_pad=1}",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                ctx.expect_float(0);
                ctx.expect_rank(0, 4);
                auto hw = pair_attr(ctx, "input_hw", {}, 1);
                Shape x{ctx.shape(0)[0], hw[0], hw[1], ctx.shape(0)[3]};
                PoolGeometry g = geometry(ctx, x, false);
                if (ctx.shape(0) != Shape{g.n, g.oh, g.ow, g.c})
                  ctx.fail(ctx.input_desc(0) + " is not the pooled shape of " + shape_str(x));
                return {TensorType{x, ctx.input(0).dtype, "NHWC"}};
              },
              [](KernelContext& ctx) {
                PoolGeometry g = geometry(ctx, ctx.out(0).shape(), false);
                dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
                  auto G = ctx.in(0).data<T>();
                  auto DX = ctx.out(0).data<T>();
                  for_each_window(g, [&](int64_t o, Window win, int64_t n) {
                    double count = g.divisor(win);
                    for (int64_t ch = 0; ch < g.c; ++ch)
                      for (int64_t y = win.y0; y < win.y1; ++y)
                        for (int64_t x = win.x0; x < win.x1; ++x)
                          DX[x_index(g, n, y, x) + ch] += static_cast<T>(G[o + ch] / count);
                  });
                });
              },
              {}});
}

}  // namespace weft::graph
