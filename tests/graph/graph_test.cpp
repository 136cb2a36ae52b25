// Graph construction, naming, type errors, the executor's feed checks and autodiff
// corner cases.
#include <gtest/gtest.h>

#include <cmath>

#include "graph/autodiff.h"
#include "graph/executor.h"
#include "graph/graph.h"
#include "graph/op_registry.h"
#include "support/error.h"

using namespace weft::graph;

namespace {

TensorType f64(Shape s) { return TensorType{std::move(s), DType::f64, ""}; }

// Runs f and returns the message of the error of type E it throws.
template <class E, class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

}  // namespace

TEST(Graph, BuildsTypedNodesWithUniqueNames) {
  Graph g("mlp");
  ValueId x = g.add_input("x", f64({4, 3}), InputKind::data);
  ValueId w = g.add_input("w", f64({3, 2}), InputKind::parameter);
  ValueId y1 = g.add("matmul", {x, w}, {}, "fc");
  ValueId y2 = g.add("matmul", {x, w}, {}, "fc");
  EXPECT_EQ(g.value(y1).name, "fc");
  EXPECT_EQ(g.value(y2).name, "fc_1");
  EXPECT_EQ(g.type(y1), f64({4, 2}));
  EXPECT_EQ(g.value(y2).producer, 1);
  EXPECT_TRUE(g.is_parameter(w));
  EXPECT_FALSE(g.is_parameter(x));
  // Multi-output nodes name their values name:i.
  ValueId gamma = g.add_input("gamma", f64({2}), InputKind::parameter);
  std::vector<ValueId> outs = g.add_node("layernorm_grad", {y1, y2, gamma}, {}, "lng");
  ASSERT_EQ(outs.size(), 3u);
  EXPECT_EQ(g.value(outs[1]).name, "lng:1");
  EXPECT_EQ(g.type(outs[2]), f64({2}));
  EXPECT_EQ(g.consumers()[x].size(), 2u);
}

TEST(Graph, TypeErrorsNameTheNode) {
  Graph g;
  ValueId a = g.add_input("a", f64({4, 3}), InputKind::data);
  ValueId b = g.add_input("b", f64({4, 3}), InputKind::data);
  EXPECT_EQ(error_of<weft::IRError>([&] { g.add("matmul", {a, b}, {}, "proj"); }),
            "invalid IR: node 'proj' (matmul): contraction dims differ: input 0 (f64[4,3]) has K=3, input 1 (f64[4,3]) "
            "has K=4");
  EXPECT_EQ(error_of<weft::IRError>([&] { g.add("add", {a, g.add_input("c", f64({2}), InputKind::data)}); }),
            "invalid IR: node 'add' (add): shapes [4,3] and [2] do not broadcast");
  EXPECT_EQ(error_of<weft::IRError>([&] { g.add("softmax", {a}, {{"axis", int64_t{2}}}, "sm"); }),
            "invalid IR: node 'sm' (softmax): axis 2 is out of range for rank 2");
  EXPECT_EQ(error_of<weft::IRError>([&] { g.add("softmax", {a}, {{"axis", std::string("x")}}, "sm"); }),
            "invalid IR: node 'sm' (softmax): attribute 'axis' must be an integer, got \"x\"");
  EXPECT_EQ(error_of<weft::IRError>([&] { g.add("reshape", {a}, {}, "r"); }),
            "invalid IR: node 'r' (reshape): missing attribute 'shape'");
  EXPECT_EQ(error_of<weft::IRError>([&] { g.add("relu", {a, b}, {}, "act"); }),
            "invalid IR: node 'act' (relu): takes 1 inputs, got 2");
  EXPECT_EQ(error_of<weft::UsageError>([&] { g.add("frobnicate", {a}); }),
            "node 'frobnicate' (frobnicate): unknown op 'frobnicate'");
  ValueId ids = g.add_input("ids", TensorType{{4}, DType::i64, ""}, InputKind::data);
  EXPECT_EQ(error_of<weft::IRError>([&] { g.add("relu", {ids}, {}, "act"); }),
            "invalid IR: node 'act' (relu): input 0 (i64[4]) must be f32 or f64");
  EXPECT_THROW(g.add_input("a", f64({1}), InputKind::data), weft::IRError);
  EXPECT_THROW(g.add_input("p", TensorType{{1}, DType::i64, ""}, InputKind::parameter), weft::IRError);
  EXPECT_THROW(g.add_input("z", f64({0, 2}), InputKind::data), weft::IRError);
  // A failed add leaves the graph unchanged.
  EXPECT_TRUE(g.nodes().empty());
}

TEST(Graph, EveryRegisteredOpHasItsRules) {
  const OpRegistry& r = OpRegistry::global();
  std::vector<std::string> names = r.names();
  EXPECT_GE(names.size(), 50u);
  for (const std::string& name : names) {
    const OpDef& def = r.get(name);
    EXPECT_TRUE(def.infer && def.kernel) << name;
    EXPECT_FALSE(def.summary.empty()) << name;
  }
  // Forward ops of the five models are differentiable; backward-only ops need not be.
  for (std::string op : {"matmul", "batch_matmul", "conv2d", "layernorm", "batchnorm", "softmax", "embedding",
                         "dropout", "spmm", "cross_entropy", "bce_with_logits", "adaptive_max_pool2d", "gelu"})
    EXPECT_TRUE(r.get(op).gradient) << op;
  EXPECT_EQ(r.get("matmul").fusion, FusionClass::matmul);
  EXPECT_EQ(fusion_group(r.get("gelu").fusion), FusionGroup::fusible);
  EXPECT_EQ(fusion_group(r.get("permute").fusion), FusionGroup::layout);
}

TEST(Executor, ChecksFeeds) {
  Graph g("net");
  ValueId x = g.add_input("x", f64({2}), InputKind::data);
  g.add_output("y", g.add("relu", {x}));
  EXPECT_EQ(error_of<weft::UsageError>([&] { execute(g, {}); }), "graph 'net': input 'x' is not fed");
  EXPECT_EQ(error_of<weft::UsageError>([&] { execute(g, {{"x", Tensor(f64({3}))}}); }),
            "graph 'net': input 'x' expects f64[2], got f64[3]");
  EXPECT_EQ(error_of<weft::UsageError>([&] {
              execute(g, {{"x", Tensor(f64({2}))}, {"q", Tensor(f64({2}))}});
            }),
            "graph 'net' has no input named 'q'");
}

TEST(Executor, ReleasingIntermediatesKeepsResults) {
  Graph g;
  ValueId x = g.add_input("x", f64({3}), InputKind::data);
  ValueId t = g.add("exp", {x});
  ValueId y = g.add("mul", {t, g.add("neg", {t})});
  g.add_output("y", y);
  g.add_output("t", t);
  TensorMap feeds{{"x", Tensor(f64({3}), {0, 1, 2})}};
  TensorMap out = execute(g, feeds);
  std::vector<Tensor> all = execute_all(g, feeds);
  EXPECT_EQ(max_abs_diff(out.at("y"), all[y]), 0.0);
  EXPECT_NEAR(out.at("y").at(2), -std::exp(4.0), 1e-9);
  EXPECT_NEAR(out.at("t").at(1), std::exp(1.0), 1e-12);
}

TEST(Autodiff, AccumulatesGradientsOfReusedValues) {
  Graph g;
  ValueId x = g.add_input("x", f64({3}), InputKind::parameter);
  g.add_output("loss", g.add("sum", {g.add("mul", {x, x})}));  // d/dx = 2x
  Graph train = build_training_graph(g);
  TensorMap out = execute(train, {{"x", Tensor(f64({3}), {1, -2, 3})}});
  EXPECT_NEAR(out.at("loss").at(0), 14, 1e-12);
  const Tensor& d = out.at("grad:x");
  EXPECT_NEAR(d.at(0), 2, 1e-12);
  EXPECT_NEAR(d.at(1), -4, 1e-12);
  EXPECT_NEAR(d.at(2), 6, 1e-12);
}

TEST(Autodiff, UnusedParameterGetsZerosAndDataGetsNoGradient) {
  Graph g;
  ValueId x = g.add_input("x", f64({2}), InputKind::data);
  ValueId w = g.add_input("w", f64({2}), InputKind::parameter);
  g.add_input("unused", f64({4}), InputKind::parameter);
  g.add_output("loss", g.add("sum", {g.add("mul", {x, w})}));
  Graph train = build_training_graph(g);
  EXPECT_FALSE(train.find_output("grad:x"));
  TensorMap out = execute(train, {{"x", Tensor(f64({2}), {3, 4})}, {"w", Tensor(f64({2}))}, {"unused", Tensor(f64({4}))}});
  EXPECT_NEAR(out.at("grad:w").at(1), 4, 1e-12);
  EXPECT_EQ(out.at("grad:unused").shape(), (Shape{4}));
  EXPECT_EQ(out.at("grad:unused").at(3), 0);
  AutodiffOptions with_data;
  with_data.data_gradients = true;
  EXPECT_TRUE(build_training_graph(g, with_data).find_output("grad:x"));
}

TEST(Autodiff, RejectsBadLossesAndMissingRules) {
  Graph g;
  ValueId x = g.add_input("x", f64({2, 2}), InputKind::parameter);
  g.add_output("loss", g.add("relu", {x}));
  EXPECT_EQ(error_of<weft::UsageError>([&] { build_training_graph(g); }),
            "autodiff: loss output 'loss' must be a rank-0 float, got f64[2,2]");
  AutodiffOptions opts;
  opts.loss_output = "nope";
  EXPECT_THROW(build_training_graph(g, opts), weft::UsageError);

  Graph h;
  ValueId p = h.add_input("p", f64({2, 2}), InputKind::parameter);
  ValueId gr = h.add("relu_grad", {p, p}, {}, "rg");  // a backward op: no gradient rule
  h.add_output("loss", h.add("sum", {gr}));
  EXPECT_EQ(error_of<weft::UsageError>([&] { build_training_graph(h); }),
            "autodiff: node 'rg' (relu_grad) has no gradient rule but lies between a parameter and the loss");
}
