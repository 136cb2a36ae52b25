// add-rfactor over several fused reduction loops, followed by
// random-compute-location, which now also places the rfactor block (issue 3:
// it used to be left at the root because compute_at repeated its iterations).
#include <algorithm>
#include <set>

#include "ir/printer.h"
#include "rule_test_util.h"
#include "rules/annotations.h"
#include "schedule/ir_nav.h"

using namespace weft;
using namespace weft::rules::testing;

TEST(AddRFactorFused, RfactorBlockOfFusedReductionsIsPlacedUnderItsConsumer) {
  for (const char* spec : {"mean:A=2,B=3,C=64,axes=011", "sum:A=2,B=6,C=10,axes=011"}) {
    ir::Workload w = ir::make_workload(spec);
    std::string block = sched::all_block_names(w.func).back();
    auto states = apply_rule("add-rfactor", w.func, block);
    ASSERT_EQ(states.size(), 3u) << spec;  // rfactor of either split part, then the original
    std::set<int64_t> decisions;
    for (int i = 0; i < 2; ++i) {
      EXPECT_EQ(count_kind(states[i].trace(), "fuse"), 1) << states[i].trace().to_text();
      auto site = *sched::find_block(states[i].func(), block);
      ASSERT_TRUE(site.block().annotations.count(rules::ann::kRandomComputeProducer)) << ir::to_text(states[i].func());
      sched::Schedule state = states[i];
      for (int draw = 0; draw < 8; ++draw) {
        auto placed = rules::find_rule("random-compute-location").apply(state.fork(), block, cpu_target());
        ASSERT_EQ(placed.size(), 1u);
        ASSERT_EQ(count_kind(placed[0].trace(), "compute_at"), 1) << placed[0].trace().to_text();
        const auto& insts = placed[0].trace().instructions();
        for (const auto& inst : insts)
          if (inst.kind == "sample_compute_location") decisions.insert(std::get<int64_t>(inst.decision->value));
        expect_states_correct(placed, w.func);
      }
    }
    // Some seeds really moved the rfactor block under a loop (decision >= 0).
    EXPECT_TRUE(std::any_of(decisions.begin(), decisions.end(), [](int64_t d) { return d >= 0; })) << spec;
  }
}
