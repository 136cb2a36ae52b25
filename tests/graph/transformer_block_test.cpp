// A tiny one-layer transformer (embedding, multi-head self-attention, GELU MLP,
// layernorms, dropout, cross-entropy over the vocabulary) built by hand: its
// training graph runs, its gradients match finite differences in f64, and f32
// execution agrees with f64.
#include <cmath>

#include "grad_check.h"
#include "graph/convert.h"

using namespace weft::graph;
using weft::graph::testing::GradCheck;

namespace {

constexpr int64_t B = 2, S = 3, H = 8, NH = 2, HD = H / NH, V = 7, F = 16;

ValueId linear(Graph& g, ValueId x, ValueId w, ValueId b) { return g.add("add", {g.add("matmul", {x, w}), b}); }

// Builds the block into c's graph; returns the loss.
ValueId build_block(GradCheck& c) {
  Graph& g = c.graph();
  ValueId ids = c.indices("ids", {B, S}, {1, 4, 6, 0, 2, 4});
  ValueId labels = c.indices("labels", {B * S}, {4, 6, 0, 2, 4, 5}, InputKind::label);
  ValueId table = c.param("table", {V, H});
  ValueId wqkv = c.param("wqkv", {H, 3 * H}), bqkv = c.param("bqkv", {3 * H});
  ValueId wo = c.param("wo", {H, H}), bo = c.param("bo", {H});
  ValueId g1 = c.param("ln1_gamma", {H}, 0.5, 1.5), b1 = c.param("ln1_beta", {H});
  ValueId w1 = c.param("w1", {H, F}), bf1 = c.param("b1", {F});
  ValueId w2 = c.param("w2", {F, H}), bf2 = c.param("b2", {H});
  ValueId g2 = c.param("ln2_gamma", {H}, 0.5, 1.5), b2 = c.param("ln2_beta", {H});
  ValueId wout = c.param("wout", {H, V});

  ValueId x = g.add("reshape", {g.add("embedding", {table, ids})}, {{"shape", Shape{B * S, H}}});
  ValueId qkv = linear(g, x, wqkv, bqkv);
  auto head_split = [&](int64_t part) {
    ValueId t = g.add("slice", {qkv}, {{"axis", int64_t{1}}, {"begin", part * H}, {"end", (part + 1) * H}});
    t = g.add("reshape", {t}, {{"shape", Shape{B, S, NH, HD}}});
    return g.add("permute", {t}, {{"perm", std::vector<int64_t>{0, 2, 1, 3}}});
  };
  ValueId q = head_split(0), k = head_split(1), v = head_split(2);
  ValueId scores = g.add("batch_matmul", {q, k}, {{"transpose_b", int64_t{1}}});
  ValueId scale = g.add("full", {}, {{"shape", Shape{}}, {"value", 1.0 / std::sqrt(double(HD))}, {"dtype", std::string("f64")}});
  ValueId probs = g.add("softmax", {g.add("mul", {scores, scale})}, {{"axis", int64_t{-1}}});
  probs = g.add("dropout", {probs}, {{"p", 0.1}, {"seed", int64_t{3}}});
  ValueId ctx = g.add("permute", {g.add("batch_matmul", {probs, v})}, {{"perm", std::vector<int64_t>{0, 2, 1, 3}}});
  ctx = g.add("reshape", {ctx}, {{"shape", Shape{B * S, H}}});
  ValueId attn = g.add("dropout", {linear(g, ctx, wo, bo)}, {{"p", 0.1}, {"seed", int64_t{4}}});
  ValueId h = g.add("layernorm", {g.add("add", {x, attn}), g1, b1});
  ValueId mlp = linear(g, g.add("gelu", {linear(g, h, w1, bf1)}), w2, bf2);
  ValueId h2 = g.add("layernorm", {g.add("add", {h, mlp}), g2, b2});
  return g.add("cross_entropy", {g.add("matmul", {h2, wout}), labels});
}

}  // namespace

TEST(TransformerBlock, GradientsMatchFiniteDifferences) {
  GradCheck c(42);
  ValueId loss = build_block(c);
  c.check(loss, 1e-5, 1e-8, 1e-6, /*sample=*/6);
}

TEST(TransformerBlock, TrainingGraphHasEveryParameterGradient) {
  GradCheck c(42);
  c.graph().add_output("loss", build_block(c));
  Graph train = build_training_graph(c.graph());
  int params = 0;
  for (const GraphInput& in : c.graph().inputs()) {
    if (in.kind != InputKind::parameter) continue;
    ++params;
    ValueId grad = train.output(gradient_output_name(c.graph().value(in.value).name));
    EXPECT_EQ(train.type(grad), c.graph().type(in.value));
  }
  EXPECT_EQ(params, 14);
  // The backward part is real work: more nodes than the forward graph.
  EXPECT_GT(train.nodes().size(), 2 * c.graph().nodes().size());
}

TEST(TransformerBlock, F32ExecutionAgreesWithF64) {
  GradCheck c(42);
  c.graph().add_output("loss", build_block(c));
  Graph train64 = build_training_graph(c.graph());
  Graph train32 = with_float_dtype(train64, DType::f32);
  TensorMap feeds32;
  for (const auto& [name, t] : c.feeds()) feeds32[name] = t.dtype() == DType::f64 ? t.cast(DType::f32) : t;
  TensorMap r64 = execute(train64, c.feeds()), r32 = execute(train32, feeds32);
  ASSERT_EQ(r64.size(), r32.size());
  bool any_rounding = false;
  for (const auto& [name, t64] : r64) {
    const Tensor& t32 = r32.at(name);
    EXPECT_EQ(t32.dtype(), DType::f32) << name;
    EXPECT_LE(closeness(t32, t64, 1e-3, 1e-5), 1.0) << name;
    any_rounding = any_rounding || max_abs_diff(t32, t64) > 0;
  }
  EXPECT_TRUE(any_rounding) << "f32 results are bit-identical to f64: f32 is not really computed in f32";
}
