// tuned_bench end to end: a library written the way `weft compile` writes one
// (DIR/NAME.cpp with `weft_NAME`, compiled to DIR/NAME.so) is loaded, timed next to
// its OpenBLAS and oneDNN peers and checked against both; a kernel computing the wrong
// function fails the checks.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "codegen/cpp_emitter.h"
#include "ir/workload.h"
#include "runtime/cpu_builder.h"
#include "support/subprocess.h"

namespace weft::bench {
namespace {

class TunedBench : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("tuned_bench_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Compiles the unscheduled program of `spec` as DIR/name.so, as weft compile does.
  std::string compile(const std::string& spec, const std::string& name) {
    ir::Workload w = ir::make_workload(spec);
    std::string stem = (dir_ / name).string();
    std::ofstream(stem + ".cpp") << codegen::emit_cpp_module({{"weft_" + name, w.func}});
    runtime::CpuBuilder().compile_file(stem + ".cpp", stem + ".so");
    return stem + ".so";
  }

  static std::vector<nlohmann::json> json_lines(const std::string& output) {
    std::vector<nlohmann::json> out;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] == '{') out.push_back(nlohmann::json::parse(line));
    return out;
  }

  std::filesystem::path dir_;
};

TEST_F(TunedBench, TimesAndChecksEveryWorkload) {
  std::string mm = compile("matmul:M=32,N=48,K=16", "mm");
  std::string dense = compile("dense_bias_gelu:M=16,N=32,K=8", "dense");
  ProcessResult r = run_process({TUNED_BENCH_BINARY, "--repeats", "4", "--rounds", "2", "matmul:M=32,N=48,K=16", mm,
                                 "dense_bias_gelu:M=16,N=32,K=8", dense},
                                120);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto lines = json_lines(r.output);
  ASSERT_EQ(lines.size(), 2u) << r.output;
  EXPECT_EQ(lines[0]["workload"], "matmul:M=32,N=48,K=16,ta=0,tb=0,dtype=f32,out_dtype=f32");
  EXPECT_EQ(lines[0]["symbol"], "weft_mm");
  EXPECT_EQ(lines[0]["peer"], "OpenBLAS sgemm");
  EXPECT_EQ(lines[1]["peer"], "OpenBLAS sgemm + bias/gelu loop");
  for (const auto& j : lines) {
    EXPECT_EQ(j["check"], "pass");
    EXPECT_EQ(j["weft_all_us"].size(), 4u);
    EXPECT_EQ(j["peer_all_us"].size(), 4u);
    double weft_us = j["weft_us"], peer_us = j["peer_us"];
    EXPECT_GT(weft_us, 0);
    EXPECT_GT(peer_us, 0);
    EXPECT_DOUBLE_EQ(j["ratio"].get<double>(), peer_us / weft_us);
  }
#ifdef WEFT_HAVE_ONEDNN
  // The name ends with the implementation oneDNN picked, e.g. " [brg:avx2]".
  EXPECT_EQ(lines[0]["onednn"].get<std::string>().rfind("oneDNN matmul [", 0), 0u) << lines[0].dump();
  EXPECT_EQ(lines[1]["onednn"].get<std::string>().rfind("oneDNN matmul + bias + gelu_erf post-op [", 0), 0u)
      << lines[1].dump();
  for (const auto& j : lines) {
    EXPECT_EQ(j["onednn_check"], "pass");
    EXPECT_EQ(j["onednn_all_us"].size(), 4u);
    double weft_us = j["weft_us"], onednn_us = j["onednn_us"];
    EXPECT_GT(onednn_us, 0);
    EXPECT_DOUBLE_EQ(j["onednn_ratio"].get<double>(), onednn_us / weft_us);
    EXPECT_GT(j["onednn_gflops"].get<double>(), 0);
  }
#else
  for (const auto& j : lines) {
    EXPECT_EQ(j["onednn"].get<std::string>().rfind("unavailable", 0), 0u) << j.dump();
    EXPECT_TRUE(j["onednn_us"].is_null() && j["onednn_ratio"].is_null() && j["onednn_check"].is_null());
  }
#endif
}

TEST_F(TunedBench, WrongKernelFailsTheCheck) {
  // relu where gelu is expected: same signature, different values.
  std::string lib = compile("dense_bias_relu:M=16,N=16,K=8", "dense");
  ProcessResult r = run_process({TUNED_BENCH_BINARY, "--repeats", "2", "dense_bias_gelu:M=16,N=16,K=8", lib}, 120);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  auto lines = json_lines(r.output);
  ASSERT_EQ(lines.size(), 1u) << r.output;
  EXPECT_NE(lines[0]["check"], "pass");
#ifdef WEFT_HAVE_ONEDNN
  EXPECT_NE(lines[0]["onednn_check"], "pass");
#endif
}

TEST_F(TunedBench, BadInputGetsAnErrorNamingIt) {
  std::string lib = compile("matmul:M=8,N=8,K=8", "mm");
  ProcessResult odd = run_process({TUNED_BENCH_BINARY, "matmul:M=8,N=8,K=8"}, 60);
  EXPECT_EQ(odd.exit_code, 1);
  EXPECT_NE(odd.output.find("pairs of SPEC LIBRARY"), std::string::npos) << odd.output;
  ProcessResult missing = run_process({TUNED_BENCH_BINARY, "matmul:M=8,N=8,K=8", (dir_ / "nope.so").string()}, 60);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("nope.so"), std::string::npos) << missing.output;
  ProcessResult repeats = run_process({TUNED_BENCH_BINARY, "--repeats", "0", "matmul:M=8,N=8,K=8", lib}, 60);
  EXPECT_EQ(repeats.exit_code, 1);
  EXPECT_NE(repeats.output.find("--repeats"), std::string::npos) << repeats.output;
}

}  // namespace
}  // namespace weft::bench
