// conv2d in NHWC with HWIO weights ([KH, KW, C, O]) and its data and weight
// gradients as ops. Attributes: stride, padding, dilation (pairs; defaults 1, 0, 1).
// Kernels lower each image to an im2col matrix and use Eigen's GEMM.
#include <Eigen/Core>

#include "graph/grad_context.h"
#include "graph/ops/register.h"

namespace weft::graph {
namespace {

using Grads = std::vector<std::optional<ValueId>>;

template <class T>
using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct ConvGeometry {
  int64_t n, h, w, c, kh, kw, o, oh, ow;
  int64_t sh, sw, ph, pw, dh, dw;
  int64_t patch() const { return kh * kw * c; }
};

std::vector<int64_t> pair_attr(const NodeView& v, const std::string& name, int64_t fallback, int64_t min) {
  std::vector<int64_t> p = v.attr_ints(name, {fallback, fallback});
  if (p.size() != 2 || p[0] < min || p[1] < min)
    v.fail("attribute '" + name + "' must be two integers >= " + std::to_string(min) + ", got " + attr_value_str(p));
  return p;
}

// Geometry from input dims [N,H,W,C], kernel dims [KH,KW] and output channels.
ConvGeometry geometry(const NodeView& v, const Shape& x, int64_t kh, int64_t kw, int64_t o) {
  auto s = pair_attr(v, "stride", 1, 1), p = pair_attr(v, "padding", 0, 0), d = pair_attr(v, "dilation", 1, 1);
  ConvGeometry g{x[0], x[1], x[2], x[3], kh, kw, o, 0, 0, s[0], s[1], p[0], p[1], d[0], d[1]};
  int64_t eh = g.h + 2 * g.ph - g.dh * (kh - 1), ew = g.w + 2 * g.pw - g.dw * (kw - 1);
  if (eh < 1 || ew < 1)
    v.fail("kernel " + std::to_string(kh) + "x" + std::to_string(kw) + " does not fit input " + shape_str(x) +
           " with this padding and dilation");
  g.oh = (eh - 1) / g.sh + 1;
  g.ow = (ew - 1) / g.sw + 1;
  return g;
}

// Visits (row of col, column of col, flat index into x) for every in-bounds tap of image n.
template <class F>
void for_each_tap(const ConvGeometry& g, int64_t n, F f) {
  for (int64_t oy = 0; oy < g.oh; ++oy)
    for (int64_t ox = 0; ox < g.ow; ++ox)
      for (int64_t ky = 0; ky < g.kh; ++ky) {
        int64_t iy = oy * g.sh - g.ph + ky * g.dh;
        if (iy < 0 || iy >= g.h) continue;
        for (int64_t kx = 0; kx < g.kw; ++kx) {
          int64_t ix = ox * g.sw - g.pw + kx * g.dw;
          if (ix < 0 || ix >= g.w) continue;
          int64_t row = oy * g.ow + ox, col = (ky * g.kw + kx) * g.c;
          int64_t xi = ((n * g.h + iy) * g.w + ix) * g.c;
          for (int64_t ch = 0; ch < g.c; ++ch) f(row, col + ch, xi + ch);
        }
      }
}

template <class T>
RowMajor<T> im2col(const ConvGeometry& g, const T* x, int64_t n) {
  RowMajor<T> col = RowMajor<T>::Zero(g.oh * g.ow, g.patch());
  for_each_tap(g, n, [&](int64_t r, int64_t c, int64_t xi) { col(r, c) = x[xi]; });
  return col;
}

void check_nhwc(const InferContext& ctx, size_t i) {
  ctx.expect_float(i);
  ctx.expect_rank(i, 4);
}

std::vector<TensorType> infer_conv(const InferContext& ctx) {
  check_nhwc(ctx, 0);
  check_nhwc(ctx, 1);
  ctx.expect_same_float(0, 1);
  const Shape &x = ctx.shape(0), &w = ctx.shape(1);
  if (w[2] != x[3]) ctx.fail("weight " + ctx.input_desc(1) + " expects " + std::to_string(w[2]) +
                             " input channels (HWIO), " + ctx.input_desc(0) + " has " + std::to_string(x[3]));
  ConvGeometry g = geometry(ctx, x, w[0], w[1], w[3]);
  return {TensorType{{g.n, g.oh, g.ow, g.o}, ctx.input(0).dtype, "NHWC"}};
}

// conv2d_grad_data(g, w) {input_hw}: the output must reproduce g's spatial size.
std::vector<TensorType> infer_grad_data(const InferContext& ctx) {
  check_nhwc(ctx, 0);
  check_nhwc(ctx, 1);
  ctx.expect_same_float(0, 1);
  std::vector<int64_t> hw = ctx.attr_ints("input_hw");
  if (hw.size() != 2 || hw[0] < 1 || hw[1] < 1) ctx.fail("input_hw must be two positive integers");
  const Shape &go = ctx.shape(0), &w = ctx.shape(1);
  Shape x{go[0], hw[0], hw[1], w[2]};
  ConvGeometry g = geometry(ctx, x, w[0], w[1], w[3]);
  if (go != Shape{g.n, g.oh, g.ow, g.o})
    ctx.fail(ctx.input_desc(0) + " is not the output shape of a conv of " + shape_str(x) + " with " +
             ctx.input_desc(1));
  return {TensorType{x, ctx.input(0).dtype, "NHWC"}};
}

// conv2d_grad_weight(x, g) {kernel_hw}
std::vector<TensorType> infer_grad_weight(const InferContext& ctx) {
  check_nhwc(ctx, 0);
  check_nhwc(ctx, 1);
  ctx.expect_same_float(0, 1);
  std::vector<int64_t> k = ctx.attr_ints("kernel_hw");
  if (k.size() != 2 || k[0] < 1 || k[1] < 1) ctx.fail("kernel_hw must be two positive integers");
  const Shape &x = ctx.shape(0), &go = ctx.shape(1);
  ConvGeometry g = geometry(ctx, x, k[0], k[1], go[3]);
  if (go != Shape{g.n, g.oh, g.ow, g.o})
    ctx.fail(ctx.input_desc(1) + " is not the output shape of a " + std::to_string(k[0]) + "x" +
             std::to_string(k[1]) + " conv of " + ctx.input_desc(0));
  return {TensorType{{k[0], k[1], x[3], go[3]}, ctx.input(0).dtype, "HWIO"}};
}

Attrs geometry_attrs(const NodeView& v) {
  Attrs a;
  for (const char* name : {"stride", "padding", "dilation"})
    if (v.attrs().has(name)) a.set(name, v.attr_ints(name));
  return a;
}

}  // namespace

void register_conv_ops(OpRegistry& r) {
  r.add(OpDef{"conv2d", FusionClass::conv, 2, 2,
              "conv2d(x[N,H,W,C], w[KH,KW,C,O]) {stride=[1,1], padding=[0,0], dilation=[1,1]} -> [N,OH,OW,O]",
              infer_conv,
              [](KernelContext& ctx) {
                const Shape& w = ctx.in(1).shape();
                ConvGeometry g = geometry(ctx, ctx.in(0).shape(), w[0], w[1], w[3]);
                dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
                  Eigen::Map<const RowMajor<T>> wm(ctx.in(1).data<T>().data(), g.patch(), g.o);
                  for (int64_t n = 0; n < g.n; ++n) {
                    Eigen::Map<RowMajor<T>> out(ctx.out(0).data<T>().data() + n * g.oh * g.ow * g.o, g.oh * g.ow, g.o);
                    out.noalias() = im2col<T>(g, ctx.in(0).data<T>().data(), n) * wm;
                  }
                });
              },
              [](GradContext& c) -> Grads {
                Grads out{std::nullopt, std::nullopt};
                const Shape &x = c.shape(c.input(0)), &w = c.shape(c.input(1));
                ValueId g = *c.out_grad(0);
                if (c.needs(0)) {
                  Attrs a = geometry_attrs(c);
                  a.set("input_hw", std::vector<int64_t>{x[1], x[2]});
                  out[0] = c.emit("conv2d_grad_data", {g, c.input(1)}, a);
                }
                if (c.needs(1)) {
                  Attrs a = geometry_attrs(c);
                  a.set("kernel_hw", std::vector<int64_t>{w[0], w[1]});
                  out[1] = c.emit("conv2d_grad_weight", {c.input(0), g}, a);
                }
                return out;
              }});

  r.add(OpDef{"conv2d_grad_data", FusionClass::conv, 2, 2,
              "conv2d_grad_data(g[N,OH,OW,O], w) {input_hw, stride, padding, dilation} -> dx[N,H,W,C]",
              infer_grad_data,
              [](KernelContext& ctx) {
                const Shape& w = ctx.in(1).shape();
                ConvGeometry g = geometry(ctx, ctx.out(0).shape(), w[0], w[1], w[3]);
                dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
                  Eigen::Map<const RowMajor<T>> wm(ctx.in(1).data<T>().data(), g.patch(), g.o);
                  T* dx = ctx.out(0).data<T>().data();
                  for (int64_t n = 0; n < g.n; ++n) {
                    Eigen::Map<const RowMajor<T>> go(ctx.in(0).data<T>().data() + n * g.oh * g.ow * g.o,
                                                     g.oh * g.ow, g.o);
                    RowMajor<T> dcol = go * wm.transpose();
                    for_each_tap(g, n, [&](int64_t row, int64_t col, int64_t xi) { dx[xi] += dcol(row, col); });
                  }
                });
              },
              {}});

  r.add(OpDef{"conv2d_grad_weight", FusionClass::conv, 2, 2,
              "conv2d_grad_weight(x, g[N,OH,OW,O]) {kernel_hw, stride, padding, dilation} -> dw[KH,KW,C,O]",
              infer_grad_weight,
              [](KernelContext& ctx) {
                std::vector<int64_t> k = ctx.attr_ints("kernel_hw");
                ConvGeometry g = geometry(ctx, ctx.in(0).shape(), k[0], k[1], ctx.in(1).shape()[3]);
                dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
                  Eigen::Map<RowMajor<T>> dw(ctx.out(0).data<T>().data(), g.patch(), g.o);
                  for (int64_t n = 0; n < g.n; ++n) {
                    Eigen::Map<const RowMajor<T>> go(ctx.in(1).data<T>().data() + n * g.oh * g.ow * g.o,
                                                     g.oh * g.ow, g.o);
                    dw.noalias() += im2col<T>(g, ctx.in(0).data<T>().data(), n).transpose() * go;
                  }
                });
              },
              {}});
}

}  // namespace weft::graph
