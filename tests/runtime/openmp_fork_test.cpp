// A measurement worker forked after the parent ran an OpenMP region must not hang
// in its own first parallel region (runtime/openmp_fork.h). The tuner hit this when
// XGBoost loaded a saved cost model: every later candidate timed out.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "ir/parser.h"
#include "ir/workload.h"
#include "runtime/cpu_builder.h"
#include "runtime/measure.h"
#include "runtime/output_check.h"

namespace weft::runtime {
namespace {

// relu:M=64,N=64 with its rows in parallel.
ir::PrimFunc parallel_relu() {
  return ir::parse_func(R"(func relu(X: f32[64, 64], Y: f32[64, 64]) {
  block root() {
    for i in range(64) parallel {
      for j in range(64) {
        block relu(vi: spatial(0, 64) = i, vj: spatial(0, 64) = j) {
          reads(X[vi, vj])
          writes(Y[vi, vj])
          Y[vi, vj] = max(X[vi, vj], f32(0))
        }
      }
    }
  }
}
)",
                        "<test>");
}

// Exits 0 when every candidate measured ok. Runs in a fresh process: the protection
// only holds from the measurer's creation on, and other tests of this binary run
// parallel regions before.
[[noreturn]] void measure_after_parent_openmp() {
  MeasureConfig config;
  config.runner = RunnerConfig{0, 3, 0, false};
  config.run_timeout_s = 10;
  CpuMeasurer measurer(ir::make_workload("relu:M=64,N=64"), config);
  // The parent runs a parallel region itself, as XGBoost does in the tuner.
  std::vector<ir::NDArray> args = random_arguments(parallel_relu(), 1);
  CpuBuilder().build({{"relu", parallel_relu()}})->get_function("relu")(pointers(args));
  int failed = 0;
  for (const MeasureResult& r : measurer.measure({parallel_relu(), parallel_relu()})) {
    if (r.status != MeasureStatus::Ok) {
      std::fprintf(stderr, "candidate failed: %s\n", r.error.c_str());
      ++failed;
    }
  }
  std::exit(failed);
}

TEST(OpenMpFork, WorkersRunParallelCandidatesAfterTheParentUsedOpenMp) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");  // re-executes the binary: a fresh process
  EXPECT_EXIT(measure_after_parent_openmp(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace weft::runtime
