// multi-level-tiling on a GEMM: the SSRSRS splits, the reorder, the three write-
// reuse variants (none, local cache at level 1 and 2) and correct results. The two
// packed twins of the cached states (read reuse) that follow them are covered by
// multi_level_tiling_pack_test.cpp.
#include "ir/printer.h"
#include "rule_test_util.h"
#include "rules/annotations.h"
#include "schedule/ir_nav.h"

using namespace weft;
using namespace weft::rules::testing;

namespace {

const ir::PrimFunc& matmul64() {
  static const ir::PrimFunc f = ir::make_workload("matmul:M=64,N=64,K=64").func;
  return f;
}

TEST(MultiLevelTiling, GemmGetsSSRSRSSplitsAndThreeWriteReuseVariants) {
  auto states = apply_rule("multi-level-tiling", matmul64(), "C");
  // none, local cache at 1 and 2, then the same two caches with B packed.
  ASSERT_EQ(states.size(), 5u);
  for (const auto& s : states) {
    const sched::Trace& t = s.trace();
    EXPECT_EQ(count_kind(t, "sample_partial_tile"), 1) << t.to_text();
    EXPECT_EQ(count_kind(t, "sample_perfect_tile"), 2) << t.to_text();
    EXPECT_EQ(count_kind(t, "split"), 3);
    EXPECT_EQ(count_kind(t, "reorder"), 1);
    // i and j in four tiles, k in two. j and k: innermost at most 64, product the
    // extent. i (the register tile's rows): innermost r at most 8, the outer tiles
    // multiplying to ceil(64 / r).
    std::vector<int64_t> tile_counts;
    for (const auto& inst : t.instructions()) {
      if (inst.kind != "sample_perfect_tile" && inst.kind != "sample_partial_tile") continue;
      const auto& tiles = std::get<sched::Arg::List>(inst.decision->value);
      tile_counts.push_back(static_cast<int64_t>(tiles.size()));
      int64_t product = 1, inner = std::get<int64_t>(tiles.back().value);
      for (size_t k = 0; k + 1 < tiles.size(); ++k) product *= std::get<int64_t>(tiles[k].value);
      if (inst.kind == "sample_partial_tile") {
        EXPECT_LE(inner, 8);
        EXPECT_EQ(product, (64 + inner - 1) / inner);
      } else {
        EXPECT_EQ(product * inner, 64);
        EXPECT_LE(inner, 64);
      }
    }
    EXPECT_EQ(tile_counts, (std::vector<int64_t>{4, 4, 2}));
    // The block is marked tiled and sits under the ten loops of the structure.
    auto site = *sched::find_block(s.func(), "C");
    EXPECT_EQ(std::get<std::string>(site.block().annotations.at(rules::ann::kTilingStructure)), "SSRSRS");
    EXPECT_EQ(site.loops.size(), 10u);
  }
  EXPECT_EQ(count_kind(states[0].trace(), "cache_write"), 0);
  for (int k : {1, 2, 3, 4}) {
    const sched::Trace& t = states[k].trace();
    EXPECT_EQ(count_kind(t, "cache_read"), k >= 3 ? 1 : 0) << t.to_text();
    EXPECT_EQ(count_kind(t, "cache_write"), 1) << t.to_text();
    EXPECT_EQ(count_kind(t, "reverse_compute_at"), 1);
    bool local = false;
    for (const auto& inst : t.instructions())
      if (inst.kind == "cache_write") local = inst.inputs.at(2) == sched::Arg("local");
    EXPECT_TRUE(local) << t.to_text();
  }
  expect_states_correct(states, matmul64());
}

TEST(MultiLevelTiling, WriteBackFollowsTheTileLevel) {
  auto states = apply_rule("multi-level-tiling", matmul64(), "C", 3);
  ASSERT_EQ(states.size(), 5u);
  // States 1 and 2 cache at levels 1 and 2; their packed twins 3 and 4 too.
  for (int state : {1, 2, 3, 4}) {
    int level = state % 2 == 1 ? 1 : 2;
    const ir::PrimFunc& f = states[state].func();
    // The block writing C (not the cache) is the write-back; its outer loops are
    // the first `level` spatial tile levels (2 loops each), then its own.
    std::string write_back;
    for (const std::string& name : sched::all_block_names(f)) {
      auto site = *sched::find_block(f, name);
      if (name != "root" && site.block().writes[0].buffer->name == "C" && !site.block().init) write_back = name;
    }
    ASSERT_FALSE(write_back.empty()) << ir::to_text(f);
    auto site = *sched::find_block(f, write_back);
    auto compute = *sched::find_block(f, "C");
    ASSERT_GE(site.loops.size(), static_cast<size_t>(2 * level));
    for (int i = 0; i < 2 * level; ++i) EXPECT_TRUE(site.loops[i].same_as(compute.loops[i])) << ir::to_text(f);
    EXPECT_FALSE(site.loops[2 * level].same_as(compute.loops[2 * level]));
  }
}

TEST(MultiLevelTiling, SkipsBlocksWithoutReuse) {
  // An elementwise block and a row sum read every spatial iterator: no tiling.
  for (const char* spec : {"relu:M=16,N=16", "sum:A=4,B=8,C=16,axes=001"}) {
    ir::Workload w = ir::make_workload(spec);
    for (const std::string& name : sched::all_block_names(w.func)) {
      auto states = apply_rule("multi-level-tiling", w.func, name);
      ASSERT_EQ(states.size(), 1u) << spec;
      EXPECT_EQ(states[0].trace().size(), 0u) << spec << " block " << name;
    }
  }
}

TEST(MultiLevelTiling, OddShapesAndConvTileCorrectly) {
  for (const char* spec : {"matmul:M=7,N=13,K=5", "batch_matmul:B=2,M=6,N=9,K=3", "conv2d:N=1,H=5,W=5,C=3,K=4,R=3,S=3,pad=1",
                           "dense_bias_gelu:M=5,N=12,K=7"}) {
    ir::Workload w = ir::make_workload(spec);
    int tiled = 0;
    for (const std::string& name : sched::all_block_names(w.func)) {
      auto states = apply_rule("multi-level-tiling", w.func, name, 11);
      if (states[0].trace().size() > 0) ++tiled;
      expect_states_correct(states, w.func);
    }
    EXPECT_EQ(tiled, 1) << spec;
  }
}

TEST(MultiLevelTiling, FusesTheElementwiseEpilogueIntoTheTile) {
  ir::Workload w = ir::make_workload("dense_bias_gelu:M=32,N=48,K=16");
  auto states = apply_rule("multi-level-tiling", w.func, "matmul", 5);
  // none, cache at 1, cache at 2; then the epilogue fused at 1 and 2, without and with the cache;
  // then the last two with W packed (multi_level_tiling_pack_test.cpp).
  ASSERT_EQ(states.size(), 9u);
  for (size_t k = 0; k < 3; ++k) EXPECT_EQ(sched::find_block(states[k].func(), "bias_gelu")->loops.size(), 2u);
  for (size_t k = 3; k < 9; ++k) {
    int level = k % 2 == 1 ? 1 : 2;
    auto epilogue = *sched::find_block(states[k].func(), "bias_gelu");
    auto compute = *sched::find_block(states[k].func(), "matmul");
    // Under the compute block's first `level` spatial tile levels (two loops each).
    for (int i = 0; i < 2 * level; ++i)
      EXPECT_TRUE(epilogue.loops[i].same_as(compute.loops[i])) << states[k].trace().to_text();
    EXPECT_EQ(count_kind(states[k].trace(), "cache_write"), k >= 5 ? 1 : 0);
    EXPECT_EQ(count_kind(states[k].trace(), "cache_read"), k >= 7 ? 1 : 0);
  }
  expect_states_correct(states, w.func);
}

TEST(MultiLevelTiling, SameSeedSameStates) {
  auto a = apply_rule("multi-level-tiling", matmul64(), "C", 42);
  auto b = apply_rule("multi-level-tiling", matmul64(), "C", 42);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].trace().to_text(), b[i].trace().to_text());
}

}  // namespace
