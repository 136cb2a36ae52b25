// The CUDA rules one by one: cuda-multi-level-tiling on a GEMM (binds, shared read
// cache, local write cache), cuda-cross-thread-reduction on softmax/layernorm
// reductions, cuda-auto-bind, cuda-unroll; every state against the interpreter.
#include <set>

#include "ir/printer.h"
#include "rule_test_util.h"
#include "rules/annotations.h"
#include "rules/cuda_util.h"
#include "rules/rule_sets.h"
#include "schedule/ir_nav.h"

using namespace weft;
using namespace weft::rules::testing;

namespace {

// Thread tags of the loops above a block, outermost first.
std::vector<std::string> thread_tags(const ir::PrimFunc& f, const std::string& block) {
  std::vector<std::string> tags;
  auto site = sched::find_block(f, block);
  EXPECT_TRUE(site) << block;
  if (!site) return tags;
  for (const ir::Stmt& l : site->loops) {
    const auto& loop = *l.as<ir::ForNode>();
    if (loop.for_kind == ir::ForKind::ThreadBinding) tags.push_back(loop.thread_tag);
  }
  return tags;
}

std::string scope_of(const ir::PrimFunc& f, const std::string& buffer) {
  for (const ir::Buffer& b : sched::all_buffers(f))
    if (b->name == buffer) return b->scope;
  return "<missing>";
}

TEST(CudaRuleSet, ListsRegisteredRulesInMetaScheduleOrder) {
  const auto& set = rules::rule_set("cuda");
  EXPECT_EQ(set, (std::vector<std::string>{"inline-constant-scalars", "auto-inline", "cuda-cross-thread-reduction",
                                           "cuda-tensor-core-tiling", "cuda-multi-level-tiling", "cuda-unroll",
                                           "cuda-auto-bind"}));
  for (const std::string& name : set) EXPECT_NO_THROW(rules::find_rule(name)) << name;
}

TEST(CudaMultiLevelTiling, GemmIsTiledBoundAndStaged) {
  ir::PrimFunc f = ir::make_workload("matmul:M=128,N=128,K=128").func;
  for (uint64_t seed = 0; seed < 4; ++seed) {
    auto states = apply_rule("cuda-multi-level-tiling", f, "C", seed, cuda_target("sm_90"));
    ASSERT_EQ(states.size(), 1u);
    const sched::Schedule& s = states[0];
    const sched::Trace& t = s.trace();
    // i, j in five tiles and k in three: SSSRRSRS.
    std::vector<size_t> tile_counts;
    for (const auto& inst : t.instructions())
      if (inst.kind == "sample_perfect_tile")
        tile_counts.push_back(std::get<sched::Arg::List>(inst.decision->value).size());
    EXPECT_EQ(tile_counts, (std::vector<size_t>{5, 5, 3})) << t.to_text();
    EXPECT_EQ(count_kind(t, "bind"), 3);
    EXPECT_EQ(count_kind(t, "fuse"), 3);
    EXPECT_EQ(count_kind(t, "cache_write"), 1);
    EXPECT_EQ(count_kind(t, "cache_read"), 2);
    EXPECT_EQ(count_kind(t, "compute_at"), 2);
    EXPECT_EQ(count_kind(t, "reverse_compute_at"), 1);
    std::string text = t.to_text();
    EXPECT_NE(text.find("\"blockIdx.x\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"vthread.x\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"threadIdx.x\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"shared\""), std::string::npos) << text;
    EXPECT_NE(text.find("\"local\""), std::string::npos) << text;
    EXPECT_EQ(thread_tags(s.func(), "C"), (std::vector<std::string>{"blockIdx.x", "vthread.x", "threadIdx.x"}));
    // The cache stages sit inside the thread block: copies under the threads (the
    // cooperative fetch spreads them), the write-back under each thread's tile.
    EXPECT_EQ(scope_of(s.func(), "A_shared"), "shared");
    EXPECT_EQ(scope_of(s.func(), "B_shared"), "shared");
    EXPECT_EQ(scope_of(s.func(), "C_local"), "local");
    for (const char* copy : {"A_shared", "B_shared", "C_local"})
      EXPECT_EQ(thread_tags(s.func(), copy), (std::vector<std::string>{"blockIdx.x", "vthread.x", "threadIdx.x"}))
          << copy;
    auto a_copy = sched::find_block(s.func(), "A_shared");
    ASSERT_TRUE(a_copy);
    EXPECT_EQ(a_copy->block().annotations.count(rules::cuda::kCooperativeFetch), 1u);
  }
  expect_states_correct(apply_rule("cuda-multi-level-tiling", ir::make_workload("matmul:M=16,N=12,K=8").func, "C", 3,
                                   cuda_target("sm_90")),
                        ir::make_workload("matmul:M=16,N=12,K=8").func);
}

TEST(CudaMultiLevelTiling, FusesTheElementwiseEpilogueIntoEachThreadsTile) {
  ir::PrimFunc f = ir::make_workload("dense_bias_gelu:M=8,N=12,K=16").func;
  std::vector<std::string> names = sched::all_block_names(f);
  std::string main_block;
  for (const std::string& n : names) {
    auto site = sched::find_block(f, n);
    if (site->parent && site->block().is_reduction()) main_block = n;
  }
  ASSERT_FALSE(main_block.empty());
  auto states = apply_rule("cuda-multi-level-tiling", f, main_block, 1, cuda_target("sm_90"));
  ASSERT_EQ(states.size(), 1u);
  expect_states_correct(states, f);
  // Every block is under the thread block's threads.
  for (const std::string& n : sched::all_block_names(states[0].func())) {
    auto site = sched::find_block(states[0].func(), n);
    if (!site->parent) continue;
    EXPECT_EQ(thread_tags(states[0].func(), n).size(), 3u) << n << "\n" << ir::to_text(states[0].func());
  }
}

TEST(CudaMultiLevelTiling, LeavesBlocksWithoutReuseAlone) {
  ir::PrimFunc f = ir::make_workload("softmax:M=4,N=64").func;
  for (const std::string& n : sched::all_block_names(f)) {
    auto states = apply_rule("cuda-multi-level-tiling", f, n, 0, cuda_target("sm_90"));
    ASSERT_EQ(states.size(), 1u);
    EXPECT_EQ(states[0].trace().size(), 0u) << n;
  }
}

TEST(CudaCrossThreadReduction, SpreadsRowReductionsOverThreads) {
  for (const char* spec : {"softmax:M=5,N=33", "layernorm:M=3,N=64", "sum:A=2,B=3,C=64,axes=011"}) {
    ir::PrimFunc f = ir::make_workload(spec).func;
    int applied = 0;
    for (const std::string& n : sched::all_block_names(f)) {
      auto site = sched::find_block(f, n);
      if (!site->parent || !site->block().is_reduction()) continue;
      for (uint64_t seed = 0; seed < 3; ++seed) {
        auto states = apply_rule("cuda-cross-thread-reduction", f, n, seed, cuda_target("sm_90"));
        ASSERT_EQ(states.size(), 2u) << spec << " " << n;
        EXPECT_EQ(states[1].trace().size(), 0u);
        const sched::Schedule& s = states[0];
        ++applied;
        EXPECT_EQ(count_kind(s.trace(), "rfactor"), 1) << s.trace().to_text();
        EXPECT_EQ(thread_tags(s.func(), n), (std::vector<std::string>{"blockIdx.x", "threadIdx.x"}));
        EXPECT_EQ(thread_tags(s.func(), n + "_rf"), (std::vector<std::string>{"blockIdx.x", "threadIdx.x"}))
            << ir::to_text(s.func());
        std::string rf_buffer = site->block().writes[0].buffer->name + "_rf";
        EXPECT_EQ(scope_of(s.func(), rf_buffer), "shared");
        expect_states_correct({s}, f);
      }
    }
    EXPECT_GT(applied, 0) << spec;
  }
}

TEST(CudaCrossThreadReduction, LeavesShortAndTiledReductionsAlone) {
  ir::PrimFunc f = ir::make_workload("softmax:M=5,N=8").func;
  auto states = apply_rule("cuda-cross-thread-reduction", f, "maxelem", 0, cuda_target("sm_90"));
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(states[0].trace().size(), 0u);
  ir::PrimFunc mm = ir::make_workload("matmul:M=64,N=64,K=64").func;
  EXPECT_EQ(apply_rule("cuda-cross-thread-reduction", mm, "C", 0, cuda_target("sm_90"))[0].trace().size(), 0u);
}

TEST(CudaAutoBind, BindsSpatialLoopsToBlocksAndThreads) {
  for (const char* spec : {"softmax:M=5,N=33", "add:M=7,N=9,bcast=row", "sum:A=5,B=1,C=3,axes=101"}) {
    ir::PrimFunc f = ir::make_workload(spec).func;
    for (const std::string& n : sched::all_block_names(f)) {
      auto site = sched::find_block(f, n);
      if (!site->parent) continue;
      auto states = apply_rule("cuda-auto-bind", f, n, 2, cuda_target("sm_90"));
      ASSERT_EQ(states.size(), 1u);
      EXPECT_EQ(thread_tags(states[0].func(), n), (std::vector<std::string>{"blockIdx.x", "threadIdx.x"}))
          << spec << " " << n << "\n" << ir::to_text(states[0].func());
      EXPECT_EQ(count_kind(states[0].trace(), "sample_categorical"), 1);
      expect_states_correct(states, f);
      // A bound block is left alone.
      auto again = rules::find_rule("cuda-auto-bind").apply(states[0], n, cuda_target("sm_90"));
      EXPECT_EQ(again[0].trace().size(), states[0].trace().size());
    }
  }
}

TEST(CudaAutoBind, ThreadExtentIsAWarpMultipleNotAboveTheExtent) {
  ir::PrimFunc f = ir::make_workload("add:M=64,N=40,bcast=row").func;
  std::string block;
  for (const std::string& n : sched::all_block_names(f))
    if (sched::find_block(f, n)->parent) block = n;
  std::set<int64_t> seen;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    auto s = apply_rule("cuda-auto-bind", f, block, seed, cuda_target("sm_90"))[0];
    for (const auto& inst : s.trace().instructions()) {
      if (inst.kind != "sample_categorical") continue;
      int64_t index = std::get<int64_t>(inst.decision->value);
      const auto& candidates = std::get<sched::Arg::List>(inst.attrs[0].second.value);
      seen.insert(std::get<int64_t>(candidates[static_cast<size_t>(index)].value));
    }
  }
  // 64 * 40 = 2560 elements: every candidate up to 1024 is drawn sometimes.
  EXPECT_EQ(seen, (std::set<int64_t>{32, 64, 128, 256, 512, 1024}));
}

TEST(CudaUnroll, AnnotatesTheRootOfProgramsWithAReduction) {
  ir::PrimFunc mm = ir::make_workload("matmul:M=8,N=8,K=8").func;
  auto states = apply_rule("cuda-unroll", mm, mm->root_block().name, 0, cuda_target("sm_90"));
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(kinds(states[0].trace()), (std::vector<std::string>{"get_block", "sample_categorical", "annotate"}));
  EXPECT_EQ(states[0].func()->root_block().annotations.count(rules::ann::kUnrollExplicit), 1u);
  EXPECT_EQ(states[0].func()->root_block().annotations.count(rules::ann::kParallelExtent), 0u);
  ir::PrimFunc add = ir::make_workload("add:M=7,N=9,bcast=row").func;
  EXPECT_EQ(apply_rule("cuda-unroll", add, add->root_block().name, 0, cuda_target("sm_90"))[0].trace().size(), 0u);
}

}  // namespace
