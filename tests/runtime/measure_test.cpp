// CpuMeasurer: good candidates are checked and timed; wrong, unbuildable, crashing
// and hanging candidates are reported with their status and do not stop the batch.
#include "runtime/measure.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "ir/parser.h"
#include "ir/workload.h"
#include "support/error.h"

namespace weft::runtime {
namespace {

// A relu:M=4,N=8 look-alike whose body is `body` (a statement inside the loops i, j).
ir::PrimFunc relu_like(const std::string& loops_and_block) {
  return ir::parse_func("func relu(X: f32[4, 8], Y: f32[4, 8]) {\n  block root() {\n" + loops_and_block + "\n  }\n}\n",
                        "<test>");
}

const char* kGood = R"(
    for i in range(4) {
      for j in range(8) {
        block relu(vi: spatial(0, 4) = i, vj: spatial(0, 8) = j) {
          reads(X[vi, vj])
          writes(Y[vi, vj])
          Y[vi, vj] = max(X[vi, vj], f32(0))
        }
      }
    })";

const char* kWrong = R"(
    for i in range(4) {
      for j in range(8) {
        block relu(vi: spatial(0, 4) = i, vj: spatial(0, 8) = j) {
          reads(X[vi, vj])
          writes(Y[vi, vj])
          Y[vi, vj] = max(X[vi, vj], f32(0.25))
        }
      }
    })";

// Writes gigabytes past the end of Y.
const char* kCrash = R"(
    for i in range(4) {
      block relu(vi: spatial(0, 4) = i) {
        reads()
        writes(Y[vi, 0])
        Y[vi * 1073741824 + 1073741824, 0] = f32(1)
      }
    })";

// Runs for minutes: a serial floating-point recurrence the compiler cannot shorten.
// Runs for minutes: a serial floating-point recurrence the compiler cannot shorten.
const char* kHang = R"(
    for i in range(100000) {
      for j in range(1000000) {
        block relu(vi: spatial(0, 100000) = i, vj: spatial(0, 1000000) = j) {
          reads(Y[0, 0], X[0, 0])
          writes(Y[0, 0])
          Y[0, 0] = Y[0, 0] * f32(1.0000001) + X[0, 0]
        }
      }
    })";

// Bound to a GPU thread axis: the CPU emitter refuses it.
const char* kUnbuildable = R"(
    for i in range(4) thread(threadIdx.x) {
      for j in range(8) {
        block relu(vi: spatial(0, 4) = i, vj: spatial(0, 8) = j) {
          reads(X[vi, vj])
          writes(Y[vi, vj])
          Y[vi, vj] = max(X[vi, vj], f32(0))
        }
      }
    })";

MeasureConfig quick_config() {
  MeasureConfig c;
  c.runner = RunnerConfig{0, 3, 0, false};
  c.run_timeout_s = 2;
  c.build_jobs = 2;
  return c;
}

TEST(CpuMeasurer, ChecksAndTimesGoodCandidates) {
  CpuMeasurer m(ir::make_workload("relu:M=4,N=8"), quick_config());
  EXPECT_EQ(m.reference_kind(), "interpreter");
  auto results = m.measure({relu_like(kGood), ir::make_workload("relu:M=4,N=8").func});
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    EXPECT_EQ(r.status, MeasureStatus::Ok) << r.error;
    EXPECT_GT(r.median_us, 0);
    EXPECT_EQ(r.latencies_us.size(), 3u);
  }
}

TEST(CpuMeasurer, ReportsEveryKindOfFailureAndGoesOn) {
  CpuMeasurer m(ir::make_workload("relu:M=4,N=8"), quick_config());
  auto results =
      m.measure({relu_like(kWrong), relu_like(kCrash), relu_like(kGood), relu_like(kHang), relu_like(kGood)});
  ASSERT_EQ(results.size(), 5u);
  EXPECT_EQ(results[0].status, MeasureStatus::WrongResult);
  EXPECT_NE(results[0].error.find("output 'Y'"), std::string::npos) << results[0].error;
  EXPECT_EQ(results[1].status, MeasureStatus::RunError);
  EXPECT_NE(results[1].error.find("signal"), std::string::npos) << results[1].error;
  EXPECT_EQ(results[2].status, MeasureStatus::Ok) << results[2].error;
  EXPECT_EQ(results[3].status, MeasureStatus::Timeout) << results[3].error;
  EXPECT_NE(results[3].error.find("timed out after 2 s"), std::string::npos) << results[3].error;
  EXPECT_EQ(results[4].status, MeasureStatus::Ok) << results[4].error;
  EXPECT_EQ(results[0].median_us, 0);
}

TEST(CpuMeasurer, ABuildFailureCostsOnlyItsCandidate) {
  CpuMeasurer m(ir::make_workload("relu:M=4,N=8"), quick_config());
  auto results = m.measure({relu_like(kGood), relu_like(kUnbuildable), relu_like(kGood)});
  EXPECT_EQ(results[0].status, MeasureStatus::Ok) << results[0].error;
  EXPECT_EQ(results[1].status, MeasureStatus::BuildError);
  EXPECT_NE(results[1].error.find("threadIdx.x"), std::string::npos) << results[1].error;
  EXPECT_EQ(results[2].status, MeasureStatus::Ok) << results[2].error;
}

// True when `pid` has ended (gone, or a zombie waiting for its parent).
bool process_ended(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return true;
  size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'Z';
}

TEST(CpuMeasurer, CompilerTimeoutIsABuildErrorAndKillsWhatTheCompilerStarted) {
  MeasureConfig c = quick_config();
  // A "compiler" that never finishes, and whose own child (like cc1plus) must die too.
  std::string dir = ::testing::TempDir();
  std::string script = dir + "weft_slow_compiler.sh", pid_file = dir + "weft_slow_compiler.pid";
  std::filesystem::remove(pid_file);
  {
    std::ofstream out(script);
    out << "#!/bin/sh\nsleep 30 &\necho $! > " << pid_file << "\nwait\n";
  }
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  c.build.compiler = script;
  c.compile_timeout_s = 0.5;
  CpuMeasurer m(ir::make_workload("relu:M=4,N=8"), c);
  auto results = m.measure({relu_like(kGood)});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, MeasureStatus::BuildError);
  EXPECT_NE(results[0].error.find("timed out"), std::string::npos) << results[0].error;
  pid_t child = 0;
  std::ifstream(pid_file) >> child;
  ASSERT_GT(child, 0);
  for (int i = 0; i < 50 && !process_ended(child); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_TRUE(process_ended(child)) << "the compiler's child " << child << " outlived the timeout";
}

TEST(CpuMeasurer, RejectsCandidatesOfAnotherWorkload) {
  CpuMeasurer m(ir::make_workload("relu:M=4,N=8"), quick_config());
  EXPECT_THROW(m.measure({ir::make_workload("matmul:M=4,N=8,K=2").func}), UsageError);
}

}  // namespace
}  // namespace weft::runtime
