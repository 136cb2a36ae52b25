// The runner: repeat counts, warm-up, calibration for min_repeat_ms, the median,
// cache flushing, alternating rounds and config validation. No timing thresholds: only structure.
#include <gtest/gtest.h>

#include <algorithm>

#include "codegen/codegen_test_util.h"
#include "runtime/cpu_builder.h"
#include "runtime/runner.h"
#include "runtime/time_alternating.h"
#include "support/error.h"

namespace weft::test {
namespace {

using namespace ir;
using runtime::RunnerConfig;
using runtime::Timing;

void expect_well_formed(const Timing& t, int repeats) {
  ASSERT_EQ(static_cast<int>(t.all_us.size()), repeats);
  for (double us : t.all_us) EXPECT_GE(us, 0.0);
  std::vector<double> sorted = t.all_us;
  std::sort(sorted.begin(), sorted.end());
  double median = repeats % 2 ? sorted[repeats / 2] : (sorted[repeats / 2 - 1] + sorted[repeats / 2]) / 2;
  EXPECT_DOUBLE_EQ(t.median_us, median);
}

TEST(Runner, AlternatingRoundsVisitEveryFunctionInTurn) {
  // 7 repeats over 3 rounds: 3, 2, 2 timed calls per function and round, each
  // round after one warm-up call; the calls of A and B interleave round by round.
  std::string order;
  std::vector<std::function<void()>> runs = {[&] { order += 'A'; }, [&] { order += 'B'; }};
  RunnerConfig config;
  config.repeats = 7;
  std::vector<Timing> t = runtime::time_alternating(runs, config, 3);
  ASSERT_EQ(t.size(), 2u);
  expect_well_formed(t[0], 7);
  expect_well_formed(t[1], 7);
  EXPECT_EQ(order, "AAAABBBBAAABBBAAABBB");
  // More rounds than repeats: one repeat per round.
  order.clear();
  config.repeats = 2;
  EXPECT_EQ(runtime::time_alternating(runs, config, 5)[1].all_us.size(), 2u);
  EXPECT_EQ(order, "AABBAABB");
  EXPECT_THROW(runtime::time_alternating(runs, config, 0), UsageError);
  config.repeats = 0;
  EXPECT_THROW(runtime::time_alternating(runs, config, 1), UsageError);
}

TEST(Runner, TimesACompiledFunction) {
  Buffer a = make_buffer("A", DType::f32, {64, 64}), c = make_buffer("C", DType::f32, {64, 64});
  PrimFunc f = make_func_with_root(
      "exp2d", {a, c}, spatial_nest("C", c, [&](const auto& i) { return call(Intrinsic::exp, {load(a, i)}); }));
  auto module = runtime::CpuBuilder().build({{"exp2d", f}});
  runtime::CpuFunction fn = module->get_function("exp2d");
  std::vector<NDArray> args = random_args(f, 1);
  RunnerConfig config;
  config.repeats = 7;
  Timing t = runtime::time_function(fn, pointers(args), config);
  expect_well_formed(t, 7);
  EXPECT_GT(t.median_us, 0.0);

  config.flush_cache = true;
  config.repeats = 4;
  expect_well_formed(runtime::time_function(fn, pointers(args), config), 4);

  std::vector<NDArray> wrong = random_args(f, 1);
  wrong.pop_back();
  EXPECT_THROW(runtime::time_function(fn, pointers(wrong), config), UsageError);
}

TEST(Runner, RunsWarmupThenRepeats) {
  int calls = 0;
  RunnerConfig config;
  config.warmup = 3;
  config.repeats = 5;
  Timing t = runtime::time_callable([&] { ++calls; }, config);
  EXPECT_EQ(calls, 8);
  expect_well_formed(t, 5);
}

TEST(Runner, MinRepeatTimeRunsSeveralCallsPerMeasurement) {
  int calls = 0;
  RunnerConfig config;
  config.warmup = 1;
  config.repeats = 3;
  config.min_repeat_ms = 2;
  Timing t = runtime::time_callable(
      [&] {
        ++calls;
        volatile double x = 0;
        for (int i = 0; i < 2000; ++i) x = x + 1;  // a few microseconds
      },
      config);
  expect_well_formed(t, 3);
  int measured = calls - 1 - 1;  // minus warm-up and the calibration call
  EXPECT_EQ(measured % 3, 0) << calls;
  EXPECT_GT(measured / 3, 1) << "each measurement repeats the call";
}

TEST(Runner, MedianOfAnEvenCount) {
  RunnerConfig config;
  config.repeats = 4;
  config.warmup = 0;
  expect_well_formed(runtime::time_callable([] {}, config), 4);
}

TEST(Runner, RejectsBadConfigs) {
  auto noop = [] {};
  RunnerConfig c;
  c.repeats = 0;
  EXPECT_THROW(runtime::time_callable(noop, c), UsageError);
  c = {};
  c.warmup = -1;
  EXPECT_THROW(runtime::time_callable(noop, c), UsageError);
  c = {};
  c.min_repeat_ms = -5;
  EXPECT_THROW(runtime::time_callable(noop, c), UsageError);
}

TEST(Runner, CacheFlushWritesWithoutCrashing) {
  runtime::flush_cpu_cache();
  runtime::flush_cpu_cache();
  SUCCEED();
}

}  // namespace
}  // namespace weft::test
