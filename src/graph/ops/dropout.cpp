// Dropout with a deterministic mask: element k is kept iff a uniform number
// derived from (seed, k) is >= p, and kept elements are scaled by 1/(1-p). The
// mask depends only on the seed and the flat index, so the backward op is the same
// dropout applied to the gradient, and dropout(x) == x * dropout_mask(shape of x).
#include "graph/grad_context.h"
#include "graph/ops/register.h"
#include "support/hash.h"
#include "support/rng.h"

namespace weft::graph {
namespace {

using Grads = std::vector<std::optional<ValueId>>;

double check_p(const NodeView& v) {
  double p = v.attr_float("p");
  if (!(p >= 0 && p < 1)) v.fail("p must be in [0, 1), got " + std::to_string(p));
  v.attr_int("seed");
  return p;
}

// 0 or 1/(1-p) for element k.
double mask_value(uint64_t seed, int64_t k, double p) {
  Rng rng(hash_combine(seed, static_cast<uint64_t>(k)));
  return rng.uniform_real() >= p ? 1.0 / (1.0 - p) : 0.0;
}

}  // namespace

void register_dropout_ops(OpRegistry& r) {
  r.add(OpDef{"dropout", FusionClass::elementwise, 1, 1, "dropout(x) {p, seed}: x * dropout_mask",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                ctx.expect_float(0);
                check_p(ctx);
                return {ctx.input(0)};
              },
              [](KernelContext& ctx) {
                double p = ctx.attr_float("p");
                auto seed = static_cast<uint64_t>(ctx.attr_int("seed"));
                dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
                  auto X = ctx.in(0).data<T>();
                  auto Y = ctx.out(0).data<T>();
                  for (int64_t k = 0; k < static_cast<int64_t>(X.size()); ++k)
                    Y[k] = static_cast<T>(X[k] * static_cast<T>(mask_value(seed, k, p)));
                });
              },
              [](GradContext& c) -> Grads { return {c.emit("dropout", {*c.out_grad(0)}, c.attrs())}; }});

  r.add(OpDef{"dropout_mask", FusionClass::elementwise, 0, 0,
              "dropout_mask() {shape, p, seed, dtype=f32}: 0 or 1/(1-p) per element",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                check_p(ctx);
                Shape shape = ctx.attr_ints("shape");
                for (int64_t d : shape)
                  if (d <= 0) ctx.fail("shape " + shape_str(shape) + " must have positive dimensions");
                DType dtype = ctx.attr_dtype("dtype", DType::f32);
                if (!is_graph_float(dtype)) ctx.fail("dtype must be f32 or f64");
                return {TensorType{shape, dtype, ""}};
              },
              [](KernelContext& ctx) {
                double p = ctx.attr_float("p");
                auto seed = static_cast<uint64_t>(ctx.attr_int("seed"));
                dispatch_float(ctx.out(0).dtype(), [&]<typename T>() {
                  auto M = ctx.out(0).data<T>();
                  for (int64_t k = 0; k < static_cast<int64_t>(M.size()); ++k)
                    M[k] = static_cast<T>(mask_value(seed, k, p));
                });
              },
              [](GradContext&) -> Grads { return {}; }});
}

}  // namespace weft::graph
