// The CUDA design space end to end: the GEMM's sketch, every realized sample bound
// to blocks and threads and equal to the unscheduled program under the
// interpreter (which runs thread-bound loops serially), for matmul, softmax,
// layernorm, dense_bias_gelu and conv2d; postprocessor and mutator lists.
#include "cuda_test_util.h"
#include "rules/cuda_util.h"
#include "schedule/error.h"
#include "search/mutator.h"
#include "search/postprocess.h"
#include "search/postprocess_gpu.h"
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

TEST(CudaDesignSpace, GemmSketchHasBindsAndCacheStages) {
  ir::Workload w = ir::make_workload("matmul:M=128,N=128,K=128");
  std::vector<sched::Trace> space = generate_design_space(w.func, cuda_target());
  ASSERT_EQ(space.size(), 1u);
  const sched::Trace& t = space[0];
  std::string text = t.to_text();
  EXPECT_EQ(count_kind(t, "bind"), 3) << text;
  EXPECT_NE(text.find("bind(l"), std::string::npos);
  for (const char* tag : {"\"blockIdx.x\"", "\"vthread.x\"", "\"threadIdx.x\""})
    EXPECT_NE(text.find(tag), std::string::npos) << tag << "\n" << text;
  EXPECT_EQ(count_kind(t, "cache_read"), 2);
  EXPECT_NE(text.find("cache_read(b0, 1, \"shared\")"), std::string::npos) << text;
  EXPECT_NE(text.find("cache_write(b0, 0, \"local\")"), std::string::npos) << text;
  EXPECT_NE(text.find("\"unroll_explicit\""), std::string::npos) << text;
}

TEST(CudaDesignSpace, PostprocessorsAndMutatorsFollowTheBackend) {
  std::vector<std::string> names;
  for (const auto& p : default_postprocessors(cuda_target())) names.push_back(p->name());
  EXPECT_EQ(names, (std::vector<std::string>{"rewrite-cooperative-fetch", "rewrite-unbound-blocks",
                                             "rewrite-reduction-block", "rewrite-parallel-vectorize-unroll",
                                             "verify-gpu-code"}));
  auto ms = default_mutators(cuda_target());
  ASSERT_EQ(ms.size(), 3u);
  EXPECT_EQ(ms[0].mutator->name(), "mutate-tile-size");
  EXPECT_DOUBLE_EQ(ms[0].probability, 0.9);
  EXPECT_EQ(ms[1].mutator->name(), "mutate-unroll");
  EXPECT_DOUBLE_EQ(ms[1].probability, 0.08);
  EXPECT_EQ(ms[2].mutator->name(), "mutate-thread-binding");
  EXPECT_DOUBLE_EQ(ms[2].probability, 0.02);
  // The CPU lists are unchanged.
  EXPECT_EQ(default_postprocessors(cpu_target()).size(), 3u);
  EXPECT_EQ(default_mutators(cpu_target()).size(), 4u);
}

// Realizes fresh samples of every sketch; returns how many were valid. Each valid
// one is bound everywhere and computes what the unscheduled program computes.
int check_samples(const std::string& spec, int samples_per_sketch) {
  ir::Workload w = ir::make_workload(spec);
  std::vector<sched::Trace> space = generate_design_space(w.func, cuda_target(), 3);
  EXPECT_FALSE(space.empty()) << spec;
  int valid = 0;
  for (size_t k = 0; k < space.size(); ++k) {
    sched::Trace fresh = without_decisions(space[k]);
    for (int i = 0; i < samples_per_sketch; ++i) {
      sched::Schedule s = sched::Schedule(w.func);
      try {
        s = realize(fresh, w.func, cuda_target(), static_cast<uint64_t>(100 * k + i));
      } catch (const VerificationError&) {
        continue;  // over a limit: search draws again
      }
      ++valid;
      EXPECT_TRUE(every_block_bound(s.func())) << spec << "\n" << s.trace().to_text();
      EXPECT_TRUE(sched::testing::same_results(w.func, s.func())) << spec << "\n" << s.trace().to_text();
    }
  }
  return valid;
}

TEST(CudaDesignSpace, SamplesAreBoundAndCorrect) {
  for (const char* spec : {"matmul:M=32,N=32,K=32", "matmul:M=7,N=13,K=5,ta=1,tb=1", "softmax:M=5,N=64",
                           "softmax:M=3,N=33", "layernorm:M=4,N=64", "dense_bias_gelu:M=8,N=16,K=32",
                           "conv2d:N=1,H=6,W=6,C=3,K=4,R=3,S=3,pad=1", "sum:A=2,B=3,C=64,axes=011",
                           "add:M=7,N=9,bcast=row"}) {
    int valid = check_samples(spec, 6);
    EXPECT_GT(valid, 0) << spec;
  }
}

TEST(CudaDesignSpace, EveryOpOfTheLibraryRealizes) {
  for (const char* op : {"batch_matmul", "mean", "max", "relu", "bias_add", "dense_bias_relu"}) {
    for (const std::string& spec : small_specs(op)) EXPECT_GT(check_samples(spec, 2), 0) << spec;
  }
}

TEST(CudaDesignSpace, SoftmaxGetsCrossThreadAndPerRowSketches) {
  ir::Workload w = ir::make_workload("softmax:M=8,N=128");
  std::vector<sched::Trace> space = generate_design_space(w.func, cuda_target());
  // Two reductions, each with and without cross-thread reduction.
  ASSERT_EQ(space.size(), 4u);
  int rfactors = 0;
  for (const auto& t : space) rfactors += count_kind(t, "rfactor");
  EXPECT_EQ(rfactors, 4);
  for (const auto& t : space) {
    sched::Schedule s = realize(t, w.func, cuda_target());
    EXPECT_TRUE(every_block_bound(s.func()));
    EXPECT_TRUE(sched::testing::same_results(w.func, s.func()));
  }
}

TEST(CudaDesignSpace, CooperativeFetchSpreadsCopiesOverTheThreads) {
  ir::Workload w = ir::make_workload("matmul:M=64,N=64,K=64");
  sched::Trace sketch = generate_design_space(w.func, cuda_target())[0];
  int checked = 0;
  for (uint64_t seed = 0; seed < 20 && checked < 5; ++seed) {
    sched::Schedule s(w.func);
    try {
      s = realize(without_decisions(sketch), w.func, cuda_target(), seed);
    } catch (const VerificationError&) {
      continue;
    }
    ++checked;
    for (const char* copy : {"A_shared", "B_shared"}) {
      auto site = sched::find_block(s.func(), copy);
      ASSERT_TRUE(site);
      EXPECT_EQ(site->block().annotations.count(rules::cuda::kCooperativeFetch), 0u);
      // Two threadIdx.x loops above the copy: the tile's and the fetch's, same extent.
      std::vector<int64_t> extents;
      for (const ir::Stmt& l : site->loops) {
        const auto& loop = *l.as<ir::ForNode>();
        int64_t e;
        if (loop.for_kind == ir::ForKind::ThreadBinding && loop.thread_tag == "threadIdx.x" &&
            ir::is_const_int(loop.extent, &e))
          extents.push_back(e);
      }
      ASSERT_EQ(extents.size(), 2u) << ir::to_text(s.func());
      EXPECT_EQ(extents[0], extents[1]);
    }
    EXPECT_TRUE(sched::testing::same_results(w.func, s.func()));
  }
  EXPECT_GT(checked, 0);
}

}  // namespace
