// generate_design_space and realize: the GEMM's sketches, every sketch of every op
// realizing into a correct program (interpreter; a handful compiled), determinism.
#include "ir/printer.h"
#include "rules/annotations.h"
#include "runtime/evaluate.h"
#include "schedule/error.h"
#include "schedule/ir_nav.h"
#include "schedule/replay.h"
#include "search/space.h"
#include "space_test_util.h"
#include "support/error.h"

using namespace weft;
using namespace weft::search;
using namespace weft::search::testing;

namespace {

int count_kind(const sched::Trace& t, const std::string& kind) {
  int n = 0;
  for (const auto& inst : t.instructions()) n += inst.kind == kind;
  return n;
}

// Loop kinds present in a program.
struct Kinds {
  int parallel = 0, vectorized = 0, unrolled = 0;
};
Kinds loop_kinds(const ir::PrimFunc& f) {
  Kinds k;
  std::string text = ir::to_text(f);
  for (size_t p = 0; (p = text.find(") parallel {", p)) != std::string::npos; ++p) ++k.parallel;
  for (size_t p = 0; (p = text.find(") vectorized {", p)) != std::string::npos; ++p) ++k.vectorized;
  for (size_t p = 0; (p = text.find(") unrolled {", p)) != std::string::npos; ++p) ++k.unrolled;
  return k;
}

// multi-level-tiling's five: no write cache, a local one at tile level 1 or 2, and
// two with B packed (cache_read into global at the outer spatial tile); then
// register-tiling's six: the local accumulator of 1, 2 and 4 vectors, each without
// and with B packed.
TEST(DesignSpace, GemmHasTheElevenTilingSketches) {
  ir::Workload w = ir::make_workload("matmul:M=64,N=64,K=64");
  std::vector<sched::Trace> space = generate_design_space(w.func, cpu_target());
  ASSERT_EQ(space.size(), 11u);
  for (size_t i = 0; i < space.size(); ++i) {
    const sched::Trace& t = space[i];
    bool register_tile = i >= 5;
    EXPECT_EQ(t.to_text().find("\"register\"") != std::string::npos, register_tile) << t.to_text();
    // SSRSRS: j and k perfect tiles; register: the vectors of j fixed by the
    // sketch, k a perfect tile whose inner factor is unrolled. Both: i, the
    // register tile's rows, a partial tile.
    EXPECT_EQ(count_kind(t, "sample_perfect_tile"), register_tile ? 1 : 2) << t.to_text();
    EXPECT_EQ(count_kind(t, "unroll"), register_tile ? 1 : 0) << t.to_text();
    EXPECT_EQ(count_kind(t, "sample_partial_tile"), 1) << t.to_text();
    EXPECT_EQ(count_kind(t, "cache_write"), i == 0 ? 0 : 1) << t.to_text();
    bool packed = i == 3 || i == 4 || (register_tile && i % 2 == 0);
    EXPECT_EQ(count_kind(t, "cache_read"), packed ? 1 : 0) << t.to_text();
    // Root annotations: parallel extent (sampled), vectorize bytes, unroll (sampled).
    EXPECT_EQ(count_kind(t, "sample_categorical"), 2) << t.to_text();
    EXPECT_EQ(count_kind(t, "annotate"), 4) << t.to_text();  // tiling structure + 3 requests
    for (const auto& inst : t.instructions()) EXPECT_TRUE(!inst.outputs.empty() || inst.kind != "get_loops");
    // Each sketch replays with its decisions to the same program every time.
    EXPECT_EQ(ir::to_text(sched::replay(t, w.func).func()), ir::to_text(sched::replay(t, w.func).func()));
    sched::Schedule s = realize(t, w.func, cpu_target());
    Kinds k = loop_kinds(s.func());
    EXPECT_GE(k.parallel, 1) << ir::to_text(s.func());
    EXPECT_GE(k.vectorized, 1) << ir::to_text(s.func());
    EXPECT_TRUE(sched::find_block(s.func(), "C_init")) << ir::to_text(s.func());
    EXPECT_TRUE(sched::testing::same_results(w.func, s.func()));
    // The requests are consumed.
    EXPECT_EQ(s.func()->root_block().annotations.count(rules::ann::kParallelExtent), 0u);
  }
}

TEST(DesignSpace, SameSeedSameSpace) {
  for (const char* spec : {"matmul:M=64,N=64,K=64", "softmax:M=5,N=33", "conv2d:N=1,H=6,W=6,C=3,K=4,R=3,S=3,pad=1"}) {
    ir::Workload w = ir::make_workload(spec);
    auto a = generate_design_space(w.func, cpu_target(), 7);
    auto b = generate_design_space(w.func, cpu_target(), 7);
    ASSERT_EQ(a.size(), b.size()) << spec;
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].to_text(), b[i].to_text()) << spec;
  }
  // Another seed draws other tile sizes for the GEMM.
  ir::Workload w = ir::make_workload("matmul:M=64,N=64,K=64");
  std::string s1, s2;
  for (const auto& t : generate_design_space(w.func, cpu_target(), 1)) s1 += t.to_text();
  for (const auto& t : generate_design_space(w.func, cpu_target(), 2)) s2 += t.to_text();
  EXPECT_NE(s1, s2);
}

TEST(DesignSpace, ReductionWithSmallSpatialExtentGetsRFactorSketches) {
  ir::Workload w = ir::make_workload("sum:A=2,B=1,C=256,axes=001");
  auto space = generate_design_space(w.func, cpu_target());
  int rfactored = 0;
  for (const auto& t : space) rfactored += count_kind(t, "rfactor");
  EXPECT_EQ(space.size(), 3u);
  EXPECT_EQ(rfactored, 2);
  for (const auto& t : space) EXPECT_TRUE(sched::testing::same_results(w.func, realize(t, w.func, cpu_target()).func()));
}

// Every sketch of every op (small, odd shapes) realizes, with its recorded
// decisions, into a program that computes what the unscheduled program computes.
// Fresh decisions (without_decisions, other seeds) realize correctly too, except
// draws a sketch cannot take (a split into a unit loop that rfactor then cannot
// factor): those fail with a ScheduleError, never with a wrong program.
TEST(DesignSpace, EverySketchOfEveryOpRealizesCorrectly) {
  int sketches = 0, fresh = 0, refused = 0;
  for (const std::string& op : ir::list_ops()) {
    for (const std::string& spec : small_specs(op)) {
      ir::Workload w = ir::make_workload(spec);
      auto space = generate_design_space(w.func, cpu_target(), 3);
      ASSERT_FALSE(space.empty()) << spec;
      for (const sched::Trace& t : space) {
        ++sketches;
        sched::Schedule s = realize(t, w.func, cpu_target());
        EXPECT_TRUE(sched::testing::same_results(w.func, s.func())) << spec << "\n" << t.to_text();
        for (uint64_t seed : {1, 2, 3}) {
          ++fresh;
          try {
            sched::Schedule f = realize(without_decisions(t), w.func, cpu_target(), seed);
            EXPECT_TRUE(sched::testing::same_results(w.func, f.func(), seed)) << spec << "\n" << f.trace().to_text();
          } catch (const sched::ScheduleError& e) {
            ++refused;
            EXPECT_NE(std::string(e.what()).find("rfactor"), std::string::npos) << spec << ": " << e.what();
          }
        }
      }
    }
  }
  EXPECT_GT(sketches, 40);
  EXPECT_LT(refused * 10, fresh) << refused << " of " << fresh << " fresh draws refused";
}

// A handful of realized sketches compiled and run on the CPU.
TEST(DesignSpace, RealizedSketchesCompileAndMatchTheInterpreter) {
  for (const char* spec : {"matmul:M=64,N=64,K=64", "dense_bias_relu:M=9,N=16,K=13", "softmax:M=5,N=33",
                           "conv2d:N=1,H=6,W=6,C=3,K=4,R=3,S=3,pad=1", "sum:A=2,B=3,C=64,axes=011"}) {
    ir::Workload w = ir::make_workload(spec);
    auto space = generate_design_space(w.func, cpu_target(), 5);
    sched::Schedule s = realize(space.back(), w.func, cpu_target());
    runtime::EvalOptions options;
    options.runner.repeats = 1;
    runtime::EvalResult r = runtime::evaluate_cpu(w, s.func(), options);
    EXPECT_EQ(r.check, "pass") << spec << ": " << r.check_message << "\n" << ir::to_text(s.func());
  }
}

TEST(Realize, ABadTraceIsAScheduleError) {
  ir::Workload gemm = ir::make_workload("matmul:M=64,N=64,K=64");
  ir::Workload relu = ir::make_workload("relu:M=4,N=4");
  auto space = generate_design_space(gemm.func, cpu_target());
  EXPECT_THROW(realize(space[0], relu.func, cpu_target()), Error);
  EXPECT_THROW(realize(space[0], gemm.func, [] {
                 Target t = cpu_target();
                 t.backend = "tpu";
                 return t;
               }()),
               UsageError);
}

TEST(WithoutDecisions, RemovesEveryDecisionAndReplaysFresh) {
  ir::Workload w = ir::make_workload("matmul:M=64,N=64,K=64");
  sched::Trace t = generate_design_space(w.func, cpu_target())[1];
  sched::Trace fresh = without_decisions(t);
  ASSERT_EQ(fresh.size(), t.size());
  for (const auto& inst : fresh.instructions()) EXPECT_FALSE(inst.decision.has_value()) << inst.kind;
  std::set<std::string> programs;
  for (uint64_t seed = 0; seed < 6; ++seed) programs.insert(ir::to_text(realize(fresh, w.func, cpu_target(), seed).func()));
  EXPECT_GT(programs.size(), 1u);
  // Replaying the decided trace ignores the seed.
  EXPECT_EQ(ir::to_text(realize(t, w.func, cpu_target(), 1).func()), ir::to_text(realize(t, w.func, cpu_target(), 9).func()));
}

}  // namespace
