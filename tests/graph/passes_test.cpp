// Graph passes: CSE and DCE change the graph as intended and leave every output
// and gradient of a real training graph unchanged.
#include <gtest/gtest.h>

#include "frontend/model_zoo.h"
#include "graph/autodiff.h"
#include "graph/executor.h"
#include "graph/passes/pass.h"
#include "support/error.h"

using namespace weft::graph;

namespace {

TensorType f64(Shape s) { return TensorType{std::move(s), DType::f64, ""}; }

size_t count_op(const Graph& g, const std::string& op) {
  size_t n = 0;
  for (const Node& node : g.nodes()) n += node.op == op;
  return n;
}

}  // namespace

TEST(Passes, DceDropsUnusedNodesButKeepsInputs) {
  Graph g;
  ValueId x = g.add_input("x", f64({2}), InputKind::data);
  g.add_input("unused", f64({2}), InputKind::data);
  g.add("exp", {x}, {}, "dead");
  g.add_output("y", g.add("neg", {x}, {}, "live"));
  Graph out = eliminate_dead_code(g);
  ASSERT_EQ(out.nodes().size(), 1u);
  EXPECT_EQ(out.nodes()[0].name, "live");
  EXPECT_EQ(out.inputs().size(), 2u);
}

TEST(Passes, CseMergesEqualNodesOnly) {
  Graph g;
  ValueId x = g.add_input("x", f64({2, 2}), InputKind::data);
  ValueId a = g.add("matmul", {x, x});
  ValueId b = g.add("matmul", {x, x});
  ValueId c = g.add("matmul", {x, x}, {{"transpose_a", int64_t{1}}});
  g.add_output("y", g.add("add", {g.add("add", {a, b}), c}));
  Graph out = run_passes(g, {"cse", "dce"});
  EXPECT_EQ(count_op(out, "matmul"), 2u);
  TensorMap feeds{{"x", Tensor(f64({2, 2}), {1, 2, 3, 4})}};
  EXPECT_EQ(max_abs_diff(execute(g, feeds).at("y"), execute(out, feeds).at("y")), 0.0);
}

TEST(Passes, PipelineKeepsTrainingResults) {
  weft::frontend::Model m = weft::frontend::build_model("bert-large:tiny", DType::f64);
  Graph train = build_training_graph(m.graph);
  std::vector<PassReport> report;
  Graph optimised = run_passes(train, parse_pass_list("cse,dce"), &report);
  ASSERT_EQ(report.size(), 2u);
  EXPECT_EQ(report[0].nodes_before, train.nodes().size());
  // Each attention layer builds its own 1/sqrt(head_dim) scalar; CSE shares them.
  EXPECT_LT(optimised.nodes().size(), train.nodes().size());
  TensorMap feeds = weft::frontend::example_feeds(m, 4);
  TensorMap before = execute(train, feeds), after = execute(optimised, feeds);
  ASSERT_EQ(before.size(), after.size());
  for (const auto& [name, t] : before) EXPECT_LE(closeness(after.at(name), t, 1e-12, 1e-14), 1.0) << name;
}

TEST(Passes, UnknownPassesAreReported) {
  EXPECT_THROW(parse_pass_list("cse,,dce"), weft::UsageError);
  try {
    parse_pass_list("cse,fold");
    FAIL();
  } catch (const weft::UsageError& e) {
    EXPECT_STREQ(e.what(), "unknown graph pass 'fold' (passes: cse, dce, loss-elim, decompose, reduction-elim, "
                           "permute-prop, const-fold)");
  }
}
