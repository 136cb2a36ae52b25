// `tune` with a cuda target. Here (no GPU) it must refuse before touching the
// database; on a GPU machine (bench/gpu/run.sh runs these) it tunes for real: every
// stored record is checked against the reference by the GPU measurer, and the best
// one replays to a program equal to the unscheduled one under the interpreter.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "db/database.h"
#include "ir/interpreter.h"
#include "ir/workload.h"
#include "runtime/output_check.h"
#include "runtime/cuda_device.h"
#include "runtime/cuda_driver.h"
#include "search/best_program.h"
#include "search/tuner.h"

namespace weft::search {
namespace {

std::string fresh_db(const std::string& name) {
  std::string path = ::testing::TempDir() + "weft_cuda_tuner_" + name + "_" + std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

TuneOptions cuda_options(const Target& target, const std::string& db, int trials) {
  TuneOptions o;
  o.target = target;
  o.db_path = db;
  o.trials = trials;
  o.seed = 5;
  o.search.population = 64;
  o.search.generations = 2;
  o.search.batch = 8;
  o.cuda_measure.repeats = 5;
  return o;
}

TEST(CudaTuner, WithoutAGpuRefusesBeforeTouchingTheDatabase) {
  if (runtime::cuda_available().ok) GTEST_SKIP() << "a GPU is present; this checks machines without one";
  Target t = parse_target("cuda/sm_90/NVIDIA H100 80GB HBM3");
  std::string db = fresh_db("nogpu");
  try {
    tune({{"relu:M=64,N=64", 1}}, cuda_options(t, db, 8));
    FAIL() << "tune on a machine without a GPU must throw";
  } catch (const runtime::NoGpuError& e) {
    EXPECT_NE(std::string(e.what()).find("no GPU found"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(db)) << "the database must not be created";
}

TEST(CudaTuner, TunesOnTheGpuAndTheBestRecordReplays) {
  auto gpu = runtime::cuda_available();
  if (!gpu.ok) GTEST_SKIP() << "no GPU: " << gpu.reason;
  Target t = runtime::cuda_device_target();
  std::string db = fresh_db("gpu");
  std::string spec = "matmul:M=128,N=128,K=128";
  TuneProgress p = tune({{spec, 1}}, cuda_options(t, db, 16));
  ASSERT_EQ(p.tasks.size(), 1u);
  EXPECT_EQ(p.tasks[0].trials, 16);
  ASSERT_LT(p.tasks[0].failures, p.tasks[0].trials) << "every candidate failed";
  EXPECT_GT(p.tasks[0].best_gflops, 0.0);

  BestProgram best = best_program(db::Database::open_readonly(db), spec, t);
  ASSERT_TRUE(best.record.has_value()) << "no ok record was stored";
  std::vector<ir::NDArray> expected = runtime::random_arguments(best.workload.func, 7);
  std::vector<ir::NDArray> actual = expected;
  ir::interpret(best.workload.func, runtime::pointers(expected));
  ir::interpret(best.func, runtime::pointers(actual));
  auto mismatch = runtime::output_mismatch(best.func, best.workload.num_outputs, expected, actual);
  EXPECT_FALSE(mismatch.has_value()) << mismatch->message;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
}

TEST(CudaTuner, AnArchOtherThanTheLocalGpusIsRefused) {
  auto gpu = runtime::cuda_available();
  if (!gpu.ok) GTEST_SKIP() << "no GPU: " << gpu.reason;
  Target local = runtime::cuda_device_target();
  Target other = parse_target(local.arch == "sm_80" ? "cuda/sm_90/other" : "cuda/sm_80/other");
  EXPECT_THROW(tune({{"relu:M=64,N=64", 1}}, cuda_options(other, fresh_db("arch"), 4)), UsageError);
}

}  // namespace
}  // namespace weft::search
