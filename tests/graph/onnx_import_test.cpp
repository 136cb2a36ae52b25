// ONNX import: the tests build small ONNX models with libonnx's protobuf classes
// (onnx_test_models.h), import them and compare against the same model built by
// hand; bad models get their messages asserted.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "frontend/onnx_import.h"
#include "graph/executor.h"
#include "onnx_test_models.h"
#include "support/error.h"

using namespace weft::graph;
using namespace weft::graph::testing;
using weft::frontend::import_onnx;

namespace {

std::string import_error(const std::string& bytes) {
  try {
    import_onnx(bytes, "test.onnx");
  } catch (const weft::UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UsageError";
  return "";
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST(OnnxImport, MatchesTheSameModelBuiltByHand) {
  std::string bytes = model(
      {node("Gemm", {"x", "w1", "b1"}, "h"), node("Relu", {"h"}, "r"),
       node("Gemm", {"r", "w2"}, "z", {int_attr("transB", 1)}), node("Transpose", {"z"}, "zt"),
       node("Transpose", {"zt"}, "z2", {ints_attr("perm", {1, 0})}), node("Reshape", {"z2", "shape"}, "z3"),
       node("LayerNormalization", {"z3", "gamma", "beta"}, "ln", {float_attr("epsilon", 1e-3f)}),
       node("Softmax", {"ln"}, "y", {int_attr("axis", -1)}), node("Identity", {"y"}, "y_id"),
       node("ReduceMean", {"y"}, "m", {ints_attr("axes", {1}), int_attr("keepdims", 0)}),
       // alpha * x^T-free product + beta * C with a row-vector C: addmm with scales.
       node("Gemm", {"x", "w1", "c"}, "s", {float_attr("alpha", 0.5f), float_attr("beta", -2.0f)}),
       node("Gemm", {"x", "w1"}, "p", {float_attr("alpha", 3.0f)})},
      {float_tensor("w1", {3, 5}, ramp(15, 0.1f)), raw_float_tensor("b1", {5}, ramp(5, 0.05f)),
       float_tensor("w2", {6, 5}, ramp(30, 0.2f)), int_tensor("shape", {0, -1}),
       float_tensor("gamma", {6}, ramp(6, 0.3f)), float_tensor("beta", {6}, ramp(6, 0.01f)),
       float_tensor("c", {1, 5}, ramp(5, 0.7f))},
      {value_info("x", {4, 3})}, {"y_id", "m", "s", "p"});
  weft::frontend::OnnxModel m = import_onnx(bytes, "mlp.onnx");
  EXPECT_EQ(m.graph.name(), "test");
  EXPECT_EQ(m.initializers.size(), 6u);  // the int64 shape is not a parameter
  EXPECT_TRUE(m.graph.is_parameter(*m.graph.find_value("w1")));
  EXPECT_EQ(m.graph.node(m.graph.value(m.graph.output("s")).producer).op, "addmm");

  Graph g("by_hand");
  auto f32 = [](Shape s) { return TensorType{std::move(s), DType::f32, ""}; };
  auto scalar = [&](double v) {
    return g.add("full", {}, {{"shape", Shape{}}, {"value", v}, {"dtype", std::string("f32")}});
  };
  ValueId x = g.add_input("x", f32({4, 3}), InputKind::data);
  ValueId w1 = g.add_input("w1", f32({3, 5}), InputKind::parameter);
  ValueId b1 = g.add_input("b1", f32({5}), InputKind::parameter);
  ValueId w2 = g.add_input("w2", f32({6, 5}), InputKind::parameter);
  ValueId gamma = g.add_input("gamma", f32({6}), InputKind::parameter);
  ValueId beta = g.add_input("beta", f32({6}), InputKind::parameter);
  ValueId c = g.add_input("c", f32({1, 5}), InputKind::parameter);
  ValueId xw1 = g.add("matmul", {x, w1});
  ValueId r = g.add("relu", {g.add("add", {xw1, b1})});
  ValueId z = g.add("matmul", {r, w2}, {{"transpose_b", int64_t{1}}});
  ValueId y = g.add("softmax", {g.add("layernorm", {z, gamma, beta}, {{"eps", 1e-3f * 1.0}})});
  g.add_output("y_id", y);
  g.add_output("m", g.add("mean", {y}, {{"axes", std::vector<int64_t>{1}}}));
  g.add_output("s", g.add("add", {g.add("mul", {xw1, scalar(0.5)}), g.add("mul", {c, scalar(-2.0)})}));
  g.add_output("p", g.add("mul", {xw1, scalar(3.0)}));

  weft::Rng rng(9);
  TensorMap feeds = m.initializers;
  EXPECT_EQ(feeds.at("b1").at(4), 0.05f * 1);  // raw_data decoded: ramp(5)[4] = 0.05 * (4 - 3)
  feeds.emplace("x", Tensor::random(f32({4, 3}), rng));
  TensorMap imported = execute(m.graph, feeds), expected = execute(g, feeds);
  for (const char* name : {"y_id", "m", "s", "p"})
    EXPECT_LE(closeness(imported.at(name), expected.at(name), 1e-5, 1e-6), 1.0) << name;
}

TEST(OnnxImport, LoadsAFileWrittenWithSerializeToOstream) {
  onnx::ModelProto proto = model_proto({node("Relu", {"x"}, "r")}, {}, {value_info("x", {2, 3})}, {"r"});
  std::string path = ::testing::TempDir() + "/weft_relu.onnx";
  {
    std::ofstream out(path, std::ios::binary);
    ASSERT_TRUE(proto.SerializeToOstream(&out));
  }
  weft::frontend::OnnxModel m = weft::frontend::load_onnx(path);
  TensorMap feeds{{"x", Tensor(TensorType{{2, 3}, DType::f32, ""}, {-1, 2, -3, 4, -5, 6})}};
  Tensor r = execute(m.graph, feeds).at("r");
  EXPECT_EQ(r.at(0), 0.0);
  EXPECT_EQ(r.at(5), 6.0);
  std::remove(path.c_str());
  EXPECT_THROW(weft::frontend::load_onnx("/nonexistent/model.onnx"), weft::UsageError);
}

TEST(OnnxImport, NamesUnsupportedOpsAndBadNodes) {
  std::vector<onnx::ValueInfoProto> inputs = {value_info("x", {2, 3})};
  std::string lstm = import_error(model({node("Relu", {"x"}, "r"), node("LSTM", {"r", "w"}, "c")}, {}, inputs, {"c"}));
  EXPECT_TRUE(starts_with(lstm, "test.onnx: node 1 'c_node' (LSTM): unsupported op (supported: Add, Sub")) << lstm;
  EXPECT_EQ(import_error(model({node("Relu", {"nope"}, "r")}, {}, inputs, {"r"})),
            "test.onnx: node 0 'r_node' (Relu): input 'nope' is not a graph input, an initializer or an output of an "
            "earlier node");
  std::string shapes =
      import_error(model({node("Add", {"x", "b"}, "s")}, {float_tensor("b", {4}, ramp(4, 1))}, inputs, {"s"}));
  EXPECT_TRUE(starts_with(shapes, "test.onnx: node 0 's_node' (Add): invalid IR: node 's' (add)")) << shapes;
  EXPECT_EQ(import_error(model({node("Relu", {"x"}, "r")}, {}, {value_info("x", {2}, "batch")}, {"r"})),
            "test.onnx: graph input 'x' has a symbolic or non-positive dimension 'batch'; weft needs static shapes");
  EXPECT_EQ(import_error(model({node("Reshape", {"x", "x"}, "r")}, {}, inputs, {"r"})),
            "test.onnx: node 0 'r_node' (Reshape): input 'x' must be an int64 initializer or constant");
  EXPECT_EQ(import_error(model({node("Softmax", {"x"}, "s", {float_attr("axis", 1)})}, {}, inputs, {"s"})),
            "test.onnx: node 0 's_node' (Softmax): attribute 'axis' is FLOAT, expected INT");
  EXPECT_EQ(import_error(model({node("Gemm", {"x", "w", "b"}, "g")},
                               {float_tensor("w", {3, 4}, ramp(12, 1)), float_tensor("b", {3}, ramp(3, 1))}, inputs,
                               {"g"})),
            "test.onnx: node 0 'g_node' (Gemm): invalid IR: node 'g' (addmm): input 0 (f32[3]) does not broadcast to "
            "the product's shape [2,4]");
}

TEST(OnnxImport, BadTensorsAndBytesAreNamed) {
  std::vector<onnx::ValueInfoProto> inputs = {value_info("x", {2, 3})};
  std::string good = model({node("Relu", {"x"}, "r")}, {}, inputs, {"r"});
  std::string cut = import_error(good.substr(0, good.size() - 3));
  EXPECT_TRUE(starts_with(cut, "test.onnx: not an ONNX model: the protobuf parse of onnx.ModelProto failed")) << cut;
  EXPECT_EQ(import_error(std::string("\x08\xff", 2)),
            "test.onnx: not an ONNX model: the protobuf parse of onnx.ModelProto failed (2 bytes)");
  onnx::ModelProto no_graph;
  no_graph.set_ir_version(8);
  EXPECT_EQ(import_error(no_graph.SerializeAsString()), "test.onnx: the model has no graph");

  onnx::TensorProto half = float_tensor("h", {1}, {1});
  half.set_data_type(onnx::TensorProto_DataType_FLOAT16);
  EXPECT_EQ(import_error(model({node("Relu", {"x"}, "r")}, {half}, inputs, {"r"})),
            "test.onnx: initializer 'h' has ONNX element type 10 (FLOAT16); weft reads FLOAT (1), INT32 (6), INT64 "
            "(7) and DOUBLE (11)");
  onnx::TensorProto short_raw = raw_float_tensor("s", {2, 2}, {1, 2, 3});
  EXPECT_EQ(import_error(model({node("Relu", {"x"}, "r")}, {short_raw}, inputs, {"r"})),
            "test.onnx: initializer 's': raw_data holds 12 bytes, expected 4 values of 4 bytes");
  EXPECT_EQ(import_error(model({node("Relu", {"x"}, "r")}, {float_tensor("f", {2, 2}, {1, 2})}, inputs, {"r"})),
            "test.onnx: initializer 'f' holds 2 values for shape [2,2]");
  onnx::TensorProto external = float_tensor("e", {1}, {1});
  external.set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
  EXPECT_EQ(import_error(model({node("Relu", {"x"}, "r")}, {external}, inputs, {"r"})),
            "test.onnx: initializer 'e' keeps its data in an external file; weft reads only data stored in the model");
}
