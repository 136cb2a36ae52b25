// `weft graph` end to end: runs the real binary (path compiled in as WEFT_BINARY)
// on a zoo model and on a graph JSON file, with text and JSON output.
#include <gtest/gtest.h>

#include "run_weft.h"
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace {

using Result = weft::testing::CommandResult;
using weft::testing::run_weft;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(GraphCli, ReportsTheTrainingPipelineAsJson) {
  std::string saved = ::testing::TempDir() + "bert_opt.json", dot = ::testing::TempDir() + "bert_opt.dot";
  Result r = run_weft("--json graph bert-large:tiny --train --save " + saved + " --dot " + dot);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["training"], true);
  EXPECT_EQ(doc["passes"][0]["name"], "loss-elim");
  EXPECT_EQ(doc["before"]["by_op"]["cross_entropy"], 1);
  EXPECT_FALSE(doc["after"]["by_op"].contains("cross_entropy"));
  EXPECT_FALSE(doc["after"]["by_op"].contains("layernorm_grad"));
  EXPECT_GT(doc["before"]["flops"].get<double>(), 0.0);
  EXPECT_EQ(doc["after"]["nodes"], doc["passes"].back()["nodes_after"]);
  EXPECT_NE(read_file(saved).find("\"format\": \"weft-graph\""), std::string::npos);
  EXPECT_EQ(read_file(dot).rfind("digraph", 0), 0u);

  // The saved graph reads back; with --passes none nothing changes.
  Result again = run_weft("--json graph " + saved + " --passes none");
  ASSERT_EQ(again.exit_code, 0) << again.out;
  auto back = nlohmann::json::parse(again.out);
  EXPECT_EQ(back["before"]["nodes"], doc["after"]["nodes"]);
  EXPECT_EQ(back["after"]["nodes"], doc["after"]["nodes"]);
}

TEST(GraphCli, PrintsTablesAndRejectsBadInput) {
  Result r = run_weft("graph gcn:tiny --passes decompose,dce");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("graph gcn:tiny (forward)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("by fusion class"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("decompose"), std::string::npos) << r.out;
  Result pass = run_weft("graph gcn:tiny --passes cse,fold");
  EXPECT_EQ(pass.exit_code, 1);
  EXPECT_NE(pass.out.find("error: unknown graph pass 'fold'"), std::string::npos) << pass.out;
  Result model = run_weft("graph alexnet");
  EXPECT_EQ(model.exit_code, 1);
  EXPECT_NE(model.out.find("unknown model 'alexnet'"), std::string::npos) << model.out;
  Result file = run_weft("graph /nonexistent/graph.json");
  EXPECT_EQ(file.exit_code, 1);
  EXPECT_NE(file.out.find("/nonexistent/graph.json"), std::string::npos) << file.out;
}
