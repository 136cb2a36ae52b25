// Losses, each the mean over the batch, as a rank-0 tensor:
//   cross_entropy(logits[N,C], labels i64[N]) = nll_loss(log_softmax(logits), labels)
//   nll_loss(logp[N,C], labels i64[N]) = -mean(logp[i, labels[i]])
//   bce_with_logits(logits, targets) = mean(max(x,0) - x*t + log(1 + exp(-|x|)))
// cross_entropy's gradient is built as log_softmax_grad(nll_loss_grad(g)), the
// form EVT's decomposition and reduction-elimination passes work on.
#include <cmath>

#include "graph/grad_context.h"
#include "graph/ops/register.h"

namespace weft::graph {
namespace {

using Grads = std::vector<std::optional<ValueId>>;

std::vector<TensorType> infer_classification(const InferContext& ctx) {
  ctx.expect_float(0);
  ctx.expect_rank(0, 2);
  ctx.expect_index(1);
  if (ctx.shape(1) != Shape{ctx.shape(0)[0]})
    ctx.fail(ctx.input_desc(1) + " must hold one label per row of " + ctx.input_desc(0));
  return {TensorType{{}, ctx.input(0).dtype, ""}};
}

int64_t checked_label(const KernelContext& ctx, int64_t i, int64_t classes) {
  int64_t label = ctx.in(1).data<int64_t>()[i];
  if (label < 0 || label >= classes)
    ctx.runtime_fail("label " + std::to_string(label) + " of row " + std::to_string(i) + " is outside [0, " +
                     std::to_string(classes) + ")");
  return label;
}

// -mean(logp[i, label]); with `from_logits`, logp is computed per row first.
void nll_kernel(KernelContext& ctx, bool from_logits) {
  int64_t n = ctx.in(0).shape()[0], c = ctx.in(0).shape()[1];
  dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
    auto X = ctx.in(0).data<T>();
    double total = 0;
    for (int64_t i = 0; i < n; ++i) {
      int64_t label = checked_label(ctx, i, c);
      double logp = X[i * c + label];
      if (from_logits) {
        double mx = X[i * c];
        for (int64_t j = 1; j < c; ++j) mx = std::max(mx, static_cast<double>(X[i * c + j]));
        double s = 0;
        for (int64_t j = 0; j < c; ++j) s += std::exp(X[i * c + j] - mx);
        logp = logp - mx - std::log(s);
      }
      total -= logp;
    }
    ctx.out(0).data<T>()[0] = static_cast<T>(total / static_cast<double>(n));
  });
}

}  // namespace

void register_loss_ops(OpRegistry& r) {
  r.add(OpDef{"cross_entropy", FusionClass::softmax, 2, 2,
              "cross_entropy(logits[N,C], labels i64[N]) -> mean negative log-likelihood of the labels",
              infer_classification, [](KernelContext& ctx) { nll_kernel(ctx, true); }, [](GradContext& c) -> Grads {
                ValueId logp = c.emit("log_softmax", {c.input(0)}, {{"axis", int64_t{-1}}});
                ValueId dlogp = c.emit("nll_loss_grad", {*c.out_grad(0), c.input(1)},
                                       {{"num_classes", c.shape(c.input(0))[1]}});
                return {c.emit("log_softmax_grad", {dlogp, logp}, {{"axis", int64_t{-1}}}), std::nullopt};
              }});

  r.add(OpDef{"nll_loss", FusionClass::reduction, 2, 2, "nll_loss(logp[N,C], labels i64[N]) -> -mean(logp[i, label])",
              infer_classification, [](KernelContext& ctx) { nll_kernel(ctx, false); }, [](GradContext& c) -> Grads {
                return {c.emit("nll_loss_grad", {*c.out_grad(0), c.input(1)},
                               {{"num_classes", c.shape(c.input(0))[1]}}),
                        std::nullopt};
              }});

  r.add(OpDef{"nll_loss_grad", FusionClass::broadcast, 2, 2,
              "nll_loss_grad(g[], labels i64[N]) {num_classes} -> [N,C]: -g/N at each row's label, else 0",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                ctx.expect_float(0);
                ctx.expect_rank(0, 0);
                ctx.expect_index(1);
                ctx.expect_rank(1, 1);
                int64_t c = ctx.attr_int("num_classes");
                if (c < 1) ctx.fail("num_classes must be positive");
                return {TensorType{{ctx.shape(1)[0], c}, ctx.input(0).dtype, ""}};
              },
              [](KernelContext& ctx) {
                int64_t n = ctx.in(1).shape()[0], c = ctx.out(0).shape()[1];
                double v = -ctx.in(0).at(0) / static_cast<double>(n);
                for (int64_t i = 0; i < n; ++i) ctx.out(0).set(i * c + checked_label(ctx, i, c), v);
              },
              {}});

  r.add(OpDef{"bce_with_logits", FusionClass::reduction, 2, 2,
              "bce_with_logits(logits, targets) -> mean binary cross-entropy of sigmoid(logits) against targets",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                ctx.expect_same_float(0, 1);
                if (ctx.shape(0) != ctx.shape(1))
                  ctx.fail(ctx.input_desc(0) + " and " + ctx.input_desc(1) + " differ in shape");
                return {TensorType{{}, ctx.input(0).dtype, ""}};
              },
              [](KernelContext& ctx) {
                dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
                  auto X = ctx.in(0).data<T>();
                  auto Y = ctx.in(1).data<T>();
                  double total = 0;
                  for (size_t k = 0; k < X.size(); ++k) {
                    double x = X[k];
                    total += std::max(x, 0.0) - x * Y[k] + std::log1p(std::exp(-std::fabs(x)));
                  }
                  ctx.out(0).data<T>()[0] = static_cast<T>(total / static_cast<double>(X.size()));
                });
              },
              [](GradContext& c) -> Grads {
                // d/dx = (sigmoid(x) - t) * g / numel; targets are labels and get no gradient.
                ValueId x = c.input(0);
                DType dt = c.dtype(x);
                ValueId diff = c.emit("sub", {c.emit("sigmoid", {x}), c.input(1)});
                ValueId scale = c.emit("div", {*c.out_grad(0), c.scalar(static_cast<double>(c.type(x).numel()), dt)});
                return {c.emit("mul", {diff, scale}), std::nullopt};
              }});
}

}  // namespace weft::graph
