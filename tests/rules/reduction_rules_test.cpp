// add-rfactor, random-compute-location and parallelize-vectorize-unroll on their
// own: when they apply, what they record, correct results.
#include "ir/printer.h"
#include "rule_test_util.h"
#include "rules/annotations.h"
#include "schedule/ir_nav.h"

using namespace weft;
using namespace weft::rules::testing;

namespace {

TEST(AddRFactor, FactorsALongReductionWithLittleSpatialWork) {
  // 2 outputs, each a sum of 256: more reduction than parallel work.
  ir::Workload w = ir::make_workload("sum:A=2,B=1,C=256,axes=001");
  std::string block = sched::all_block_names(w.func).back();
  auto states = apply_rule("add-rfactor", w.func, block);
  ASSERT_EQ(states.size(), 3u);  // rfactor of either split part, then the original
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(count_kind(states[i].trace(), "sample_perfect_tile"), 1) << states[i].trace().to_text();
    EXPECT_EQ(count_kind(states[i].trace(), "rfactor"), 1);
    auto site = *sched::find_block(states[i].func(), block);
    EXPECT_TRUE(site.block().annotations.count(rules::ann::kRandomComputeProducer)) << ir::to_text(states[i].func());
  }
  EXPECT_EQ(states[2].trace().size(), 0u);
  expect_states_correct(states, w.func);
}

TEST(AddRFactor, LeavesReductionsWithEnoughParallelismAlone) {
  // 64 x 64 outputs of a GEMM: the spatial extent covers the reduction.
  ir::Workload gemm = ir::make_workload("matmul:M=64,N=64,K=64");
  EXPECT_EQ(apply_rule("add-rfactor", gemm.func, "C").size(), 1u);
  // A short reduction (3 <= cores) is not worth it.
  ir::Workload sum = ir::make_workload("sum:A=64,B=8,C=3,axes=001");
  EXPECT_EQ(apply_rule("add-rfactor", sum.func, sched::all_block_names(sum.func).back()).size(), 1u);
  // Elementwise blocks have no reduction.
  ir::Workload relu = ir::make_workload("relu:M=4,N=4");
  EXPECT_EQ(apply_rule("add-rfactor", relu.func, sched::all_block_names(relu.func).back())[0].trace().size(), 0u);
}

TEST(RandomComputeLocation, PlacesPaddingUnderItsConsumer) {
  ir::Workload w = ir::make_workload("conv2d:N=1,H=6,W=6,C=2,K=4,R=3,S=3,pad=1");
  std::set<int64_t> decisions;
  for (uint64_t seed = 0; seed < 12; ++seed) {
    auto states = apply_rule("random-compute-location", w.func, "pad", seed);
    ASSERT_EQ(states.size(), 1u);
    EXPECT_EQ(kinds(states[0].trace()),
              (std::vector<std::string>{"get_block", "sample_compute_location", "compute_at"}));
    decisions.insert(std::get<int64_t>(states[0].trace().instructions()[1].decision->value));
    expect_states_correct(states, w.func);
  }
  EXPECT_GT(decisions.size(), 2u);
  // The output block has no consumer: it stays.
  EXPECT_EQ(apply_rule("random-compute-location", w.func, "conv")[0].trace().size(), 0u);
}

TEST(ParallelizeVectorizeUnroll, AnnotatesOnlyTheRoot) {
  ir::Workload w = ir::make_workload("matmul:M=16,N=16,K=16");
  EXPECT_EQ(apply_rule("parallelize-vectorize-unroll", w.func, "C")[0].trace().size(), 0u);
  auto states = apply_rule("parallelize-vectorize-unroll", w.func, "root", 0, cpu_target(4, 32));
  ASSERT_EQ(states.size(), 1u);
  const auto& ann = states[0].func()->root_block().annotations;
  EXPECT_EQ(std::get<int64_t>(ann.at(rules::ann::kParallelExtent)), 64);  // 16 x 4 cores
  EXPECT_EQ(std::get<int64_t>(ann.at(rules::ann::kVectorizeBytes)), 64);
  int64_t unroll = std::get<int64_t>(ann.at(rules::ann::kUnrollExplicit));
  EXPECT_TRUE(unroll == 0 || unroll == 16 || unroll == 64 || unroll == 512) << unroll;
  EXPECT_EQ(count_kind(states[0].trace(), "sample_categorical"), 2);
  // AVX-512 registers are 64 bytes; a wider machine raises the limit.
  auto wide = apply_rule("parallelize-vectorize-unroll", w.func, "root", 0, cpu_target(4, 128));
  EXPECT_EQ(std::get<int64_t>(wide[0].func()->root_block().annotations.at(rules::ann::kVectorizeBytes)), 128);
  // No reduction: no unroll step.
  ir::Workload relu = ir::make_workload("relu:M=4,N=4");
  auto r = apply_rule("parallelize-vectorize-unroll", relu.func, "root");
  EXPECT_EQ(r[0].func()->root_block().annotations.count(rules::ann::kUnrollExplicit), 0u);
}

}  // namespace
