// Graph JSON round trips and error positions; DOT export.
#include <gtest/gtest.h>

#include "graph/autodiff.h"
#include "graph/executor.h"
#include "graph/graph_dot.h"
#include "graph/graph_json.h"
#include "support/error.h"

using namespace weft::graph;

namespace {

Graph small_training_graph() {
  Graph g("mlp");
  TensorType x_t{{4, 3}, DType::f64, ""}, w_t{{3, 5}, DType::f64, ""};
  ValueId x = g.add_input("x", x_t, InputKind::data);
  ValueId labels = g.add_input("labels", TensorType{{4}, DType::i64, ""}, InputKind::label);
  ValueId w = g.add_input("w", w_t, InputKind::parameter);
  ValueId gamma = g.add_input("gamma", TensorType{{5}, DType::f64, ""}, InputKind::parameter);
  ValueId beta = g.add_input("beta", TensorType{{5}, DType::f64, ""}, InputKind::parameter);
  ValueId h = g.add("layernorm", {g.add("matmul", {x, w}, {}, "fc"), gamma, beta}, {{"eps", 1e-5}}, "ln");
  h = g.add("dropout", {g.add("gelu", {h})}, {{"p", 0.5}, {"seed", int64_t{9}}});
  g.add_output("loss", g.add("cross_entropy", {h, labels}));
  return build_training_graph(g);
}

weft::ParseError parse_error_of(const std::string& text) {
  try {
    graph_from_json(text, "model.json");
  } catch (const weft::ParseError& e) {
    return e;
  }
  ADD_FAILURE() << "no ParseError for: " << text;
  return weft::ParseError("", 0, 0, "");
}

// A valid document with one matmul node, laid out one item per line.
const char* kDoc = R"({
  "format": "weft-graph",
  "version": 1,
  "inputs": [
    {"name": "a", "kind": "data", "dtype": "f32", "shape": [2, 3]},
    {"name": "b", "kind": "parameter", "dtype": "f32", "shape": [3, 4]}
  ],
  "nodes": [
    {"name": "mm", "op": "matmul", "inputs": ["a", "b"], "attrs": {}}
  ],
  "outputs": [{"name": "y", "value": "mm"}]
})";

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST(GraphJson, RoundTripKeepsStructureTypesAndResults) {
  Graph g = small_training_graph();
  std::string text = graph_to_json(g);
  Graph back = graph_from_json(text);
  EXPECT_EQ(graph_to_json(back), text);
  EXPECT_EQ(back.str(), g.str());
  weft::Rng rng(5);
  TensorMap feeds = random_feeds(g, rng, {{"labels", 5}});
  TensorMap a = execute(g, feeds), b = execute(back, feeds);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a) EXPECT_EQ(max_abs_diff(t, b.at(name)), 0.0) << name;
}

TEST(GraphJson, ReadsAHandWrittenDocument) {
  Graph g = graph_from_json(kDoc);
  EXPECT_EQ(g.type(g.output("y")), (TensorType{{2, 4}, DType::f32, ""}));
  EXPECT_TRUE(g.is_parameter(*g.find_value("b")));
}

TEST(GraphJson, SyntaxErrorsCarryLineAndColumn) {
  weft::ParseError e = parse_error_of("{\n  \"format\": \"weft-graph\",\n  \"version\": 1,,\n}");
  EXPECT_EQ(e.input(), "model.json");
  EXPECT_EQ(e.line(), 3);
  EXPECT_EQ(e.column(), 16);
  EXPECT_NE(std::string(e.what()).find("model.json:3:16: invalid JSON: syntax error"), std::string::npos) << e.what();
  EXPECT_EQ(parse_error_of("").line(), 1);
}

TEST(GraphJson, SemanticErrorsPointAtTheValue) {
  weft::ParseError op = parse_error_of(replaced(kDoc, "\"matmul\"", "\"matmull\""));
  EXPECT_EQ(op.line(), 9);
  EXPECT_EQ(op.column(), 26);
  EXPECT_STREQ(op.what(), "model.json:9:26: /nodes/0/op: unknown op 'matmull'");

  weft::ParseError ref = parse_error_of(replaced(kDoc, "[\"a\", \"b\"]", "[\"a\", \"c\"]"));
  EXPECT_EQ(ref.line(), 9);
  EXPECT_STREQ(ref.what(),
               "model.json:9:52: /nodes/0/inputs/1: unknown value 'c' (not an input or an earlier node's output)");

  weft::ParseError shape = parse_error_of(replaced(kDoc, "[3, 4]", "[5, 4]"));
  EXPECT_EQ(shape.line(), 9);
  EXPECT_NE(std::string(shape.what()).find("/nodes/0: invalid IR: node 'mm' (matmul): contraction dims differ"),
            std::string::npos)
      << shape.what();

  weft::ParseError version = parse_error_of(replaced(kDoc, "\"version\": 1", "\"version\": 7"));
  EXPECT_STREQ(version.what(), "model.json:3:14: /version: unsupported version 7 (this weft reads version 1)");

  weft::ParseError kind = parse_error_of(replaced(kDoc, "\"parameter\"", "\"weights\""));
  EXPECT_EQ(kind.line(), 6);
  EXPECT_NE(std::string(kind.what()).find("/inputs/1/kind: kind must be data, label or parameter"), std::string::npos);

  weft::ParseError attr = parse_error_of(replaced(kDoc, "\"attrs\": {}", "\"attrs\": {\"transpose_a\": [1.5]}"));
  EXPECT_NE(std::string(attr.what()).find("/nodes/0/attrs/transpose_a/0: attribute lists hold integers only"),
            std::string::npos)
      << attr.what();

  weft::ParseError declared = parse_error_of(replaced(
      kDoc, "\"attrs\": {}", "\"attrs\": {}, \"outputs\": [{\"name\": \"mm\", \"dtype\": \"f32\", \"shape\": [2, 5]}]"));
  EXPECT_NE(std::string(declared.what()).find("declared type f32[2,5] differs from the inferred f32[2,4]"),
            std::string::npos)
      << declared.what();

  weft::ParseError dup = parse_error_of(replaced(kDoc, "\"name\": \"mm\"", "\"name\": \"a\""));
  EXPECT_NE(std::string(dup.what()).find("/nodes/0/name: the name 'a' is used twice"), std::string::npos);

  EXPECT_NE(std::string(parse_error_of("[1, 2]").what()).find("a graph document is a JSON object"), std::string::npos);
  EXPECT_NE(std::string(parse_error_of(replaced(kDoc, "\"weft-graph\"", "\"onnx\"")).what()).find("/format"),
            std::string::npos);
}

TEST(GraphJson, FilesReportUnreadablePaths) {
  EXPECT_THROW(load_graph_json("/nonexistent/dir/graph.json"), weft::UsageError);
  std::string path = ::testing::TempDir() + "/weft_graph_roundtrip.json";
  Graph g = graph_from_json(kDoc);
  save_graph_json(g, path);
  EXPECT_EQ(graph_to_json(load_graph_json(path)), graph_to_json(g));
}

TEST(GraphDot, ExportsNodesEdgesAndEscapesNames) {
  Graph g("dot \"test\"");
  ValueId x = g.add_input("x\"in", TensorType{{2}, DType::f32, ""}, InputKind::data);
  ValueId w = g.add_input("w", TensorType{{2}, DType::f32, ""}, InputKind::parameter);
  g.add_output("y", g.add("mul", {x, w}, {}, "scale"));
  std::string dot = graph_to_dot(g);
  EXPECT_EQ(dot.rfind("digraph \"dot \\\"test\\\"\" {", 0), 0u) << dot;
  EXPECT_NE(dot.find("\"v:x\\\"in\" -> \"n:scale\" [label=\"f32[2]\"];"), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"n:scale\" -> \"o:y\""), std::string::npos) << dot;
  EXPECT_NE(dot.find("fillcolor=\"#92c5de\""), std::string::npos) << dot;  // mul is fusible
  EXPECT_EQ(dot.back(), '\n');
}
