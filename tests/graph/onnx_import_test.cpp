// ONNX import: the tests write small ONNX models themselves (a protobuf encoder
// below), import them and compare against the same model built by hand; bad
// models get their messages asserted.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>

#include "frontend/onnx_import.h"
#include "graph/executor.h"
#include "support/error.h"

using namespace weft::graph;
using weft::frontend::import_onnx;

namespace {

// Protobuf wire-format writer: just enough for ONNX's schema.
class Proto {
 public:
  Proto& varint(int field, uint64_t v) {
    tag(field, 0);
    raw(v);
    return *this;
  }
  Proto& bytes(int field, const std::string& s) {
    tag(field, 2);
    raw(s.size());
    data_ += s;
    return *this;
  }
  Proto& message(int field, const Proto& m) { return bytes(field, m.data_); }
  Proto& real(int field, float f) {
    tag(field, 5);
    auto bits = std::bit_cast<uint32_t>(f);
    for (int i = 0; i < 4; ++i) data_ += static_cast<char>((bits >> (8 * i)) & 0xff);
    return *this;
  }
  Proto& packed_ints(int field, const std::vector<int64_t>& v) {
    Proto p;
    for (int64_t x : v) p.raw(static_cast<uint64_t>(x));
    return bytes(field, p.data_);
  }
  Proto& packed_floats(int field, const std::vector<float>& v) {
    std::string s;
    for (float f : v) {
      auto bits = std::bit_cast<uint32_t>(f);
      for (int i = 0; i < 4; ++i) s += static_cast<char>((bits >> (8 * i)) & 0xff);
    }
    return bytes(field, s);
  }
  const std::string& str() const { return data_; }

 private:
  void tag(int field, int wire) { raw(static_cast<uint64_t>(field) << 3 | wire); }
  void raw(uint64_t v) {
    while (v >= 0x80) {
      data_ += static_cast<char>((v & 0x7f) | 0x80);
      v >>= 7;
    }
    data_ += static_cast<char>(v);
  }
  std::string data_;
};

Proto float_tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& values) {
  return Proto().packed_ints(1, dims).varint(2, 1).packed_floats(4, values).bytes(8, name);
}
Proto int_tensor(const std::string& name, const std::vector<int64_t>& values) {
  return Proto().packed_ints(1, {static_cast<int64_t>(values.size())}).varint(2, 7).packed_ints(7, values).bytes(8, name);
}
Proto value_info(const std::string& name, const std::vector<int64_t>& dims, const std::string& symbolic = "") {
  Proto shape;
  for (int64_t d : dims) shape.message(1, Proto().varint(1, static_cast<uint64_t>(d)));
  if (!symbolic.empty()) shape.message(1, Proto().bytes(2, symbolic));
  return Proto().bytes(1, name).message(2, Proto().message(1, Proto().varint(1, 1).message(2, shape)));
}
Proto int_attr(const std::string& name, int64_t v) { return Proto().bytes(1, name).varint(3, static_cast<uint64_t>(v)).varint(20, 2); }
Proto float_attr(const std::string& name, float v) { return Proto().bytes(1, name).real(2, v).varint(20, 1); }
Proto ints_attr(const std::string& name, const std::vector<int64_t>& v) {
  return Proto().bytes(1, name).packed_ints(8, v).varint(20, 7);
}
Proto node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output,
           const std::vector<Proto>& attrs = {}) {
  Proto n;
  for (const std::string& i : inputs) n.bytes(1, i);
  n.bytes(2, output).bytes(3, output + "_node").bytes(4, op);
  for (const Proto& a : attrs) n.message(5, a);
  return n;
}
std::string model(const std::vector<Proto>& nodes, const std::vector<Proto>& inits, const std::vector<Proto>& inputs,
                  const std::vector<std::string>& outputs) {
  Proto g;
  for (const Proto& n : nodes) g.message(1, n);
  g.bytes(2, "test");
  for (const Proto& t : inits) g.message(5, t);
  for (const Proto& i : inputs) g.message(11, i);
  for (const std::string& o : outputs) g.message(12, value_info(o, {}));
  return Proto().varint(1, 8).message(8, Proto().bytes(1, "").varint(2, 17)).message(7, g).str();
}

std::vector<float> ramp(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>(static_cast<int>(i % 7) - 3);
  return v;
}

std::string import_error(const std::string& bytes) {
  try {
    import_onnx(bytes, "test.onnx");
  } catch (const weft::UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UsageError";
  return "";
}

}  // namespace

TEST(OnnxImport, MatchesTheSameModelBuiltByHand) {
  std::string bytes = model(
      {node("Gemm", {"x", "w1", "b1"}, "h"), node("Relu", {"h"}, "r"),
       node("Gemm", {"r", "w2"}, "z", {int_attr("transB", 1)}), node("Transpose", {"z"}, "zt"),
       node("Transpose", {"zt"}, "z2", {ints_attr("perm", {1, 0})}), node("Reshape", {"z2", "shape"}, "z3"),
       node("LayerNormalization", {"z3", "gamma", "beta"}, "ln", {float_attr("epsilon", 1e-3f)}),
       node("Softmax", {"ln"}, "y", {int_attr("axis", -1)}), node("Identity", {"y"}, "y_id"),
       node("ReduceMean", {"y"}, "m", {ints_attr("axes", {1}), int_attr("keepdims", 0)})},
      {float_tensor("w1", {3, 5}, ramp(15, 0.1f)), float_tensor("b1", {5}, ramp(5, 0.05f)),
       float_tensor("w2", {6, 5}, ramp(30, 0.2f)), int_tensor("shape", {0, -1}),
       float_tensor("gamma", {6}, ramp(6, 0.3f)), float_tensor("beta", {6}, ramp(6, 0.01f))},
      {value_info("x", {4, 3})}, {"y_id", "m"});
  weft::frontend::OnnxModel m = import_onnx(bytes, "mlp.onnx");
  EXPECT_EQ(m.graph.name(), "test");
  EXPECT_EQ(m.initializers.size(), 5u);  // the int64 shape is not a parameter
  EXPECT_TRUE(m.graph.is_parameter(*m.graph.find_value("w1")));

  Graph g("by_hand");
  auto f32 = [](Shape s) { return TensorType{std::move(s), DType::f32, ""}; };
  ValueId x = g.add_input("x", f32({4, 3}), InputKind::data);
  ValueId w1 = g.add_input("w1", f32({3, 5}), InputKind::parameter);
  ValueId b1 = g.add_input("b1", f32({5}), InputKind::parameter);
  ValueId w2 = g.add_input("w2", f32({6, 5}), InputKind::parameter);
  ValueId gamma = g.add_input("gamma", f32({6}), InputKind::parameter);
  ValueId beta = g.add_input("beta", f32({6}), InputKind::parameter);
  ValueId r = g.add("relu", {g.add("add", {g.add("matmul", {x, w1}), b1})});
  ValueId z = g.add("matmul", {r, w2}, {{"transpose_b", int64_t{1}}});
  ValueId y = g.add("softmax", {g.add("layernorm", {z, gamma, beta}, {{"eps", 1e-3f * 1.0}})});
  g.add_output("y_id", y);
  g.add_output("m", g.add("mean", {y}, {{"axes", std::vector<int64_t>{1}}}));

  weft::Rng rng(9);
  TensorMap feeds = m.initializers;
  feeds.emplace("x", Tensor::random(f32({4, 3}), rng));
  TensorMap imported = execute(m.graph, feeds), expected = execute(g, feeds);
  for (const char* name : {"y_id", "m"}) EXPECT_LE(closeness(imported.at(name), expected.at(name), 1e-5, 1e-6), 1.0);
}

TEST(OnnxImport, NamesUnsupportedOpsAndBadNodes) {
  std::vector<Proto> inputs = {value_info("x", {2, 3})};
  std::string conv = import_error(model({node("Relu", {"x"}, "r"), node("Conv", {"r", "w"}, "c")}, {}, inputs, {"c"}));
  EXPECT_EQ(conv.rfind("test.onnx: node 1 'c_node' (Conv): unsupported op (supported: Add, Sub", 0), 0u) << conv;
  EXPECT_EQ(import_error(model({node("Relu", {"nope"}, "r")}, {}, inputs, {"r"})),
            "test.onnx: node 0 'r_node' (Relu): input 'nope' is not a graph input, an initializer or an output of an "
            "earlier node");
  std::string shapes =
      import_error(model({node("Add", {"x", "b"}, "s")}, {float_tensor("b", {4}, ramp(4, 1))}, inputs, {"s"}));
  EXPECT_EQ(shapes.rfind("test.onnx: node 0 's_node' (Add): invalid IR: node 's' (add)", 0), 0u) << shapes;
  EXPECT_EQ(import_error(model({node("Relu", {"x"}, "r")}, {}, {value_info("x", {2}, "batch")}, {"r"})),
            "test.onnx: graph input 'x' has a symbolic or non-positive dimension 'batch'; weft needs static shapes");
  EXPECT_EQ(import_error(model({node("Reshape", {"x", "x"}, "r")}, {}, inputs, {"r"})),
            "test.onnx: node 0 'r_node' (Reshape): input 'x' must be an int64 initializer or constant");
}

TEST(OnnxImport, MalformedBytesNameTheOffset) {
  std::string good = model({node("Relu", {"x"}, "r")}, {}, {value_info("x", {2, 3})}, {"r"});
  std::string cut = import_error(good.substr(0, good.size() - 3));
  EXPECT_NE(cut.find("test.onnx: byte "), std::string::npos) << cut;
  EXPECT_NE(cut.find("runs past the end"), std::string::npos) << cut;
  EXPECT_EQ(import_error(std::string("\x08\xff", 2)), "test.onnx: byte 2 (ModelProto): truncated varint");
  EXPECT_EQ(import_error(Proto().varint(1, 8).str()), "test.onnx: the model has no graph");
  EXPECT_THROW(weft::frontend::load_onnx("/nonexistent/model.onnx"), weft::UsageError);
}
