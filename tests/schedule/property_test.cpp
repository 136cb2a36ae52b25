// Property test: random legal schedules over every op of the library, at random
// (odd sizes included) shapes, compute what the unscheduled program computes.
// Fixed seed; a failure prints the workload and the trace that reproduces it.
#include <map>
#include <set>

#include "ir/workload.h"
#include "random_schedule.h"
#include "runtime/cpu_builder.h"
#include "schedule/replay.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

namespace {

struct Case {
  ir::Workload workload;
  Schedule schedule;
};

std::vector<Case> make_cases(int count, uint64_t seed) {
  Rng rng(seed);
  auto ops = ir::list_ops();
  std::vector<Case> cases;
  for (int i = 0; i < count; ++i) {
    const std::string& op = ops[i % ops.size()];
    std::string spec = random_spec(op, rng);
    EXPECT_FALSE(spec.empty()) << "no random spec template for op '" << op << "'";
    if (spec.empty()) continue;
    ir::Workload w = ir::make_workload(spec);
    Schedule sch(w.func, rng.next_u64());
    apply_random_steps(sch, rng, 6);
    cases.push_back({w, sch});
  }
  return cases;
}

}  // namespace

TEST(Property, RandomSchedulesMatchTheInterpreter) {
  int failures = 0;
  std::vector<Case> cases = make_cases(1000, 20261121);
  ASSERT_GE(cases.size(), 1000u);
  // Every kind of step must really happen (not just be refused) across the cases.
  std::map<std::string, int> applied;
  for (const Case& c : cases)
    for (const Instruction& inst : c.schedule.trace().instructions()) applied[inst.kind]++;
  for (const char* kind : {"split", "fuse", "reorder", "parallel", "vectorize", "unroll", "compute_at",
                           "reverse_compute_at", "cache_read", "cache_write", "decompose_reduction"})
    EXPECT_GE(applied[kind], 10) << kind << " was applied only " << applied[kind] << " times";
  uint64_t input_seed = 0;
  for (const Case& c : cases) {
    auto r = same_results(c.workload.func, c.schedule.func(), ++input_seed);
    if (!r) {
      ADD_FAILURE() << "workload " << c.workload.spec << "\ntrace:\n" << c.schedule.trace().to_text() << r.message();
      if (++failures > 5) break;
    }
    // The printed trace replays to the identical program.
    Schedule again = replay(Trace::parse_text(c.schedule.trace().to_text()), c.workload.func);
    ASSERT_EQ(ir::to_text(again.func()), ir::to_text(c.schedule.func())) << c.schedule.trace().to_text();
  }
}

TEST(Property, RandomSchedulesCompileAndMatchTheInterpreter) {
  // Generated C++ of random schedules (vectorized, parallel and unrolled loops,
  // predicates) against the interpreter; one compiler call for the whole batch.
  std::vector<Case> cases = make_cases(120, 777);
  std::vector<runtime::NamedFunc> funcs;
  for (size_t i = 0; i < cases.size(); ++i) funcs.push_back({"case" + std::to_string(i), cases[i].schedule.func()});
  auto module = runtime::CpuBuilder().build(funcs);
  int failures = 0;
  for (size_t i = 0; i < cases.size() && failures < 5; ++i) {
    const ir::PrimFunc& ref = cases[i].workload.func;
    Rng rng(i);
    std::vector<ir::NDArray> a, b;
    for (const ir::Buffer& p : ref->params) {
      a.push_back(ir::NDArray::random(p->dtype, p->shape, rng));
      b.push_back(a.back());
    }
    std::vector<ir::NDArray*> pa, pb;
    for (auto& x : a) pa.push_back(&x);
    for (auto& x : b) pb.push_back(&x);
    ir::interpret(ref, pa);
    module->get_function(funcs[i].first)(pb);
    for (size_t k = 0; k < a.size(); ++k) {
      ir::Comparison cmp = ir::compare(a[k], b[k]);
      if (!cmp.ok) {
        ++failures;
        ADD_FAILURE() << "compiled " << cases[i].workload.spec << " differs: " << cmp.message << "\ntrace:\n"
                      << cases[i].schedule.trace().to_text() << ir::to_text(cases[i].schedule.func());
        break;
      }
    }
  }
}
