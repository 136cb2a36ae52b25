// EVT's graph passes on real training graphs: each pass and the whole pipeline
// leave every output and gradient of the tiny config of every model unchanged;
// loss elimination removes the loss and restore_loss puts it back; reduction
// elimination makes cross-entropy's backward elementwise.
#include <gtest/gtest.h>

#include <set>

#include "frontend/model_zoo.h"
#include "graph/autodiff.h"
#include "graph/executor.h"
#include "graph/op_registry.h"
#include "graph/passes/graph_stats.h"
#include "graph/passes/pass.h"
#include "support/error.h"

using namespace weft::graph;

namespace {

size_t count_ops(const Graph& g, const std::set<std::string>& ops) {
  size_t n = 0;
  for (const Node& node : g.nodes()) n += ops.count(node.op);
  return n;
}

// Every output of `after` equals the same-named output of `before`; every output
// of `before` but `may_drop` is still there.
void expect_same_results(const Graph& before, const Graph& after, const TensorMap& feeds,
                         const std::string& may_drop = "") {
  TensorMap expected = execute(before, feeds), actual = execute(after, feeds);
  for (const auto& [name, t] : expected)
    if (name != may_drop) {
      EXPECT_TRUE(actual.count(name)) << "output " << name << " disappeared";
    }
  for (const auto& [name, t] : actual) {
    ASSERT_TRUE(expected.count(name)) << "new output " << name;
    EXPECT_LE(closeness(t, expected.at(name), 1e-8, 1e-10), 1.0) << name;
  }
}

struct Case {
  std::string model, passes;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.model << " with " << c.passes; }

class EvtPassOnModel : public ::testing::TestWithParam<Case> {};

TEST_P(EvtPassOnModel, KeepsEveryOutputAndGradient) {
  const Case& c = GetParam();
  weft::frontend::Model m = weft::frontend::build_model(c.model + ":tiny", DType::f64);
  Graph train = build_training_graph(m.graph);
  std::vector<std::string> passes =
      c.passes == "pipeline" ? default_pipeline(true) : parse_pass_list(c.passes);
  Graph optimised = run_passes(train, passes);
  bool drops_loss = std::find(passes.begin(), passes.end(), "loss-elim") != passes.end();
  EXPECT_EQ(optimised.find_output("loss").has_value(), !drops_loss);
  expect_same_results(train, optimised, weft::frontend::example_feeds(m, 5), "loss");
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const char* model : {"bert-large", "vit", "resnet50", "xmlcnn", "gcn"})
    for (const char* passes : {"loss-elim", "decompose", "reduction-elim", "decompose,reduction-elim",
                               "permute-prop", "const-fold", "pipeline"})
      out.push_back({model, passes});
  // The pipeline without loss elimination decomposes the loss itself.
  out.push_back({"bert-large", "decompose,cse,reduction-elim,const-fold,permute-prop,cse,dce"});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Zoo, EvtPassOnModel, ::testing::ValuesIn(cases()), [](const auto& info) {
  std::string s = info.param.model + "_" + info.param.passes;
  for (char& ch : s)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
});

TEST(LossElimination, RemovesTheLossAndRestoresItWhenAsked) {
  for (const std::string model : {"bert-large", "xmlcnn"}) {
    weft::frontend::Model m = weft::frontend::build_model(model + ":tiny", DType::f64);
    Graph train = build_training_graph(m.graph);
    const std::set<std::string> losses = {"cross_entropy", "nll_loss", "bce_with_logits"};
    ASSERT_EQ(count_ops(train, losses), 1u) << model;

    Graph eliminated = eliminate_loss(train);
    EXPECT_EQ(count_ops(eliminated, losses), 0u) << model;
    EXPECT_FALSE(eliminated.find_output("loss"));
    EXPECT_LT(eliminated.nodes().size(), train.nodes().size());

    Graph kept = eliminate_loss(train, {.loss_output = "loss", .keep_loss = true});
    EXPECT_EQ(kept.nodes().size(), train.nodes().size());
    EXPECT_TRUE(kept.find_output("loss"));

    // Restored after the whole pipeline: the loss comes back, recomputing only
    // what the optimised graph no longer holds.
    Graph optimised = run_passes(train, default_pipeline(true));
    Graph restored = restore_loss(optimised, train);
    ASSERT_TRUE(restored.find_output("loss"));
    EXPECT_EQ(restored.outputs()[0].name, "loss");
    EXPECT_EQ(count_ops(restored, losses), 1u) << model;
    EXPECT_LT(restored.nodes().size(), optimised.nodes().size() + m.graph.nodes().size() / 2) << model;
    expect_same_results(train, restored, weft::frontend::example_feeds(m, 6));
  }
}

TEST(LossElimination, NamesAMissingLoss) {
  Graph g;
  ValueId x = g.add_input("x", TensorType{{2}, DType::f64, ""}, InputKind::data);
  g.add_output("y", g.add("exp", {x}));
  try {
    eliminate_loss(g);
    FAIL();
  } catch (const weft::UsageError& e) {
    EXPECT_STREQ(e.what(), "graph 'graph' has no output 'loss' (outputs: y)");
  }
  Graph only_loss;
  ValueId z = only_loss.add_input("z", TensorType{{2}, DType::f64, ""}, InputKind::data);
  only_loss.add_output("loss", only_loss.add("sum", {z}));
  try {
    eliminate_loss(only_loss);
    FAIL();
  } catch (const weft::UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "loss elimination: graph 'graph' has no output but the loss 'loss'; it is not a training graph");
  }
}

// logits = x @ W, loss = cross_entropy(logits, labels): the gradient of W is
// x^T @ d(logits), and after reduction elimination d(logits) needs no reduction.
class CrossEntropyBackward : public ::testing::Test {
 protected:
  void SetUp() override {
    ValueId x = forward.add_input("x", TensorType{{6, 4}, DType::f64, ""}, InputKind::data);
    ValueId w = forward.add_input("w", TensorType{{4, 5}, DType::f64, ""}, InputKind::parameter);
    ValueId labels = forward.add_input("labels", TensorType{{6}, DType::i64, ""}, InputKind::label);
    ValueId logits = forward.add("matmul", {x, w}, {}, "logits");
    forward.add_output("loss", forward.add("cross_entropy", {logits, labels}, {}, "loss"));
    train = build_training_graph(forward);
    weft::Rng rng(11);
    feeds = random_feeds(train, rng, {{"labels", 5}});
  }

  // The nodes of fusion class `reduction` that the gradient of w depends on.
  static std::vector<std::string> reductions_feeding_grad(const Graph& g) {
    std::vector<bool> needed(g.values().size(), false);
    needed[g.output("grad:w")] = true;
    std::vector<std::string> found;
    for (NodeId n = static_cast<NodeId>(g.nodes().size()) - 1; n >= 0; --n) {
      const Node& node = g.node(n);
      bool used = false;
      for (ValueId v : node.outputs) used = used || needed[v];
      if (!used) continue;
      for (ValueId v : node.inputs) needed[v] = true;
      if (OpRegistry::global().get(node.op).fusion == FusionClass::reduction) found.push_back(node.name);
    }
    return found;
  }

  Graph forward, train;
  TensorMap feeds;
};

TEST_F(CrossEntropyBackward, BecomesElementwise) {
  Graph decomposed = run_passes(train, parse_pass_list("loss-elim,decompose,cse,dce"));
  // Decomposition alone leaves sum(one_hot * c) in log_softmax's backward.
  EXPECT_EQ(reductions_feeding_grad(decomposed).size(), 1u);
  Graph eliminated = run_passes(decomposed, parse_pass_list("reduction-elim,const-fold,dce"));
  EXPECT_EQ(reductions_feeding_grad(eliminated), std::vector<std::string>{}) << eliminated.str();
  // What remains around the GEMM: softmax (its statistics) and elementwise ops.
  std::set<std::string> ops;
  for (const Node& node : eliminated.nodes()) ops.insert(node.op);
  EXPECT_EQ(ops, (std::set<std::string>{"matmul", "softmax", "one_hot", "mul", "sub", "full"}))
      << eliminated.str();
  expect_same_results(train, eliminated, feeds, "loss");
}

TEST(GraphStats, CountsFlopsAndBytes) {
  Graph g;
  ValueId a = g.add_input("a", TensorType{{8, 3}, DType::f32, ""}, InputKind::data);
  ValueId b = g.add_input("b", TensorType{{3, 5}, DType::f32, ""}, InputKind::parameter);
  ValueId c = g.add("matmul", {a, b});
  g.add_output("y", g.add("relu", {g.add("permute", {c}, {{"perm", std::vector<int64_t>{1, 0}}})}));
  GraphStats s = graph_stats(g);
  EXPECT_EQ(s.nodes, 3u);
  EXPECT_EQ(s.by_op.at("matmul"), 1u);
  EXPECT_EQ(s.by_fusion_class.at("permute"), 1u);
  EXPECT_DOUBLE_EQ(s.flops, 2.0 * 8 * 5 * 3 + 40);
  EXPECT_DOUBLE_EQ(s.bytes, 4.0 * ((24 + 15 + 40) + (40 + 40) + (40 + 40)));

  OptimisedGraph r = optimise_graph(g, parse_pass_list("permute-prop,dce"));
  ASSERT_EQ(r.passes.size(), 2u);
  EXPECT_EQ(r.before.nodes, 3u);
  EXPECT_EQ(r.after.nodes, r.graph.nodes().size());
  EXPECT_DOUBLE_EQ(r.after.flops, r.before.flops);
}

TEST(GraphStats, CountsAddmmAsAGemmWithItsEpilogue) {
  Graph g;
  ValueId bias = g.add_input("bias", TensorType{{5}, DType::f32, ""}, InputKind::parameter);
  ValueId a = g.add_input("a", TensorType{{3, 8}, DType::f32, ""}, InputKind::data);
  ValueId b = g.add_input("b", TensorType{{3, 5}, DType::f32, ""}, InputKind::parameter);
  g.add_output("y", g.add("addmm", {bias, a, b}, {{"transpose_a", int64_t{1}}}));
  EXPECT_DOUBLE_EQ(graph_stats(g).flops, 2.0 * 8 * 5 * 3 + 2.0 * 40);
}

TEST(GraphStats, PipelineRewritesTrainingGraphs) {
  weft::frontend::Model m = weft::frontend::build_model("bert-large:tiny");
  OptimisedGraph r = optimise_graph(build_training_graph(m.graph), default_pipeline(true));
  EXPECT_EQ(r.passes.size(), default_pipeline(true).size());
  EXPECT_EQ(r.after.by_op.count("layernorm_grad"), 0u);
  EXPECT_EQ(r.after.by_op.count("cross_entropy"), 0u);
  EXPECT_GT(r.after.by_fusion_class.at("elementwise"), r.before.by_fusion_class.at("elementwise"));
}

}  // namespace
