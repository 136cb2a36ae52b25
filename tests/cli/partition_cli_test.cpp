// `weft partition` end to end through the real binary, on a zoo model and on an
// ONNX file the test writes with the protobuf API (which `weft graph` reads too).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "graph/onnx_test_models.h"
#include "run_weft.h"

namespace {

using weft::testing::run_weft;
using namespace weft::graph::testing;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// y = relu(x @ w + b): one GEMM with its epilogue, so one kernel.
std::string write_mlp(const std::string& path) {
  onnx::ModelProto proto = model_proto(
      {node("MatMul", {"x", "w"}, "h"), node("Add", {"h", "b"}, "a"), node("Relu", {"a"}, "y")},
      {float_tensor("w", {3, 4}, ramp(12, 0.5f)), float_tensor("b", {4}, ramp(4, 0.25f))}, {value_info("x", {2, 3})},
      {"y"});
  std::ofstream out(path, std::ios::binary);
  proto.SerializeToOstream(&out);
  return path;
}

}  // namespace

TEST(PartitionCli, ReportsKernelsBytesAndTasksAsJson) {
  std::string dot = ::testing::TempDir() + "bert_kernels.dot";
  auto r = run_weft("--json partition bert-large:tiny --train --dot " + dot);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_LT(doc["kernels"].get<int>(), doc["kernels_one_per_op"].get<int>());
  EXPECT_LT(doc["boundary_bytes"].get<double>(), doc["one_per_op_boundary_bytes"].get<double>());
  EXPECT_GT(doc["greedy_boundary_bytes"].get<double>(), 0.0);
  EXPECT_GT(doc["unique_tasks"].get<int>(), 0);
  EXPECT_LE(doc["unique_tasks"].get<int>(), doc["kernels"].get<int>());
  EXPECT_GE(doc["solve_s"].get<double>(), 0.0);
  std::string text = read_file(dot);
  EXPECT_EQ(text.rfind("digraph", 0), 0u);
  EXPECT_NE(text.find("cluster"), std::string::npos);
}

TEST(PartitionCli, ReadsOnnxModelsAndNamesBadFiles) {
  std::string path = write_mlp(::testing::TempDir() + "mlp.onnx");
  auto r = run_weft("--json partition " + path);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["kernels_one_per_op"], 3);
  EXPECT_EQ(doc["kernels"], 1);  // the add and the relu join the GEMM's epilogue
  EXPECT_EQ(doc["boundary_bytes"].get<double>() < doc["one_per_op_boundary_bytes"].get<double>(), true);

  auto g = run_weft("--json graph " + path + " --passes none");
  ASSERT_EQ(g.exit_code, 0) << g.out;
  EXPECT_EQ(nlohmann::json::parse(g.out)["before"]["by_op"]["matmul"], 1);

  std::string bad = ::testing::TempDir() + "bad.onnx";
  std::ofstream(bad) << "not a protobuf \xff\xff";
  auto e = run_weft("partition " + bad);
  EXPECT_EQ(e.exit_code, 1) << e.out;
  EXPECT_NE(e.out.find("bad.onnx"), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("not an ONNX model"), std::string::npos) << e.out;
  std::remove(path.c_str());
  std::remove(bad.c_str());
}
