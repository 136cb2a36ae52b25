// The partitioner on hand-made graphs with known optimal partitions: each rule
// exercised by a graph that would break it, greedy fusion's traps, and the
// solution cache on repeated layers.
#include <gtest/gtest.h>

#include "graph/passes/pass.h"
#include "partition/boundary.h"
#include "partition/fusion_rules.h"
#include "partition/partition.h"
#include "partition_fixtures.h"

using namespace weft::partition;
using namespace weft::partition::testing;

TEST(Partition, MlpFusesEachGemmWithItsEpilogue) {
  Graph g = mlp();
  PartitionResult r = partition_graph(g);
  const Partition& p = r.partition;
  EXPECT_EQ(p.num_kernels, 2);
  EXPECT_TRUE(together(g, p, "mm1", "bias1"));
  EXPECT_TRUE(together(g, p, "mm1", "act"));
  EXPECT_TRUE(together(g, p, "mm2", "bias2"));
  EXPECT_FALSE(together(g, p, "act", "mm2"));  // no fusion into a GEMM's operand
  EXPECT_EQ(r.ilp_solves, 2u);  // one component per GEMM and its epilogue
  // Only x, w1, b1, h (written and read), w2, b2 and y cross kernel boundaries.
  int64_t expected = (8 * 16 + 16 * 32 + 32 + 2 * 8 * 32 + 32 * 4 + 4 + 8 * 4) * 4;
  EXPECT_EQ(boundary_bytes(g, p), expected);
  EXPECT_LT(boundary_bytes(g, p), boundary_bytes(g, one_kernel_per_op(g)));
}

TEST(Partition, BeatsGreedyWhereGreedySplitsBadly) {
  Graph g = greedy_trap();
  Partition best = partition_graph(g).partition;
  EXPECT_TRUE(together(g, best, "m2", "u"));
  EXPECT_TRUE(together(g, best, "m2", "e"));
  EXPECT_TRUE(together(g, best, "m2", "w"));
  EXPECT_FALSE(together(g, best, "m1", "u"));
  EXPECT_EQ(best.num_kernels, 2);
  Partition greedy = greedy_partition(g);
  EXPECT_TRUE(together(g, greedy, "m1", "u"));
  EXPECT_LT(boundary_bytes(g, best), boundary_bytes(g, greedy));
}

TEST(Partition, ReductionEndsItsKernelAndNoCycleForms) {
  Graph g = reduction_diamond();
  FusionRules rules = analyse_fusion(g);
  // r -> out is never fusible: the other path r -> s -> out leaves the reduction's kernel.
  for (size_t e = 0; e < rules.edges.size(); ++e)
    if (g.node(rules.edges[e].from).name == "r" && g.node(rules.edges[e].to).name == "out") {
      EXPECT_FALSE(rules.edges[e].fusible);
      EXPECT_NE(rules.reason[e].find("another path"), std::string::npos) << rules.reason[e];
    }
  for (const Partition& p : {partition_graph(g).partition, greedy_partition(g)}) {
    EXPECT_TRUE(together(g, p, "mm", "r"));
    EXPECT_TRUE(together(g, p, "r", "s"));  // the reduction joins the GEMM epilogue
    EXPECT_FALSE(together(g, p, "s", "out"));
    EXPECT_EQ(p.num_kernels, 2);
  }
}

TEST(Partition, StatisticsOfADecomposedLayernormEndTheirKernel) {
  Graph g("ln");
  ValueId x = g.add_input("x", f32({8, 32}), InputKind::data);
  ValueId w = g.add_input("w", f32({32, 32}), InputKind::parameter);
  ValueId gamma = g.add_input("gamma", f32({32}), InputKind::parameter);
  ValueId beta = g.add_input("beta", f32({32}), InputKind::parameter);
  ValueId h = g.add("matmul", {x, w}, {}, "mm");
  g.add_output("y", g.add("layernorm", {h, gamma, beta}, {}, "ln"));
  Graph d = weft::graph::run_passes(g, {"decompose"});
  Partition p = partition_graph(d).partition;
  // mean and var reduce rows; rstd finishes the statistics in var's kernel; their
  // consumers (centered, xhat) run elsewhere.
  EXPECT_TRUE(together(d, p, "mm", "ln/mean"));
  EXPECT_FALSE(together(d, p, "ln/mean", "ln/centered"));
  EXPECT_TRUE(together(d, p, "ln/var", "ln/rstd"));
  EXPECT_FALSE(together(d, p, "ln/rstd", "ln/xhat"));
  EXPECT_TRUE(together(d, p, "ln/xhat", "ln"));
}

TEST(Partition, PermuteFeedingAGemmFoldsIntoItsOperand) {
  Graph g("permute_fold");
  ValueId x = g.add_input("x", f32({16, 8}), InputKind::data);
  ValueId w = g.add_input("w", f32({16, 4}), InputKind::parameter);
  ValueId t = g.add("permute", {x}, {{"perm", std::vector<int64_t>{1, 0}}}, "t");
  g.add_output("y", g.add("matmul", {t, w}, {}, "mm"));
  EXPECT_EQ(partition_graph(g).partition.num_kernels, 1);
  // Folded, the permute's input stays outside: relu, permute and GEMM never share one kernel.
  Graph chain("permute_chain");
  ValueId cx = chain.add_input("x", f32({16, 8}), InputKind::data);
  ValueId cw = chain.add_input("w", f32({16, 4}), InputKind::parameter);
  ValueId r = chain.add("relu", {cx}, {}, "r");
  ValueId ct = chain.add("permute", {r}, {{"perm", std::vector<int64_t>{1, 0}}}, "t");
  chain.add_output("y", chain.add("matmul", {ct, cw}, {}, "mm"));
  Partition p = partition_graph(chain).partition;
  EXPECT_EQ(p.num_kernels, 2);
  EXPECT_NE(together(chain, p, "r", "t"), together(chain, p, "t", "mm"));
  // Without the permute, nothing fuses into the operand.
  Graph plain("operand");
  ValueId px = plain.add_input("x", f32({8, 16}), InputKind::data);
  ValueId pw = plain.add_input("w", f32({16, 4}), InputKind::parameter);
  plain.add_output("y", plain.add("matmul", {plain.add("relu", {px}, {}, "r"), pw}, {}, "mm"));
  EXPECT_EQ(partition_graph(plain).partition.num_kernels, 2);
}

TEST(Partition, ViewsStayWithTheirProducerAndRngWithItsConsumer) {
  Graph g("views");
  ValueId x = g.add_input("x", f32({8, 16}), InputKind::data);
  ValueId w = g.add_input("w", f32({16, 32}), InputKind::parameter);
  ValueId w2 = g.add_input("w2", f32({32, 4}), InputKind::parameter);
  ValueId mm = g.add("matmul", {x, w}, {}, "mm");
  // The reshape's output feeds only the next GEMM: nothing to gain by fusing it,
  // but a view is an indexing of its producer's output.
  ValueId v = g.add("reshape", {mm}, {{"shape", std::vector<int64_t>{8, 32}}}, "view");
  ValueId mask = g.add("dropout_mask", {},
                       {{"shape", std::vector<int64_t>{8, 32}}, {"p", 0.1}, {"seed", int64_t{7}}}, "mask");
  ValueId m2 = g.add("matmul", {v, w2}, {}, "mm2");
  g.add_output("y", m2);
  g.add_output("d", g.add("mul", {g.add("relu", {x}, {}, "rx"), g.add("sum", {mask}, {{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{1}}}, "ms")}, {}, "mx"));
  Partition p = partition_graph(g).partition;
  EXPECT_TRUE(together(g, p, "mm", "view"));
  EXPECT_TRUE(together(g, p, "mask", "ms"));
}

TEST(Partition, RepeatedLayersHitTheCache) {
  Graph g = repeated_layers(8);
  PartitionOptions no_cache;
  no_cache.use_cache = false;
  PartitionResult cached = partition_graph(g), solved = partition_graph(g, no_cache);
  EXPECT_EQ(cached.partition.kernel_of, solved.partition.kernel_of);
  EXPECT_EQ(solved.ilp_solves, 8u);
  EXPECT_EQ(solved.cache_hits, 0u);
  // The first and last layers see other neighbours; the six in between are equal.
  EXPECT_LE(cached.ilp_solves, 3u);
  EXPECT_EQ(cached.ilp_solves + cached.cache_hits, 8u);
  size_t hits = 0;
  for (const ComponentReport& c : cached.components) hits += c.method == ComponentMethod::cached;
  EXPECT_EQ(hits, cached.cache_hits);
  // A cache shared across calls serves a second graph entirely.
  SolutionCache shared;
  partition_graph(g, {}, &shared);
  PartitionResult again = partition_graph(g, {}, &shared);
  EXPECT_EQ(again.ilp_solves, 0u);
  EXPECT_EQ(again.partition.kernel_of, cached.partition.kernel_of);
}

TEST(Partition, OversizedComponentIsCutIntoWindows) {
  Graph g = greedy_trap();  // windows of 3: {m1, m2, u}, {e, w}
  PartitionOptions opts;
  opts.max_ilp_nodes = 3;
  PartitionResult r = partition_graph(g, opts);  // validated
  EXPECT_EQ(r.windowed, 1u);
  ASSERT_EQ(r.components.size(), 2u);
  EXPECT_TRUE(r.components[0].window);
  EXPECT_EQ(r.components[0].nodes, 3u);
  EXPECT_EQ(r.components[1].nodes, 2u);
}
