// Helpers of the rule tests: applying one rule by name, finding instructions in a
// trace, and checking every resulting state against the interpreter.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ir/workload.h"
#include "rules/rule.h"
#include "schedule/schedule.h"
#include "schedule/schedule_test_util.h"
#include "search/cuda_test_util.h"
#include "support/target.h"

namespace weft::rules::testing {

inline Target cpu_target(int cores = 4, int vector_bytes = 32) {
  Target t;
  t.backend = "cpu";
  t.arch = "x86_64-avx2";
  t.device = "test";
  t.num_cores = cores;
  t.vector_bytes = vector_bytes;
  return t;
}

// A CUDA target of a given arch (no device needed), shared with the search tests.
using search::testing::cuda_target;

inline std::vector<sched::Schedule> apply_rule(const std::string& rule, const ir::PrimFunc& func,
                                               const std::string& block, uint64_t seed = 0,
                                               const Target& target = cpu_target()) {
  return find_rule(rule).apply(sched::Schedule(func, seed), block, target);
}

// Kinds of the trace's instructions, in order.
inline std::vector<std::string> kinds(const sched::Trace& trace) {
  std::vector<std::string> out;
  for (const auto& inst : trace.instructions()) out.push_back(inst.kind);
  return out;
}

inline int count_kind(const sched::Trace& trace, const std::string& kind) {
  int n = 0;
  for (const auto& inst : trace.instructions()) n += inst.kind == kind;
  return n;
}

// Every state computes what the unscheduled program computes and its trace replays.
inline void expect_states_correct(const std::vector<sched::Schedule>& states, const ir::PrimFunc& original) {
  for (const sched::Schedule& s : states) {
    EXPECT_TRUE(sched::testing::same_results(original, s.func())) << s.trace().to_text();
    sched::testing::expect_replays(s, original);
  }
}

}  // namespace weft::rules::testing
