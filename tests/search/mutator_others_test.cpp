// mutate-unroll, mutate-compute-location, mutate-parallel and the default set.
#include "ir/printer.h"
#include "schedule/replay.h"
#include "search/mutator.h"
#include "search/space.h"
#include "space_test_util.h"
#include "support/error.h"

using namespace weft;
using namespace weft::search;
using namespace weft::search::testing;

namespace {

// Indices of instructions whose decision differs.
std::vector<size_t> changed_decisions(const sched::Trace& a, const sched::Trace& b) {
  std::vector<size_t> out;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a.instructions()[i].kind, b.instructions()[i].kind);
    if (!(a.instructions()[i].decision == b.instructions()[i].decision)) out.push_back(i);
  }
  return out;
}

TEST(DefaultMutators, CpuProbabilities) {
  auto ms = default_mutators(cpu_target());
  ASSERT_EQ(ms.size(), 4u);
  EXPECT_EQ(ms[0].mutator->name(), "mutate-tile-size");
  EXPECT_DOUBLE_EQ(ms[0].probability, 0.9);
  EXPECT_EQ(ms[1].mutator->name(), "mutate-compute-location");
  EXPECT_DOUBLE_EQ(ms[1].probability, 0.05);
  EXPECT_EQ(ms[2].mutator->name(), "mutate-unroll");
  EXPECT_DOUBLE_EQ(ms[2].probability, 0.03);
  EXPECT_EQ(ms[3].mutator->name(), "mutate-parallel");
  EXPECT_DOUBLE_EQ(ms[3].probability, 0.02);
  Target t = cpu_target();
  t.backend = "tpu";
  EXPECT_THROW(default_mutators(t), UsageError);
}

TEST(MutateUnroll, PicksAnotherUnrollStep) {
  ir::Workload w = ir::make_workload("matmul:M=16,N=16,K=16");
  auto mutator = make_mutate_unroll();
  for (const sched::Trace& t : generate_design_space(w.func, cpu_target())) {
    for (uint64_t seed = 0; seed < 20; ++seed) {
      Rng rng(seed);
      auto next = mutator->apply(t, w.func, rng);
      ASSERT_TRUE(next);
      auto changed = changed_decisions(t, *next);
      ASSERT_EQ(changed.size(), 1u);
      EXPECT_EQ(next->instructions()[changed[0]].kind, "sample_categorical");
      EXPECT_TRUE(sched::testing::same_results(w.func, realize(*next, w.func, cpu_target()).func()));
    }
  }
  // A purely spatial program samples no unroll step.
  ir::Workload relu = ir::make_workload("relu:M=7,N=9");
  Rng rng(0);
  for (const auto& t : generate_design_space(relu.func, cpu_target())) EXPECT_FALSE(mutator->apply(t, relu.func, rng));
}

TEST(MutateComputeLocation, MovesABlockToAnotherLegalLocation) {
  // conv2d's padding block is placed by random-compute-location.
  ir::Workload w = ir::make_workload("conv2d:N=1,H=6,W=6,C=2,K=4,R=3,S=3,pad=1");
  auto mutator = make_mutate_compute_location();
  int mutated = 0;
  for (const sched::Trace& t : generate_design_space(w.func, cpu_target(), 2)) {
    std::set<std::string> decisions;
    for (uint64_t seed = 0; seed < 12; ++seed) {
      Rng rng(seed);
      auto next = mutator->apply(t, w.func, rng);
      ASSERT_TRUE(next) << t.to_text();
      auto changed = changed_decisions(t, *next);
      ASSERT_EQ(changed.size(), 1u);
      EXPECT_EQ(next->instructions()[changed[0]].kind, "sample_compute_location");
      decisions.insert(sched::arg_to_text(*next->instructions()[changed[0]].decision));
      sched::Schedule s = realize(*next, w.func, cpu_target());
      EXPECT_TRUE(sched::testing::same_results(w.func, s.func())) << next->to_text();
      ++mutated;
    }
    EXPECT_GT(decisions.size(), 1u);  // more than one other location is reachable
  }
  EXPECT_GT(mutated, 0);
  // Nothing to move in a lone GEMM.
  ir::Workload gemm = ir::make_workload("matmul:M=16,N=16,K=16");
  Rng rng(0);
  for (const auto& t : generate_design_space(gemm.func, cpu_target())) EXPECT_FALSE(mutator->apply(t, gemm.func, rng));
}

TEST(MutateParallel, ChangesWhichLoopsAreParallel) {
  ir::Workload w = ir::make_workload("matmul:M=64,N=64,K=64");
  auto mutator = make_mutate_parallel(cpu_target(2));
  for (const sched::Trace& t : generate_design_space(w.func, cpu_target(2), 4)) {
    std::string before = ir::to_text(realize(t, w.func, cpu_target(2)).func());
    Rng rng(1);
    auto next = mutator->apply(t, w.func, rng);
    if (!next) continue;  // every extent gives the same loops for these tiles
    auto changed = changed_decisions(t, *next);
    ASSERT_EQ(changed.size(), 1u);
    sched::Schedule s = realize(*next, w.func, cpu_target(2));
    EXPECT_NE(ir::to_text(s.func()), before);
    EXPECT_TRUE(sched::testing::same_results(w.func, s.func()));
  }
  // A fixed program where a smaller extent fuses fewer loops.
  ir::Workload add = ir::make_workload("add:M=64,N=64,bcast=none");
  sched::Trace t = generate_design_space(add.func, cpu_target(2))[0];
  Rng rng(3);
  auto next = mutator->apply(t, add.func, rng);
  ASSERT_TRUE(next) << t.to_text();
  EXPECT_NE(ir::to_text(realize(*next, add.func, cpu_target(2)).func()),
            ir::to_text(realize(t, add.func, cpu_target(2)).func()));
}

}  // namespace
