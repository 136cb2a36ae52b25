// multi-level-tiling's read reuse on the CPU ("packing"): which operand is packed
// (decided from the access pattern, not the name), the packed sketches of matmul,
// dense_bias_gelu, batch_matmul and conv2d (a "global" copy computed at the outer
// spatial tile, next to the write cache), their samples against the interpreter,
// and realized samples compiled and run by the CPU runtime.
#include <algorithm>
#include <set>

#include "codegen/compact_buffers.h"
#include "codegen/cpp_emitter.h"
#include "ir/printer.h"
#include "rule_test_util.h"
#include "rules/rule_util.h"
#include "runtime/evaluate.h"
#include "schedule/ir_nav.h"
#include "schedule/replay.h"
#include "search/space.h"

using namespace weft;
using namespace weft::rules::testing;

namespace {

// The tiled block of a workload (the one multi-level-tiling applies to).
std::string tiled_block(const ir::Workload& w) {
  for (const std::string& name : sched::all_block_names(w.func)) {
    auto site = *sched::find_block(w.func, name);
    if (name != "root" && rules::needs_multi_level_tiling(site)) return name;
  }
  return "";
}

std::vector<std::string> packable(const std::string& spec) {
  ir::Workload w = ir::make_workload(spec);
  return rules::packable_inputs(sched::find_block(w.func, tiled_block(w))->block());
}

// Buffers copied by cache_read in a state (the buffer names of its copies).
std::set<std::string> packed_buffers(const sched::Schedule& s) {
  std::set<std::string> out;
  for (const std::string& name : sched::all_block_names(s.func())) {
    if (name == "root") continue;
    const ir::BlockNode& b = sched::find_block(s.func(), name)->block();
    if (b.writes.size() == 1 && b.writes[0].buffer->scope == "global" && b.reads.size() == 1 &&
        b.writes[0].buffer->name == b.reads[0].buffer->name + "_global")
      out.insert(b.reads[0].buffer->name);
  }
  return out;
}

TEST(MultiLevelTilingPack, PacksTheOperandIndexedInnermostByTheVectorAxis) {
  EXPECT_EQ(packable("matmul:M=8,N=8,K=8"), std::vector<std::string>{"B"});
  EXPECT_EQ(packable("batch_matmul:B=2,M=8,N=8,K=8"), std::vector<std::string>{"B"});
  EXPECT_EQ(packable("dense_bias_gelu:M=8,N=8,K=8"), std::vector<std::string>{"W"});
  EXPECT_EQ(packable("conv2d:N=1,H=6,W=6,C=3,K=8,R=3,S=3,pad=1"), std::vector<std::string>{"weight"});
  // A transposed A (K x M) is still read along i, not j: only B qualifies.
  EXPECT_EQ(packable("matmul:M=8,N=8,K=8,ta=1"), std::vector<std::string>{"B"});
  // B as N x K is read along k innermost: a copy would not be a j-contiguous panel.
  EXPECT_TRUE(packable("matmul:M=8,N=8,K=8,tb=1").empty());
  EXPECT_TRUE(packable("matmul:M=8,N=8,K=8,ta=1,tb=1").empty());
  // With N = 1 the vector axis is i (j has a unit extent): A[i, k] is read along k.
  EXPECT_TRUE(packable("matmul:M=8,N=1,K=8").empty());
}

TEST(MultiLevelTilingPack, GemmGetsTwoPackedTwinsOfTheCachedStates) {
  ir::Workload w = ir::make_workload("matmul:M=64,N=64,K=64");
  auto states = apply_rule("multi-level-tiling", w.func, "C", 4);
  ASSERT_EQ(states.size(), 5u);
  for (size_t k = 0; k < 3; ++k) EXPECT_TRUE(packed_buffers(states[k]).empty()) << states[k].trace().to_text();
  for (size_t k = 3; k < 5; ++k) {
    const sched::Schedule& s = states[k];
    const sched::Trace& t = s.trace();
    EXPECT_EQ(packed_buffers(s), std::set<std::string>{"B"}) << ir::to_text(s.func());
    EXPECT_EQ(count_kind(t, "cache_read"), 1) << t.to_text();
    EXPECT_EQ(count_kind(t, "compute_at"), 1) << t.to_text();
    EXPECT_EQ(count_kind(t, "cache_write"), 1) << t.to_text();
    // The twin of the write cache at level k - 2: the write-back follows that level.
    const sched::Trace& base = states[k - 2].trace();
    EXPECT_EQ(t.to_text().substr(0, base.to_text().size()), base.to_text());
    // The copy sits under the outer spatial tile (i0, j0) of the compute block and
    // copies a K x (tile of j) panel of B: its own loops run over k and j.
    auto copy = *sched::find_block(s.func(), "B_global");
    auto compute = *sched::find_block(s.func(), "C");
    ASSERT_EQ(copy.loops.size(), 4u) << ir::to_text(s.func());
    for (int i = 0; i < 2; ++i) EXPECT_TRUE(copy.loops[i].same_as(compute.loops[i])) << ir::to_text(s.func());
    int64_t k_extent = 0, j_extent = 0, j0 = 0;
    ASSERT_TRUE(ir::is_const_int(copy.loops[2].as<ir::ForNode>()->extent, &k_extent));
    ASSERT_TRUE(ir::is_const_int(copy.loops[3].as<ir::ForNode>()->extent, &j_extent));
    ASSERT_TRUE(ir::is_const_int(compute.loops[1].as<ir::ForNode>()->extent, &j0));
    EXPECT_EQ(k_extent, 64);
    EXPECT_EQ(j_extent * j0, 64);
    // The compute block reads the copy; A is read where it is.
    std::set<std::string> reads;
    for (const auto& r : compute.block().reads) reads.insert(r.buffer->name);
    EXPECT_TRUE(reads.count("B_global") && reads.count("A") && !reads.count("B")) << ir::to_text(s.func());
  }
  expect_states_correct(states, w.func);
}

TEST(MultiLevelTilingPack, DenseEpiloguePackedWithTheFusedEpilogue) {
  ir::Workload w = ir::make_workload("dense_bias_gelu:M=32,N=48,K=16");
  auto states = apply_rule("multi-level-tiling", w.func, "matmul", 5);
  // Seven as before (none, cache 1/2, epilogue 1/2, both 1/2), then the packed
  // twins of "cache + epilogue" at levels 1 and 2.
  ASSERT_EQ(states.size(), 9u);
  for (size_t k = 0; k < 7; ++k) EXPECT_TRUE(packed_buffers(states[k]).empty());
  for (size_t k = 7; k < 9; ++k) {
    const sched::Trace& t = states[k].trace();
    EXPECT_EQ(packed_buffers(states[k]), std::set<std::string>{"W"}) << t.to_text();
    const sched::Trace& base = states[k - 2].trace();
    EXPECT_EQ(t.to_text().substr(0, base.to_text().size()), base.to_text());
    EXPECT_EQ(count_kind(t, "reverse_compute_at"), 2) << t.to_text();
  }
  expect_states_correct(states, w.func);
}

TEST(MultiLevelTilingPack, BatchMatmulAndConvGetPackedSketches) {
  for (const char* spec : {"batch_matmul:B=3,M=12,N=16,K=10", "conv2d:N=1,H=6,W=6,C=4,K=8,R=3,S=3,pad=1",
                           "conv2d:N=2,H=7,W=5,C=3,K=6,R=3,S=2,stride=2"}) {
    ir::Workload w = ir::make_workload(spec);
    std::string block = tiled_block(w);
    for (uint64_t seed : {1, 2, 3}) {
      auto states = apply_rule("multi-level-tiling", w.func, block, seed);
      ASSERT_EQ(states.size(), 5u) << spec;
      std::string operand = std::string(spec).rfind("conv2d", 0) == 0 ? "weight" : "B";
      for (size_t k = 3; k < 5; ++k)
        EXPECT_EQ(packed_buffers(states[k]), std::set<std::string>{operand}) << spec << "\n" << states[k].trace().to_text();
      expect_states_correct(states, w.func);
    }
  }
}

TEST(MultiLevelTilingPack, NoPackedSketchWithoutAPackableOperand) {
  for (const char* spec : {"matmul:M=8,N=8,K=8,tb=1", "matmul:M=8,N=1,K=8"}) {
    ir::Workload w = ir::make_workload(spec);
    auto states = apply_rule("multi-level-tiling", w.func, "C", 2);
    ASSERT_EQ(states.size(), 3u) << spec;
    for (const auto& s : states) EXPECT_EQ(count_kind(s.trace(), "cache_read"), 0) << spec;
    expect_states_correct(states, w.func);
  }
}

// The whole CPU path: the design space holds the packed sketches; fresh samples
// of them (new tile sizes) realize through the postprocessors with the copy's
// inner loop vectorized and a parallel loop outside it, equal the interpreter, and
// compile and run with the generated C++ (buffer compaction makes the copy a panel).
TEST(MultiLevelTilingPack, RealizedPackedSamplesVectorizeTheCopyAndRunCorrectly) {
  int compiled = 0, vectorized = 0;
  for (const char* spec : {"matmul:M=64,N=64,K=32", "dense_bias_gelu:M=16,N=32,K=24", "batch_matmul:B=2,M=8,N=32,K=8",
                           "conv2d:N=1,H=6,W=6,C=4,K=16,R=3,S=3,pad=1"}) {
    ir::Workload w = ir::make_workload(spec);
    std::vector<sched::Trace> space = search::generate_design_space(w.func, cpu_target(2), 7);
    int packed = 0;
    for (const sched::Trace& sketch : space) {
      // register-tiling's packed sketch has its own test (register_tiling_test.cpp).
      if (count_kind(sketch, "cache_read") == 0 || sketch.to_text().find("\"SSRSRS\"") == std::string::npos) continue;
      ++packed;
      for (uint64_t seed : {11, 12}) {
        sched::Schedule s = search::realize(search::without_decisions(sketch), w.func, cpu_target(2), seed);
        std::string copy_name;
        for (const std::string& name : sched::all_block_names(s.func()))
          if (name.size() > 7 && name.substr(name.size() - 7) == "_global") copy_name = name;
        ASSERT_FALSE(copy_name.empty()) << ir::to_text(s.func());
        auto copy = *sched::find_block(s.func(), copy_name);
        // The parallel loop of the compute nest encloses the copy (each thread packs its own panel).
        auto compute = *sched::find_block(s.func(), tiled_block(w));
        for (const auto& l : compute.loops)
          if (l.as<ir::ForNode>()->for_kind == ir::ForKind::Parallel) {
            EXPECT_TRUE(std::any_of(copy.loops.begin(), copy.loops.end(), [&](const auto& c) { return c.same_as(l); }))
                << spec << "\n" << ir::to_text(s.func());
          }
        // A j tile that fits 64 bytes is copied as one vector.
        const ir::ForNode& innermost = *copy.loops.back().as<ir::ForNode>();
        int64_t inner = 0;
        ir::is_const_int(innermost.extent, &inner);
        if (inner > 1 && inner <= 16) {
          EXPECT_EQ(innermost.for_kind, ir::ForKind::Vectorized) << spec << "\n" << ir::to_text(s.func());
          ++vectorized;
        }
        EXPECT_TRUE(sched::testing::same_results(w.func, s.func(), seed)) << spec << "\n" << s.trace().to_text();
        if (seed != 11) continue;  // one compile per sketch keeps the test short
        runtime::EvalOptions options;
        options.runner.repeats = 1;
        runtime::EvalResult r = runtime::evaluate_cpu(w, s.func(), options);
        EXPECT_EQ(r.check, "pass") << spec << ": " << r.check_message << "\n" << ir::to_text(s.func());
        ++compiled;
      }
    }
    EXPECT_EQ(packed, 2) << spec;
  }
  EXPECT_EQ(compiled, 8);
  EXPECT_GT(vectorized, 0);
}

// What makes the packed sketch fast, on a GEMM sample like the hand-written
// schedule (examples/schedules/matmul_1024.sched: 4 x 16 register tile, the whole
// k loop inside, B packed per column tile): after the postprocessors fuse i0 and j0
// into one parallel loop, compaction makes B_global a K x 16 panel and C_local a
// 4 x 16 tile inside it, and the emitted C++ indexes them with plain / and % of
// the fused loop (which GCC folds), not with wrt::floordiv's branches.
TEST(MultiLevelTilingPack, HandScheduleShapeCompactsToAPanelInsideTheParallelLoop) {
  ir::Workload w = ir::make_workload("matmul:M=64,N=64,K=64");
  std::vector<sched::Trace> space = search::generate_design_space(w.func, cpu_target(2), 1);
  ASSERT_EQ(space.size(), 11u);  // multi-level-tiling's 5, then register-tiling's 6
  // The packed twin of the level-2 write cache, with the hand schedule's tiles.
  std::string text = space[4].to_text();
  auto set_decision = [&](const std::string& loop, const std::string& tiles) {
    // The rows (l1) are a partial tile (any height), the others perfect tiles.
    std::string key = (loop == "l1" ? "sample_partial_tile(" : "sample_perfect_tile(") + loop + ",";
    size_t at = text.find(key);
    ASSERT_NE(at, std::string::npos) << text;
    size_t open = text.find("-> [", at), close = text.find(']', open);
    text.replace(open + 4, close - open - 4, tiles);
  };
  set_decision("l1", "2, 8, 1, 4");
  set_decision("l2", "4, 1, 1, 16");
  set_decision("l3", "64, 1");
  sched::Schedule s = search::realize(sched::Trace::parse_text(text), w.func, cpu_target(2));
  ir::PrimFunc compacted = codegen::compact_buffers(s.func());
  std::string ir_text = ir::to_text(compacted);
  EXPECT_NE(ir_text.find("alloc B_global: f32[64, 16]"), std::string::npos) << ir_text;
  EXPECT_NE(ir_text.find("alloc C_local: f32[4, 16] local"), std::string::npos) << ir_text;
  EXPECT_LT(ir_text.find(") parallel {"), ir_text.find("alloc B_global")) << ir_text;
  EXPECT_NE(ir_text.find("i_0_j_0_fused"), std::string::npos) << ir_text;
  std::string cpp = codegen::emit_cpp(s.func(), "packed_gemm");
  EXPECT_EQ(cpp.find("wrt::floordiv"), std::string::npos) << cpp;
  EXPECT_EQ(cpp.find("wrt::floormod"), std::string::npos) << cpp;
  EXPECT_TRUE(sched::testing::same_results(w.func, s.func()));
  runtime::EvalOptions options;
  options.runner.repeats = 1;
  EXPECT_EQ(runtime::evaluate_cpu(w, s.func(), options).check, "pass");
}

}  // namespace
