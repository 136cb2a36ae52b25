// Converts ONNX nodes one by one into graph nodes named after their first
// output, so ONNX value names stay the graph's value names (feeds and outputs
// keep working by name).
#include "frontend/onnx_import.h"

#include <fstream>
#include <map>
#include <sstream>

#include "frontend/onnx_proto.h"
#include "support/error.h"

namespace weft::frontend {
namespace {

using graph::DType;
using graph::Shape;
using graph::ValueId;
using Ints = std::vector<int64_t>;

class Importer {
 public:
  Importer(const onnx::ModelProto& model, const std::string& input) : model_(model), input_(input) {}

  OnnxModel run() {
    if (!model_.graph) throw UsageError(input_ + ": the model has no graph");
    const onnx::GraphProto& g = *model_.graph;
    out_.graph.set_name(g.name.empty() ? "onnx" : g.name);
    std::map<std::string, const onnx::TensorData*> initializers;
    for (const onnx::TensorData& t : g.initializers) {
      initializers[t.name] = &t;
      add_initializer(t);
    }
    for (const onnx::ValueInfo& v : g.inputs)
      if (!initializers.count(v.name)) add_graph_input(v);
    for (size_t i = 0; i < g.nodes.size(); ++i) {
      node_ = &g.nodes[i];
      index_ = i;
      convert();
    }
    node_ = nullptr;
    for (const onnx::ValueInfo& v : g.outputs) {
      if (!values_.count(v.name)) throw UsageError(input_ + ": graph output '" + v.name + "' is never computed");
      out_.graph.add_output(v.name, values_.at(v.name));
    }
    if (g.outputs.empty()) throw UsageError(input_ + ": the graph has no outputs");
    return std::move(out_);
  }

 private:
  DType dtype_of(int32_t elem_type, const std::string& what) const {
    switch (elem_type) {
      case onnx::kFloat: return DType::f32;
      case onnx::kDouble: return DType::f64;
      case onnx::kInt64: return DType::i64;
      default:
        throw UsageError(input_ + ": " + what + " has ONNX element type " + std::to_string(elem_type) +
                         "; weft imports float (1), int64 (7) and double (11)");
    }
  }

  void add_initializer(const onnx::TensorData& t) {
    if (t.data_type == onnx::kInt64 || t.data_type == onnx::kInt32) {
      int_constants_[t.name] = t.ints;
      return;
    }
    DType dt = dtype_of(t.data_type, "initializer '" + t.name + "'");
    graph::TensorType type{t.dims, dt, ""};
    if (static_cast<int64_t>(t.floats.size()) != type.numel())
      throw UsageError(input_ + ": initializer '" + t.name + "' holds " + std::to_string(t.floats.size()) +
                       " values for shape " + graph::shape_str(t.dims));
    values_[t.name] = out_.graph.add_input(t.name, type, graph::InputKind::parameter);
    out_.initializers.emplace(t.name, graph::Tensor(type, t.floats));
  }

  void add_graph_input(const onnx::ValueInfo& v) {
    std::string what = "graph input '" + v.name + "'";
    if (!v.shape) throw UsageError(input_ + ": " + what + " has no shape");
    Shape shape;
    for (const onnx::Dim& d : *v.shape) {
      if (!d.value || *d.value <= 0)
        throw UsageError(input_ + ": " + what + " has a symbolic or non-positive dimension" +
                         (d.param.empty() ? "" : " '" + d.param + "'") + "; weft needs static shapes");
      shape.push_back(*d.value);
    }
    values_[v.name] = out_.graph.add_input(v.name, {shape, dtype_of(v.elem_type, what), ""}, graph::InputKind::data);
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw UsageError(input_ + ": node " + std::to_string(index_) + " '" + node_->name + "' (" + node_->op_type +
                     "): " + what);
  }

  bool has_input(size_t i) const { return i < node_->inputs.size() && !node_->inputs[i].empty(); }

  ValueId in(size_t i) const {
    if (!has_input(i)) fail("missing input " + std::to_string(i));
    const std::string& name = node_->inputs[i];
    if (auto it = values_.find(name); it != values_.end()) return it->second;
    if (int_constants_.count(name))
      fail("integer constant '" + name + "' may only feed shape and axes inputs");
    fail("input '" + name + "' is not a graph input, an initializer or an output of an earlier node");
  }

  const Ints& constant_ints(size_t i) const {
    if (!has_input(i)) fail("missing input " + std::to_string(i));
    auto it = int_constants_.find(node_->inputs[i]);
    if (it == int_constants_.end()) fail("input '" + node_->inputs[i] + "' must be an int64 initializer or constant");
    return it->second;
  }

  const Shape& shape(ValueId v) const { return out_.graph.type(v).shape; }
  int64_t rank(ValueId v) const { return static_cast<int64_t>(shape(v).size()); }

  int64_t attr_int(const std::string& name, int64_t fallback) const {
    const onnx::Attribute* a = node_->find(name);
    return a && a->i ? *a->i : fallback;
  }
  double attr_float(const std::string& name, double fallback) const {
    const onnx::Attribute* a = node_->find(name);
    return a && a->f ? *a->f : fallback;
  }
  std::optional<Ints> attr_ints(const std::string& name) const {
    const onnx::Attribute* a = node_->find(name);
    if (!a) return std::nullopt;
    return a->ints;
  }

  // Adds a graph node; type errors are reported against the ONNX node.
  ValueId add(const std::string& op, const std::vector<ValueId>& inputs, graph::Attrs attrs, const std::string& name) {
    try {
      return out_.graph.add(op, inputs, std::move(attrs), name);
    } catch (const IRError& e) {
      fail(e.what());
    }
  }

  // Adds the node producing the ONNX node's (only) output, under its name.
  ValueId emit(const std::string& op, const std::vector<ValueId>& inputs, graph::Attrs attrs = {}) {
    check_single_output();
    ValueId v = add(op, inputs, std::move(attrs), node_->outputs[0]);
    values_[node_->outputs[0]] = v;
    return v;
  }

  void check_single_output() const {
    if (node_->outputs.empty() || node_->outputs[0].empty()) fail("has no output");
    for (size_t i = 1; i < node_->outputs.size(); ++i)
      if (!node_->outputs[i].empty()) fail("only the first output is supported");
  }

  void alias(ValueId v) {
    check_single_output();
    values_[node_->outputs[0]] = v;
  }

  void convert();
  void convert_constant();
  void convert_reduce(const std::string& op);

  const onnx::ModelProto& model_;
  const std::string& input_;
  OnnxModel out_;
  std::map<std::string, ValueId> values_;
  std::map<std::string, Ints> int_constants_;
  const onnx::NodeProto* node_ = nullptr;
  size_t index_ = 0;
};

const std::map<std::string, std::string>& same_name_ops() {
  static const std::map<std::string, std::string> ops = {
      {"Add", "add"},   {"Sub", "sub"},   {"Mul", "mul"},   {"Div", "div"},         {"Neg", "neg"},
      {"Exp", "exp"},   {"Log", "log"},   {"Sqrt", "sqrt"}, {"Relu", "relu"},       {"Tanh", "tanh"},
      {"Sigmoid", "sigmoid"}};
  return ops;
}

constexpr const char* kSupported =
    "Add, Sub, Mul, Div, Neg, Exp, Log, Sqrt, Relu, Gelu, Tanh, Sigmoid, MatMul, Gemm, Softmax, LogSoftmax, "
    "Transpose, Reshape, Flatten, Concat, ReduceSum, ReduceMean, ReduceMax, LayerNormalization, Identity, "
    "Dropout, Constant";

void Importer::convert() {
  const std::string& op = node_->op_type;
  if (!node_->domain.empty() && node_->domain != "ai.onnx") fail("ops of domain '" + node_->domain + "' are not supported");
  if (auto it = same_name_ops().find(op); it != same_name_ops().end()) {
    std::vector<ValueId> inputs;
    for (size_t i = 0; i < node_->inputs.size(); ++i) inputs.push_back(in(i));
    emit(it->second, inputs);
  } else if (op == "Gelu") {
    const onnx::Attribute* a = node_->find("approximate");
    if (a && a->s && *a->s != "none") fail("approximate='" + *a->s + "' is not supported (only the exact erf form)");
    emit("gelu", {in(0)});
  } else if (op == "MatMul") {
    ValueId a = in(0), b = in(1);
    if (rank(a) == 2 && rank(b) == 2) emit("matmul", {a, b});
    else if (rank(a) >= 3 && rank(a) == rank(b)) emit("batch_matmul", {a, b});
    else fail("operands of rank " + std::to_string(rank(a)) + " and " + std::to_string(rank(b)) +
              " are not supported (2-D, or equal ranks with equal batch dimensions)");
  } else if (op == "Gemm") {
    if (attr_float("alpha", 1.0) != 1.0 || attr_float("beta", 1.0) != 1.0) fail("alpha and beta other than 1 are not supported");
    graph::Attrs flags = {{"transpose_a", int64_t{attr_int("transA", 0) != 0}},
                          {"transpose_b", int64_t{attr_int("transB", 0) != 0}}};
    if (!has_input(2)) {
      emit("matmul", {in(0), in(1)}, flags);
    } else {
      check_single_output();
      emit("add", {add("matmul", {in(0), in(1)}, flags, node_->outputs[0] + "/matmul"), in(2)});
    }
  } else if (op == "Softmax" || op == "LogSoftmax") {
    ValueId x = in(0);
    int64_t axis = attr_int("axis", model_.opset != 0 && model_.opset < 13 ? 1 : -1);
    if (axis < 0) axis += rank(x);
    if (model_.opset != 0 && model_.opset < 13 && axis != rank(x) - 1)
      fail("before opset 13 softmax flattens from `axis`; only the last axis is supported");
    emit(op == "Softmax" ? "softmax" : "log_softmax", {x}, {{"axis", axis}});
  } else if (op == "Transpose") {
    ValueId x = in(0);
    Ints perm = attr_ints("perm").value_or(Ints{});
    if (perm.empty())
      for (int64_t i = rank(x) - 1; i >= 0; --i) perm.push_back(i);
    emit("permute", {x}, {{"perm", perm}});
  } else if (op == "Reshape") {
    ValueId x = in(0);
    Ints target = constant_ints(1);
    bool allow_zero = attr_int("allowzero", 0) != 0;
    for (size_t i = 0; i < target.size(); ++i)
      if (target[i] == 0 && !allow_zero) {
        if (static_cast<int64_t>(i) >= rank(x)) fail("shape entry " + std::to_string(i) + " copies a missing dimension");
        target[i] = shape(x)[i];
      }
    emit("reshape", {x}, {{"shape", target}});
  } else if (op == "Flatten") {
    ValueId x = in(0);
    int64_t axis = attr_int("axis", 1);
    if (axis < 0) axis += rank(x);
    if (axis < 0 || axis > rank(x)) fail("axis " + std::to_string(attr_int("axis", 1)) + " is out of range");
    int64_t outer = 1, inner = 1;
    for (int64_t i = 0; i < rank(x); ++i) (i < axis ? outer : inner) *= shape(x)[i];
    emit("reshape", {x}, {{"shape", Ints{outer, inner}}});
  } else if (op == "Concat") {
    std::vector<ValueId> inputs;
    for (size_t i = 0; i < node_->inputs.size(); ++i) inputs.push_back(in(i));
    if (!node_->find("axis")) fail("needs the axis attribute");
    emit("concat", inputs, {{"axis", attr_int("axis", 0)}});
  } else if (op == "ReduceSum" || op == "ReduceMean" || op == "ReduceMax") {
    convert_reduce(op == "ReduceSum" ? "sum" : op == "ReduceMean" ? "mean" : "max");
  } else if (op == "LayerNormalization") {
    ValueId x = in(0);
    int64_t axis = attr_int("axis", -1);
    if (axis != -1 && axis != rank(x) - 1) fail("only normalisation over the last axis is supported");
    check_single_output();
    ValueId beta = has_input(2) ? in(2)
                                : add("full", {},
                                      {{"shape", Ints{shape(x).back()}},
                                       {"value", 0.0},
                                       {"dtype", std::string(ir::dtype_name(out_.graph.type(x).dtype))}},
                                      node_->outputs[0] + "/beta");
    emit("layernorm", {x, in(1), beta}, {{"eps", attr_float("epsilon", 1e-5)}});
  } else if (op == "Identity" || op == "Dropout") {
    alias(in(0));
  } else if (op == "Constant") {
    convert_constant();
  } else {
    fail("unsupported op (supported: " + std::string(kSupported) + ")");
  }
}

void Importer::convert_reduce(const std::string& op) {
  ValueId x = in(0);
  Ints axes = has_input(1) ? constant_ints(1) : attr_ints("axes").value_or(Ints{});
  if (axes.empty() && attr_int("noop_with_empty_axes", 0) != 0) return alias(x);
  emit(op, {x}, {{"axes", axes}, {"keepdims", attr_int("keepdims", 1) != 0 ? int64_t{1} : int64_t{0}}});
}

void Importer::convert_constant() {
  if (node_->outputs.empty()) fail("has no output");
  const std::string& name = node_->outputs[0];
  const onnx::Attribute* a = node_->find("value");
  if (const onnx::Attribute* ints = node_->find("value_ints")) {
    int_constants_[name] = ints->ints;
    return;
  }
  if (const onnx::Attribute* i = node_->find("value_int"); i && i->i) {
    int_constants_[name] = Ints{*i->i};
    return;
  }
  onnx::TensorData t;
  if (a && a->t) {
    t = *a->t;
  } else if (const onnx::Attribute* f = node_->find("value_float"); f && f->f) {
    t.data_type = onnx::kFloat;
    t.floats = {*f->f};
  } else {
    fail("needs a value, value_float, value_int or value_ints attribute");
  }
  if (t.data_type == onnx::kInt64 || t.data_type == onnx::kInt32) {
    int_constants_[name] = t.ints;
    return;
  }
  DType dt = dtype_of(t.data_type, "constant '" + name + "'");
  if (t.floats.empty()) fail("the constant holds no values");
  for (double v : t.floats)
    if (v != t.floats[0]) fail("only uniform float constants are supported (use an initializer for tensors)");
  emit("full", {}, {{"shape", t.dims}, {"value", t.floats[0]}, {"dtype", std::string(ir::dtype_name(dt))}});
}

}  // namespace

OnnxModel import_onnx(const std::string& bytes, const std::string& input_name) {
  onnx::ModelProto model = onnx::parse_model(bytes, input_name);
  return Importer(model, input_name).run();
}

OnnxModel load_onnx(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw UsageError("cannot read ONNX file '" + path + "'");
  std::ostringstream text;
  text << file.rdbuf();
  return import_onnx(text.str(), path);
}

}  // namespace weft::frontend
