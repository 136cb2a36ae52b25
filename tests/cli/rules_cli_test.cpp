// `weft rules` and `weft space` end to end.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "run_weft.h"

namespace {

using weft::testing::run_weft;

TEST(RulesCli, ListsRulesAndTheCpuSet) {
  auto r = run_weft("rules --target cpu");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("multi-level-tiling"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1. inline-constant-scalars"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("4. register-tiling"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("7. random-compute-location"), std::string::npos) << r.out;
  auto j = run_weft("--json rules");
  ASSERT_EQ(j.exit_code, 0) << j.out;
  auto doc = nlohmann::json::parse(j.out);
  EXPECT_EQ(doc["rule_set"].size(), 7u);
  EXPECT_GE(doc["rules"].size(), 7u);
}

TEST(RulesCli, UnknownTargetFails) {
  auto r = run_weft("rules --target tpu");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("tpu"), std::string::npos) << r.out;
}

TEST(SpaceCli, PrintsSketchesThatApplyReplays) {
  auto r = run_weft("space matmul:M=64,N=64,K=64 --seed 3");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // multi-level-tiling: 3 write-reuse variants, 2 packed; register-tiling: 2 for
  // each of 1, 2 and 4 vectors.
  EXPECT_NE(r.out.find("11 sketch(es)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sample_perfect_tile"), std::string::npos);
  EXPECT_NE(r.out.find("cache_write"), std::string::npos);
  EXPECT_EQ(run_weft("space matmul:M=64,N=64,K=64 --seed 3").out, r.out);  // same seed, same space
  auto j = run_weft("--json space matmul:M=64,N=64,K=64 --seed 3");
  ASSERT_EQ(j.exit_code, 0) << j.out;
  auto doc = nlohmann::json::parse(j.out);
  ASSERT_EQ(doc["sketches"].size(), 11u);
  // A printed sketch is a schedule `weft apply` replays.
  std::string path = ::testing::TempDir() + "sketch.sched";
  std::ofstream(path) << doc["sketches"][1]["text"].get<std::string>();
  auto a = run_weft("apply matmul:M=64,N=64,K=64 " + path + " --quiet --repeats 1");
  EXPECT_EQ(a.exit_code, 0) << a.out;
}

TEST(SpaceCli, BadWorkloadFails) {
  auto r = run_weft("space matmul:M=0");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("error"), std::string::npos) << r.out;
}

TEST(RulesCli, ListsTheCudaSetWithoutAGpu) {
  auto r = run_weft("--json rules --target cuda");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto doc = nlohmann::json::parse(r.out);
  std::string set = doc["rule_set"].dump();
  EXPECT_NE(set.find("cuda-multi-level-tiling"), std::string::npos) << set;
  EXPECT_NE(set.find("cuda-auto-bind"), std::string::npos) << set;
  auto space = run_weft("space matmul:M=64,N=64,K=64 --target cuda --seed 1");
  ASSERT_EQ(space.exit_code, 0) << space.out;
  EXPECT_NE(space.out.find("threadIdx.x"), std::string::npos) << space.out;
  EXPECT_NE(space.out.find("\"shared\""), std::string::npos) << space.out;
}

}  // namespace
