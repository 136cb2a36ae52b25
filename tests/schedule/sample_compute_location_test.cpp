// sample_compute_location: candidates, the root and inline locations, recorded
// decisions, and replay.
#include <set>

#include "ir/workload.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_loops.h"
#include "schedule/primitives_lookup.h"
#include "schedule/replay.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

namespace {

// A padding block feeding a 3-tap stencil whose loop is split in two.
ir::PrimFunc tiled_stencil() {
  Schedule sch(ir::parse_func(R"(func stencil(A: f32[8], B: f32[8]) {
  block root() {
    alloc P: f32[10]
    for i in range(10) {
      block pad(vi: spatial(0, 10) = i) {
        reads(A[vi - 1])
        writes(P[vi])
        P[vi] = select(vi >= 1 && vi < 9, A[vi - 1], f32(0))
      }
    }
    for j_0 in range(2) {
      for j_1 in range(4) {
        block sum3(vj: spatial(0, 8) = j_0 * 4 + j_1) {
          reads(P[vj:+3])
          writes(B[vj])
          B[vj] = P[vj] + P[vj + 1] + P[vj + 2]
        }
      }
    }
  }
}
)",
                              "stencil.ir"));
  return sch.func();
}

// Samples a location for "pad" with `decision` and applies it with compute_at.
Schedule sample_and_apply(const ir::PrimFunc& func, std::optional<int64_t> decision, uint64_t seed = 0) {
  Schedule sch(func, seed);
  BlockRV pad = get_block(sch, "pad");
  LoopRV where = sample_compute_location(sch, pad, decision);
  compute_at(sch, pad, where);
  return sch;
}

}  // namespace

TEST(SampleComputeLocation, LoopDecisionsMatchComputeAt) {
  ir::PrimFunc func = tiled_stencil();
  for (int index = 0; index < 2; ++index) {
    Schedule sampled = sample_and_apply(func, index);
    Schedule direct(func);
    BlockRV sum3 = get_block(direct, "sum3");
    compute_at(direct, get_block(direct, "pad"), get_loops(direct, sum3)[index]);
    EXPECT_EQ(ir::to_text(sampled.func()), ir::to_text(direct.func())) << "decision " << index;
    EXPECT_TRUE(same_results(func, sampled.func()));
  }
}

TEST(SampleComputeLocation, RootLeavesTheBlockAndInlineInlinesIt) {
  ir::PrimFunc func = tiled_stencil();
  Schedule root = sample_and_apply(func, -1);
  EXPECT_EQ(ir::to_text(root.func()), ir::to_text(func));
  EXPECT_EQ(root.trace().to_text(),
            "b0 = get_block(\"pad\")\n"
            "l1 = sample_compute_location(b0) -> -1\n"
            "compute_at(b0, l1, preserve_unit_loops=0)\n");
  EXPECT_SCHEDULE_ERROR(split(root, LoopRV{1}, {Arg(2), Arg()}), "loop l1 (compute_root) no longer exists");

  Schedule inl = sample_and_apply(func, -2);
  Schedule direct(func);
  compute_inline(direct, get_block(direct, "pad"));
  EXPECT_EQ(ir::to_text(inl.func()), ir::to_text(direct.func()));
  EXPECT_TRUE(same_results(func, inl.func()));
}

TEST(SampleComputeLocation, DecisionsAreRecordedAndReplayed) {
  ir::PrimFunc func = tiled_stencil();
  std::set<int64_t> seen;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    Schedule sch = sample_and_apply(func, std::nullopt, seed);
    const Instruction& sample = sch.trace().instructions()[1];
    ASSERT_TRUE(sample.decision.has_value());
    int64_t d = std::get<int64_t>(sample.decision->value);
    seen.insert(d);
    EXPECT_TRUE(same_results(func, sch.func())) << "decision " << d;
    // Replay keeps the decision, through the text form too; another seed does not matter.
    Trace parsed = Trace::parse_text(sch.trace().to_text());
    EXPECT_EQ(ir::to_text(replay(parsed, func, seed + 1000).func()), ir::to_text(sch.func()));
  }
  EXPECT_EQ(seen, (std::set<int64_t>{-2, -1, 0, 1}));
}

TEST(SampleComputeLocation, ReplayWithAnotherDecision) {
  ir::PrimFunc func = tiled_stencil();
  Schedule sch = sample_and_apply(func, -1);
  Schedule moved = replay(sch.trace(), func, 0, {{1, Arg(0)}});
  Schedule direct(func);
  compute_at(direct, get_block(direct, "pad"), get_loops(direct, get_block(direct, "sum3"))[0]);
  EXPECT_EQ(ir::to_text(moved.func()), ir::to_text(direct.func()));
  EXPECT_NE(moved.trace().to_text().find("sample_compute_location(b0) -> 0"), std::string::npos);
}

TEST(SampleComputeLocation, Errors) {
  ir::PrimFunc func = tiled_stencil();
  Schedule sch(func);
  BlockRV pad = get_block(sch, "pad");
  EXPECT_SCHEDULE_ERROR(sample_compute_location(sch, pad, 2),
                        "sample_compute_location: decision 2 is not a location of block 'pad' (candidate loops: "
                        "[j_0, j_1], -1: root, -2: inline)");
  EXPECT_EQ(sch.trace().size(), 1u);  // nothing recorded

  // A reduction cannot be inlined; its candidates are the consumer's loops.
  Schedule dense(ir::make_workload("dense_bias_relu:M=4,N=6,K=3").func);
  BlockRV matmul = get_block(dense, "matmul");
  EXPECT_SCHEDULE_ERROR(sample_compute_location(dense, matmul, -2),
                        "(candidate loops: [i, j], -1: root, inlining is not legal)");
  LoopRV where = sample_compute_location(dense, matmul, 1);
  EXPECT_SCHEDULE_ERROR(reverse_compute_at(dense, get_block(dense, "bias_relu"), sample_compute_location(dense, matmul, -1)),
                        "which only compute_at takes");
  compute_at(dense, matmul, where);
  EXPECT_TRUE(same_results(ir::make_workload("dense_bias_relu:M=4,N=6,K=3").func, dense.func()));
}

TEST(SampleComputeLocation, RandomLocationsKeepResults) {
  // Tile the last block's outer loop, then give every other block, last to first,
  // a sampled location: the results never change and replay reproduces the IR.
  const char* specs[] = {"dense_bias_gelu:M=10,N=6,K=3", "softmax:M=5,N=7",
                         "conv2d:N=1,H=6,W=5,C=2,K=2,R=3,S=3,pad=1", "layernorm:M=5,N=6"};
  for (const char* spec : specs) {
    ir::PrimFunc original = ir::make_workload(spec).func;
    std::set<int64_t> decisions;
    for (uint64_t seed = 0; seed < 12; ++seed) {
      Schedule sch(original, seed);
      std::vector<std::string> names = all_block_names(original);  // root first
      BlockRV last = get_block(sch, names.back());
      int64_t factor = sch.rng().uniform_int(2, 4);
      split(sch, get_loops(sch, last)[0], {Arg(), Arg(factor)});
      for (size_t i = names.size() - 1; i-- > 1;) {
        BlockRV b = get_block(sch, names[i]);
        compute_at(sch, b, sample_compute_location(sch, b));
        decisions.insert(std::get<int64_t>(sch.trace().instructions()[sch.trace().size() - 2].decision->value));
      }
      ASSERT_TRUE(same_results(original, sch.func())) << spec << " seed " << seed << "\n" << sch.trace().to_text();
      Trace parsed = Trace::parse_json(sch.trace().to_json());
      EXPECT_EQ(ir::to_text(replay(parsed, original).func()), ir::to_text(sch.func())) << spec << " seed " << seed;
    }
    EXPECT_GE(decisions.size(), 2u) << spec;  // locations do vary
  }
}
