// The individual rewrites of EVT's graph passes on small hand-built graphs:
// each asserts on the rewritten graph and checks the results are unchanged.
#include <gtest/gtest.h>

#include "graph/executor.h"
#include "graph/passes/pass.h"

using namespace weft::graph;

namespace {

TensorType f64(Shape s) { return TensorType{std::move(s), DType::f64, ""}; }
using Perm = std::vector<int64_t>;

size_t count_op(const Graph& g, const std::string& op) {
  size_t n = 0;
  for (const Node& node : g.nodes()) n += node.op == op;
  return n;
}

const Node& only_node(const Graph& g, const std::string& op) {
  for (const Node& node : g.nodes())
    if (node.op == op) return node;
  throw std::runtime_error("no " + op + " node in\n" + g.str());
}

void expect_same_results(const Graph& before, const Graph& after, uint64_t seed = 1,
                         const std::map<std::string, int64_t>& bounds = {}) {
  weft::Rng rng(seed);
  TensorMap feeds = random_feeds(before, rng, bounds);
  TensorMap expected = execute(before, feeds), actual = execute(after, feeds);
  ASSERT_EQ(expected.size(), actual.size());
  for (const auto& [name, t] : expected) EXPECT_LE(closeness(actual.at(name), t, 1e-10, 1e-12), 1.0) << name;
}

double fill_of(const Graph& g, ValueId v) {
  const Node& n = g.node(g.value(v).producer);
  EXPECT_EQ(n.op, "full");
  return std::get<double>(*n.attrs.find("value"));
}

}  // namespace

TEST(Decompose, RewritesCompositeOps) {
  Graph g;
  ValueId x = g.add_input("x", f64({2, 3, 4}), InputKind::data);
  ValueId gamma = g.add_input("gamma", f64({4}), InputKind::parameter);
  ValueId beta = g.add_input("beta", f64({4}), InputKind::parameter);
  ValueId dy = g.add_input("dy", f64({2, 3, 4}), InputKind::data);
  g.add_output("ln", g.add("layernorm", {x, gamma, beta}, {{"eps", 1e-3}}));
  g.add_output("bn", g.add("batchnorm", {x, gamma, beta}));
  std::vector<ValueId> lg = g.add_node("layernorm_grad", {dy, x, gamma}, {{"eps", 1e-3}});
  std::vector<ValueId> bg = g.add_node("batchnorm_grad", {dy, x, gamma});
  for (int i = 0; i < 3; ++i) {
    g.add_output("lg" + std::to_string(i), lg[i]);
    g.add_output("bg" + std::to_string(i), bg[i]);
  }
  ValueId r = g.add("relu", {x});
  g.add_output("relu_grad", g.add("relu_grad", {dy, r}));
  g.add_output("drop", g.add("dropout", {x}, {{"p", 0.5}, {"seed", int64_t{7}}}));
  ValueId logp = g.add("log_softmax", {x}, {{"axis", int64_t{1}}});
  g.add_output("lsm_grad", g.add("log_softmax_grad", {dy, logp}, {{"axis", int64_t{1}}}));

  Graph out = eliminate_dead_code(decompose(g));
  for (const char* op : {"layernorm", "batchnorm", "layernorm_grad", "batchnorm_grad", "relu_grad", "dropout",
                         "log_softmax", "log_softmax_grad"})
    EXPECT_EQ(count_op(out, op), 0u) << op;
  EXPECT_EQ(count_op(out, "dropout_mask"), 1u);
  EXPECT_EQ(count_op(out, "softmax"), 1u);
  // gamma/beta gradients are column reductions to [C].
  EXPECT_EQ(out.type(out.output("lg1")).shape, (Shape{4}));
  EXPECT_EQ(out.node(out.value(out.output("bg2")).producer).op, "sum");
  expect_same_results(g, out);
}

TEST(Decompose, NllBackwardBecomesScaledOneHot) {
  Graph g;
  ValueId seed = g.add_input("g", f64({}), InputKind::data);
  ValueId labels = g.add_input("labels", TensorType{{5}, DType::i64, ""}, InputKind::label);
  g.add_output("d", g.add("nll_loss_grad", {seed, labels}, {{"num_classes", int64_t{3}}}));
  Graph out = eliminate_dead_code(decompose(g));
  EXPECT_EQ(count_op(out, "nll_loss_grad"), 0u);
  EXPECT_EQ(count_op(out, "one_hot"), 1u);
  expect_same_results(g, out, 2, {{"labels", 3}});
}

TEST(ReductionElimination, ReassociatesAndFoldsOneHotSums) {
  Graph g;
  ValueId labels = g.add_input("labels", TensorType{{4}, DType::i64, ""}, InputKind::label);
  ValueId c = g.add_input("c", f64({}), InputKind::data);
  ValueId row = g.add_input("row", f64({4, 1}), InputKind::data);
  ValueId hot = g.add("one_hot", {labels}, {{"depth", int64_t{6}}, {"dtype", std::string("f64")}});
  ValueId scaled = g.add("mul", {g.add("mul", {hot, c}), row});
  g.add_output("kept", g.add("sum", {scaled}, {{"axes", Perm{1}}, {"keepdims", int64_t{1}}}));
  g.add_output("dropped", g.add("sum", {scaled}, {{"axes", Perm{-1}}}));
  g.add_output("mean", g.add("mean", {scaled}, {{"axes", Perm{1}}}));
  // Not constant along the summed axis: must stay.
  g.add_output("all", g.add("sum", {scaled}));
  Graph out = eliminate_dead_code(eliminate_reductions(g));
  EXPECT_EQ(count_op(out, "sum"), 1u) << out.str();
  EXPECT_EQ(count_op(out, "mean"), 0u) << out.str();
  expect_same_results(g, out, 3, {{"labels", 6}});
}

TEST(ReductionElimination, KeepsSumsOfVaryingProducts) {
  Graph g;
  ValueId a = g.add_input("a", f64({3, 4}), InputKind::data);
  ValueId b = g.add_input("b", f64({3, 4}), InputKind::data);
  ValueId col = g.add_input("col", f64({4}), InputKind::data);
  g.add_output("ab", g.add("sum", {g.add("mul", {a, b})}, {{"axes", Perm{1}}}));
  g.add_output("acol", g.add("sum", {g.add("mul", {a, col})}, {{"axes", Perm{1}}}));
  // Constant along axis 0 only: reassociated.
  g.add_output("rows", g.add("sum", {g.add("mul", {a, col})}, {{"axes", Perm{0}}}));
  Graph out = eliminate_dead_code(eliminate_reductions(g));
  EXPECT_EQ(out.node(out.value(out.output("ab")).producer).op, "sum");
  EXPECT_EQ(out.node(out.value(out.output("acol")).producer).op, "sum");
  EXPECT_EQ(out.node(out.value(out.output("rows")).producer).op, "mul");
  expect_same_results(g, out, 4);
}

TEST(PermutePropagation, PermutesCancelThroughElementwiseOps) {
  Graph g;
  ValueId x = g.add_input("x", f64({2, 3, 4}), InputKind::data);
  ValueId y = g.add_input("y", f64({2, 3, 4}), InputKind::data);
  ValueId s = g.add_input("s", f64({}), InputKind::data);
  Perm p{2, 0, 1}, back{1, 2, 0};
  ValueId px = g.add("permute", {x}, {{"perm", p}});
  ValueId py = g.add("permute", {y}, {{"perm", p}});
  ValueId t = g.add("mul", {g.add("add", {g.add("relu", {px}), py}), s});
  g.add_output("z", g.add("permute", {g.add("exp", {t})}, {{"perm", back}}));
  // A dropout between permutes must not move.
  ValueId d = g.add("dropout", {px}, {{"p", 0.3}, {"seed", int64_t{1}}});
  g.add_output("d", g.add("permute", {d}, {{"perm", back}}));
  Graph out = eliminate_dead_code(propagate_permutes(g));
  EXPECT_EQ(count_op(out, "permute"), 2u) << out.str();  // only around the dropout
  EXPECT_EQ(out.node(out.value(out.output("z")).producer).op, "exp");
  expect_same_results(g, out, 5);
}

TEST(PermutePropagation, FoldsTransposesIntoGemms) {
  Graph g;
  ValueId a = g.add_input("a", f64({5, 3}), InputKind::data);
  ValueId b = g.add_input("b", f64({5, 4}), InputKind::data);
  ValueId qa = g.add_input("qa", f64({2, 6, 3}), InputKind::data);
  ValueId qb = g.add_input("qb", f64({2, 6, 4}), InputKind::data);
  g.add_output("mm", g.add("matmul", {g.add("permute", {a}, {{"perm", Perm{1, 0}}}), b}));
  ValueId t = g.add("permute", {qb}, {{"perm", Perm{0, 2, 1}}});
  g.add_output("bmm", g.add("batch_matmul", {g.add("permute", {qa}, {{"perm", Perm{0, 2, 1}}}), t},
                            {{"transpose_b", int64_t{1}}}));
  Graph out = eliminate_dead_code(propagate_permutes(g));
  EXPECT_EQ(count_op(out, "permute"), 0u) << out.str();
  EXPECT_EQ(only_node(out, "matmul").attrs.str(), "transpose_a=1");
  EXPECT_EQ(only_node(out, "batch_matmul").attrs.str(), "transpose_a=1, transpose_b=0");
  expect_same_results(g, out, 6);
}

TEST(ConstantFolding, FoldsConstantsAndIdentities) {
  Graph g;
  ValueId x = g.add_input("x", f64({2, 3}), InputKind::data);
  auto full = [&](Shape shape, double v) {
    return g.add("full", {}, {{"shape", shape}, {"value", v}, {"dtype", std::string("f64")}});
  };
  ValueId six = g.add("mul", {full({}, 2.0), full({}, 3.0)});
  ValueId total = g.add("sum", {g.add("broadcast_to", {six}, {{"shape", Shape{4, 5}}})}, {{"axes", Perm{0}}});
  g.add_output("total", total);
  g.add_output("same", g.add("add", {g.add("mul", {x, full({}, 1.0)}), full({2, 3}, 0.0)}));
  g.add_output("wider", g.add("mul", {full({4, 2, 3}, 1.0), x}));
  g.add_output("drop", g.add("dropout", {full({8}, 1.0)}, {{"p", 0.5}, {"seed", int64_t{3}}}));
  Graph out = eliminate_dead_code(fold_constants(g));
  EXPECT_DOUBLE_EQ(fill_of(out, out.output("total")), 24.0);
  EXPECT_EQ(out.type(out.output("total")).shape, (Shape{5}));
  EXPECT_EQ(out.output("same"), *out.find_value("x"));
  EXPECT_EQ(out.node(out.value(out.output("wider")).producer).op, "broadcast_to");
  EXPECT_EQ(out.node(out.value(out.output("drop")).producer).op, "dropout");
  expect_same_results(g, out, 7);
}

TEST(PassManager, KnowsEveryEvtPass) {
  for (const char* name : {"loss-elim", "decompose", "reduction-elim", "permute-prop", "const-fold", "cse", "dce"})
    EXPECT_EQ(find_pass(name).name, name);
  std::vector<std::string> pipeline = default_pipeline(true);
  EXPECT_EQ(pipeline.front(), "loss-elim");
  EXPECT_EQ(default_pipeline(false).size() + 1, pipeline.size());
}
