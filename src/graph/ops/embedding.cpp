// Index ops: embedding(table[V,D], ids) -> [..., D] with its gradient
// embedding_grad(g, ids) {num_embeddings} (a scatter-add into [V,D]), and
// one_hot(ids) {depth, dtype=f32}. Ids are i64; an id out of range is a RuntimeError.
#include "graph/grad_context.h"
#include "graph/ops/register.h"

namespace weft::graph {
namespace {

using Grads = std::vector<std::optional<ValueId>>;

int64_t checked_id(const KernelContext& ctx, std::span<const int64_t> ids, int64_t i, int64_t limit) {
  int64_t id = ids[i];
  if (id < 0 || id >= limit)
    ctx.runtime_fail("id " + std::to_string(id) + " at flat position " + std::to_string(i) +
                     " is outside [0, " + std::to_string(limit) + ")");
  return id;
}

}  // namespace

void register_embedding_ops(OpRegistry& r) {
  r.add(OpDef{"embedding", FusionClass::elementwise, 2, 2, "embedding(table[V,D], ids i64[...]) -> [..., D]",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                ctx.expect_float(0);
                ctx.expect_rank(0, 2);
                ctx.expect_index(1);
                Shape out = ctx.shape(1);
                out.push_back(ctx.shape(0)[1]);
                return {TensorType{out, ctx.input(0).dtype, ""}};
              },
              [](KernelContext& ctx) {
                int64_t v = ctx.in(0).shape()[0], d = ctx.in(0).shape()[1];
                auto ids = ctx.in(1).data<int64_t>();
                dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
                  auto table = ctx.in(0).data<T>();
                  auto out = ctx.out(0).data<T>();
                  for (int64_t i = 0; i < static_cast<int64_t>(ids.size()); ++i) {
                    int64_t id = checked_id(ctx, ids, i, v);
                    std::copy_n(table.data() + id * d, d, out.data() + i * d);
                  }
                });
              },
              [](GradContext& c) -> Grads {
                int64_t v = c.shape(c.input(0))[0];
                return {c.emit("embedding_grad", {*c.out_grad(0), c.input(1)}, {{"num_embeddings", v}}),
                        std::nullopt};
              }});

  r.add(OpDef{"embedding_grad", FusionClass::reduction, 2, 2,
              "embedding_grad(g[..., D], ids i64[...]) {num_embeddings} -> [V, D], rows summed per id",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                ctx.expect_float(0);
                ctx.expect_index(1);
                Shape lead(ctx.shape(0).begin(), ctx.shape(0).end() - (ctx.rank(0) ? 1 : 0));
                if (ctx.rank(0) == 0 || lead != ctx.shape(1))
                  ctx.fail(ctx.input_desc(0) + " must be " + ctx.input_desc(1) + "'s shape plus one dim");
                int64_t v = ctx.attr_int("num_embeddings");
                if (v < 1) ctx.fail("num_embeddings must be positive");
                return {TensorType{{v, ctx.shape(0).back()}, ctx.input(0).dtype, ""}};
              },
              [](KernelContext& ctx) {
                int64_t v = ctx.out(0).shape()[0], d = ctx.out(0).shape()[1];
                auto ids = ctx.in(1).data<int64_t>();
                dispatch_float(ctx.in(0).dtype(), [&]<typename T>() {
                  auto g = ctx.in(0).data<T>();
                  auto out = ctx.out(0).data<T>();
                  for (int64_t i = 0; i < static_cast<int64_t>(ids.size()); ++i) {
                    int64_t id = checked_id(ctx, ids, i, v);
                    for (int64_t j = 0; j < d; ++j) out[id * d + j] += g[i * d + j];
                  }
                });
              },
              {}});

  r.add(OpDef{"one_hot", FusionClass::broadcast, 1, 1, "one_hot(ids i64[...]) {depth, dtype=f32} -> [..., depth]",
              [](const InferContext& ctx) -> std::vector<TensorType> {
                ctx.expect_index(0);
                int64_t depth = ctx.attr_int("depth");
                if (depth < 1) ctx.fail("depth must be positive");
                DType dtype = ctx.attr_dtype("dtype", DType::f32);
                if (!is_graph_float(dtype)) ctx.fail("dtype must be f32 or f64");
                Shape out = ctx.shape(0);
                out.push_back(depth);
                return {TensorType{out, dtype, ""}};
              },
              [](KernelContext& ctx) {
                int64_t depth = ctx.out(0).shape().back();
                auto ids = ctx.in(0).data<int64_t>();
                for (int64_t i = 0; i < static_cast<int64_t>(ids.size()); ++i)
                  ctx.out(0).set(i * depth + checked_id(ctx, ids, i, depth), 1.0);
              },
              [](GradContext&) -> Grads { return {std::nullopt}; }});
}

}  // namespace weft::graph
