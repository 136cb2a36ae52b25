// layernorm (over the last axis) and batchnorm (training mode: batch statistics
// over every axis but the last, i.e. channels-last NHWC), each with gamma and beta
// of shape [C], and their backward ops returning (dx, dgamma, dbeta). Statistics
// accumulate in double in both f32 and f64.
#include <cmath>

#include "graph/grad_context.h"
#include "graph/ops/register.h"

namespace weft::graph {
namespace {

using Grads = std::vector<std::optional<ValueId>>;

// Both norms normalise "groups" of elements of a [rows, C] view of x: layernorm's
// groups are rows (stride 1 along C), batchnorm's are columns (stride C down rows).
struct NormView {
  int64_t rows, cols;
  bool per_row;  // layernorm
  int64_t groups() const { return per_row ? rows : cols; }
  int64_t group_size() const { return per_row ? cols : rows; }
  int64_t index(int64_t group, int64_t j) const { return per_row ? group * cols + j : j * cols + group; }
  int64_t channel(int64_t group, int64_t j) const { return per_row ? j : group; }
};

NormView view_of(const Shape& shape, bool per_row) {
  int64_t cols = shape.back();
  return {shape_numel(shape) / cols, cols, per_row};
}

std::vector<TensorType> infer_norm(const InferContext& ctx) {
  ctx.expect_float(0);
  ctx.expect_min_rank(0, ctx.op() == "batchnorm" ? 2 : 1);
  int64_t c = ctx.shape(0).back();
  for (size_t i = 1; i <= 2; ++i) {
    ctx.expect_same_float(0, i);
    if (ctx.shape(i) != Shape{c}) ctx.fail(ctx.input_desc(i) + " must have shape [" + std::to_string(c) + "]");
  }
  if (ctx.attr_float("eps", 1e-5) <= 0) ctx.fail("eps must be positive");
  return {ctx.input(0)};
}

std::vector<TensorType> infer_norm_grad(const InferContext& ctx) {
  ctx.expect_same_float(0, 1);
  ctx.expect_same_float(0, 2);
  if (ctx.shape(0) != ctx.shape(1)) ctx.fail(ctx.input_desc(0) + " and " + ctx.input_desc(1) + " differ in shape");
  Shape channel{ctx.shape(1).back()};
  if (ctx.shape(2) != channel) ctx.fail(ctx.input_desc(2) + " must have shape " + shape_str(channel));
  TensorType param{channel, ctx.input(0).dtype, ""};
  return {ctx.input(1), param, param};
}

struct Stats {
  std::vector<double> mean, rstd;
};

template <class T>
Stats statistics(std::span<const T> x, const NormView& v, double eps) {
  Stats s{std::vector<double>(v.groups()), std::vector<double>(v.groups())};
  for (int64_t g = 0; g < v.groups(); ++g) {
    double sum = 0, sq = 0;
    for (int64_t j = 0; j < v.group_size(); ++j) sum += x[v.index(g, j)];
    double mean = sum / static_cast<double>(v.group_size());
    for (int64_t j = 0; j < v.group_size(); ++j) {
      double d = x[v.index(g, j)] - mean;
      sq += d * d;
    }
    s.mean[g] = mean;
    s.rstd[g] = 1.0 / std::sqrt(sq / static_cast<double>(v.group_size()) + eps);
  }
  return s;
}

void norm_kernel(KernelContext& ctx, bool per_row) {
  NormView v = view_of(ctx.in(0).shape(), per_row);
  dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
    auto X = ctx.in(0).data<T>();
    auto gamma = ctx.in(1).data<T>();
    auto beta = ctx.in(2).data<T>();
    auto Y = ctx.out(0).data<T>();
    Stats s = statistics<T>(X, v, ctx.attr_float("eps", 1e-5));
    for (int64_t g = 0; g < v.groups(); ++g)
      for (int64_t j = 0; j < v.group_size(); ++j) {
        int64_t k = v.index(g, j), c = v.channel(g, j);
        Y[k] = static_cast<T>((X[k] - s.mean[g]) * s.rstd[g] * gamma[c] + beta[c]);
      }
  });
}

// dx = rstd * (dy - mean(dy) - xhat * mean(dy * xhat)) with dy = g * gamma, per group;
// dgamma = sum(g * xhat), dbeta = sum(g) per channel.
void norm_grad_kernel(KernelContext& ctx, bool per_row) {
  NormView v = view_of(ctx.in(1).shape(), per_row);
  dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
    auto G = ctx.in(0).data<T>();
    auto X = ctx.in(1).data<T>();
    auto gamma = ctx.in(2).data<T>();
    auto DX = ctx.out(0).data<T>();
    std::vector<double> dgamma(v.cols, 0.0), dbeta(v.cols, 0.0);
    Stats s = statistics<T>(X, v, ctx.attr_float("eps", 1e-5));
    double n = static_cast<double>(v.group_size());
    for (int64_t g = 0; g < v.groups(); ++g) {
      double mean_dy = 0, mean_dy_xhat = 0;
      for (int64_t j = 0; j < v.group_size(); ++j) {
        int64_t k = v.index(g, j), c = v.channel(g, j);
        double xhat = (X[k] - s.mean[g]) * s.rstd[g];
        double dy = static_cast<double>(G[k]) * gamma[c];
        mean_dy += dy;
        mean_dy_xhat += dy * xhat;
        dgamma[c] += static_cast<double>(G[k]) * xhat;
        dbeta[c] += G[k];
      }
      mean_dy /= n;
      mean_dy_xhat /= n;
      for (int64_t j = 0; j < v.group_size(); ++j) {
        int64_t k = v.index(g, j), c = v.channel(g, j);
        double xhat = (X[k] - s.mean[g]) * s.rstd[g];
        double dy = static_cast<double>(G[k]) * gamma[c];
        DX[k] = static_cast<T>(s.rstd[g] * (dy - mean_dy - xhat * mean_dy_xhat));
      }
    }
    auto DG = ctx.out(1).data<T>();
    auto DB = ctx.out(2).data<T>();
    for (int64_t c = 0; c < v.cols; ++c) {
      DG[c] = static_cast<T>(dgamma[c]);
      DB[c] = static_cast<T>(dbeta[c]);
    }
  });
}

GradFn norm_grad(const std::string& grad_op) {
  return [grad_op](GradContext& c) -> Grads {
    std::vector<ValueId> d = c.emit_multi(grad_op, {*c.out_grad(0), c.input(0), c.input(1)},
                                          {{"eps", c.attr_float("eps", 1e-5)}});
    return {d[0], d[1], d[2]};
  };
}

}  // namespace

void register_normalization_ops(OpRegistry& r) {
  r.add(OpDef{"layernorm", FusionClass::layernorm, 3, 3,
              "layernorm(x, gamma, beta) {eps=1e-5}: normalise over the last axis, then gamma * xhat + beta",
              infer_norm, [](KernelContext& ctx) { norm_kernel(ctx, true); }, norm_grad("layernorm_grad")});
  r.add(OpDef{"layernorm_grad", FusionClass::layernorm, 3, 3,
              "layernorm_grad(g, x, gamma) {eps=1e-5} -> (dx, dgamma, dbeta)", infer_norm_grad,
              [](KernelContext& ctx) { norm_grad_kernel(ctx, true); }, {}});
  r.add(OpDef{"batchnorm", FusionClass::reduction, 3, 3,
              "batchnorm(x, gamma, beta) {eps=1e-5}: training-mode batch statistics over all axes but the last",
              infer_norm, [](KernelContext& ctx) { norm_kernel(ctx, false); }, norm_grad("batchnorm_grad")});
  r.add(OpDef{"batchnorm_grad", FusionClass::reduction, 3, 3,
              "batchnorm_grad(g, x, gamma) {eps=1e-5} -> (dx, dgamma, dbeta)", infer_norm_grad,
              [](KernelContext& ctx) { norm_grad_kernel(ctx, false); }, {}});
}

}  // namespace weft::graph
