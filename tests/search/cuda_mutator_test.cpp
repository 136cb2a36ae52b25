// mutate-thread-binding: changes one thread-extent decision of cuda-auto-bind or
// cuda-cross-thread-reduction; the mutant replays, stays bound and correct.
#include "cuda_test_util.h"
#include "search/mutator.h"
#include "search/postprocess.h"
#include "search/space.h"
#include "space_test_util.h"

using namespace weft;
using namespace weft::search;
using namespace weft::search::testing;

namespace {

TEST(MutateThreadBinding, ResamplesOneThreadExtent) {
  auto mutator = make_mutate_thread_binding();
  EXPECT_EQ(mutator->name(), "mutate-thread-binding");
  int mutated = 0;
  for (const char* spec : {"softmax:M=4,N=128", "add:M=64,N=40,bcast=row", "layernorm:M=3,N=64"}) {
    ir::Workload w = ir::make_workload(spec);
    for (const sched::Trace& t : generate_design_space(w.func, cuda_target())) {
      for (uint64_t seed = 0; seed < 6; ++seed) {
        Rng rng(seed);
        auto next = mutator->apply(t, w.func, rng);
        if (!next) continue;
        ++mutated;
        ASSERT_EQ(next->size(), t.size());
        std::vector<size_t> changed;
        for (size_t i = 0; i < t.size(); ++i)
          if (!(t.instructions()[i].decision == next->instructions()[i].decision)) changed.push_back(i);
        ASSERT_EQ(changed.size(), 1u) << spec;
        EXPECT_EQ(next->instructions()[changed[0]].kind, "sample_categorical");
        sched::Schedule s = realize(*next, w.func, cuda_target());
        EXPECT_TRUE(every_block_bound(s.func())) << spec;
        EXPECT_TRUE(sched::testing::same_results(w.func, s.func())) << spec << "\n" << next->to_text();
      }
    }
  }
  EXPECT_GT(mutated, 10);
}

TEST(MutateThreadBinding, LeavesOtherDecisionsAlone) {
  // The GEMM's sketch samples tiles, fetch vector lengths and the unroll step, but
  // no thread extent: nothing to mutate.
  ir::Workload w = ir::make_workload("matmul:M=64,N=64,K=64");
  Rng rng(0);
  for (const auto& t : generate_design_space(w.func, cuda_target()))
    EXPECT_FALSE(make_mutate_thread_binding()->apply(t, w.func, rng));
}

}  // namespace
