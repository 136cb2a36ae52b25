// The `weft` command end to end: runs the real binary (path compiled in as WEFT_BINARY)
// and checks its output, JSON and exit codes, bad input included.
#include <gtest/gtest.h>

#include "run_weft.h"
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "ir/interpreter.h"
#include "ir/workload.h"
#include "runtime/cpu_module.h"
#include "runtime/output_check.h"

namespace {

using Result = weft::testing::CommandResult;
using weft::testing::run_weft;

std::string source_dir() { return WEFT_SOURCE_DIR; }

std::string write_temp(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace

TEST(Cli, ShowPrintsTheIR) {
  Result r = run_weft("show matmul:M=8,N=4,K=2");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("func matmul(A: f32[8, 2], B: f32[2, 4], C: f32[8, 4])"), std::string::npos) << r.out;
  Result j = run_weft("--json show matmul:M=8,N=4,K=2");
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["workload"], "matmul:M=8,N=4,K=2,ta=0,tb=0,dtype=f32,out_dtype=f32");
  EXPECT_EQ(doc["flops"], 128.0);
  EXPECT_EQ(doc["hash"].get<std::string>().size(), 16u);
}

TEST(Cli, RunChecksAndReportsJson) {
  Result r = run_weft("--json run softmax:M=7,N=13 --check --repeats 3");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["check"], "pass");
  EXPECT_GT(doc["median_us"].get<double>(), 0.0);
  EXPECT_TRUE(doc.contains("gflops"));
  Result unchecked = run_weft("--json run relu:M=4,N=4 --repeats 1");
  EXPECT_EQ(nlohmann::json::parse(unchecked.out)["check"], "skipped");
}

TEST(Cli, ApplyRunsTheExampleSchedules) {
  Result g = run_weft("--json apply matmul:M=64,N=48,K=512 " + source_dir() + "/examples/schedules/matmul_1024.sched --repeats 2");
  ASSERT_EQ(g.exit_code, 0) << g.out;
  EXPECT_EQ(nlohmann::json::parse(g.out)["check"], "pass");
  Result d = run_weft("apply dense_bias_gelu:M=40,N=32,K=64 " + source_dir() +
                  "/examples/schedules/dense_bias_gelu.sched --repeats 2");
  ASSERT_EQ(d.exit_code, 0) << d.out;
  EXPECT_NE(d.out.find("block bias_gelu"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("check      pass"), std::string::npos) << d.out;
}

// -o writes what `weft compile` writes; the library loads by its symbol and computes
// what the interpreter computes.
TEST(Cli, ApplyWritesTheLibraryOfTheSchedule) {
  std::string out = ::testing::TempDir() + "/weft_apply_out";
  std::filesystem::remove_all(out);
  const std::string spec = "matmul:M=64,N=48,K=512";
  Result r = run_weft("apply " + spec + " " + source_dir() + "/examples/schedules/matmul_1024.sched --quiet --repeats 1 -o " +
                      out + " --name mm");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("weft_mm(void** args)"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(out + "/mm.cpp"));
  std::ifstream sched(out + "/mm.sched");
  std::string first_line;
  std::getline(sched, first_line);
  EXPECT_EQ(first_line.rfind("b0 = get_block(", 0), 0u) << first_line;
  using namespace weft;
  ir::Workload w = ir::make_workload(spec);
  auto module = runtime::CpuModule::load(out + "/mm.so", {{"mm", w.func}}, {"weft_mm"});
  std::vector<ir::NDArray> args = runtime::random_arguments(w.func, 3), expected = args;
  module->get_function("mm")(runtime::pointers(args));
  ir::interpret(w.func, runtime::pointers(expected));
  ir::Comparison c = ir::compare(expected.back(), args.back());
  EXPECT_TRUE(c.ok) << c.message;
  // The name becomes a file stem and a C symbol.
  Result bad = run_weft("apply " + spec + " " + source_dir() + "/examples/schedules/matmul_1024.sched --repeats 1 -o " +
                        out + " --name a/b");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("--name 'a/b' must be a C identifier"), std::string::npos) << bad.out;
}

TEST(Cli, BadInputGetsAClearErrorAndNonZeroExit) {
  Result spec = run_weft("show matmul:M=abc,N=4,K=4");
  EXPECT_EQ(spec.exit_code, 1);
  EXPECT_NE(spec.out.find("error: bad workload spec 'matmul:M=abc,N=4,K=4': at position 10"), std::string::npos) << spec.out;
  Result op = run_weft("run nosuchop:M=1");
  EXPECT_EQ(op.exit_code, 1);
  EXPECT_NE(op.out.find("unknown op 'nosuchop'"), std::string::npos) << op.out;
  Result flag = run_weft("run relu:M=4,N=4 --frobnicate");
  EXPECT_NE(flag.exit_code, 0);
  EXPECT_NE(flag.out.find("frobnicate"), std::string::npos) << flag.out;
  Result missing = run_weft("apply relu:M=4,N=4 /nonexistent/file.sched");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("cannot read schedule file '/nonexistent/file.sched'"), std::string::npos) << missing.out;
  std::string bad = write_temp("bad.sched", "b0 = get_block(\"relu\")\nl1, l2 = get_loops(b0)\nsplit(l1, [2, None]\n");
  Result trace = run_weft("apply relu:M=4,N=4 " + bad);
  EXPECT_EQ(trace.exit_code, 1);
  EXPECT_NE(trace.out.find("bad.sched:4:1: expected ')'"), std::string::npos) << trace.out;
  std::string wrong = write_temp("wrong.sched", "b0 = get_block(\"C\")\n");
  Result w = run_weft("apply relu:M=4,N=4 " + wrong);
  EXPECT_EQ(w.exit_code, 1);
  EXPECT_NE(w.out.find("no block named 'C'"), std::string::npos) << w.out;
  Result level = run_weft("--log-level loud ops");
  EXPECT_NE(level.exit_code, 0);
  EXPECT_NE(level.out.find("unknown log level 'loud'"), std::string::npos) << level.out;
}
