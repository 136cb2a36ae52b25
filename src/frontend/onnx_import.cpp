// Converts ONNX nodes one by one into graph nodes named after their first
// output, so ONNX value names stay the graph's value names (feeds and outputs
// keep working by name). The model is parsed with the protobuf classes Debian's
// libonnx-dev generates from onnx-ml.proto.
#include "frontend/onnx_import.h"

#include <fstream>
#include <sstream>

#include "frontend/onnx_importer.h"
#include "support/error.h"

namespace weft::frontend {
namespace detail {

using graph::DType;
using graph::Shape;
using graph::ValueId;

OnnxImporter::OnnxImporter(const onnx::ModelProto& model, const std::string& input) : model_(model), input_(input) {}

OnnxModel OnnxImporter::run() {
  if (!model_.has_graph()) throw UsageError(input_ + ": the model has no graph");
  const onnx::GraphProto& g = model_.graph();
  out_.graph.set_name(g.name().empty() ? "onnx" : g.name());
  std::map<std::string, bool> is_initializer;
  for (const onnx::TensorProto& t : g.initializer()) {
    is_initializer[t.name()] = true;
    add_initializer(t);
  }
  for (const onnx::ValueInfoProto& v : g.input())
    if (!is_initializer.count(v.name())) add_graph_input(v);
  for (int i = 0; i < g.node_size(); ++i) {
    node_ = &g.node(i);
    index_ = i;
    convert();
  }
  node_ = nullptr;
  for (const onnx::ValueInfoProto& v : g.output()) {
    if (!values_.count(v.name())) throw UsageError(input_ + ": graph output '" + v.name() + "' is never computed");
    out_.graph.add_output(v.name(), values_.at(v.name()));
  }
  if (g.output_size() == 0) throw UsageError(input_ + ": the graph has no outputs");
  return std::move(out_);
}

int64_t OnnxImporter::default_opset() const {
  for (const onnx::OperatorSetIdProto& o : model_.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") return o.version();
  return 0;
}

DType OnnxImporter::dtype_of(int32_t elem_type, const std::string& what) const {
  switch (elem_type) {
    case onnx::TensorProto_DataType_FLOAT: return DType::f32;
    case onnx::TensorProto_DataType_DOUBLE: return DType::f64;
    case onnx::TensorProto_DataType_INT64: return DType::i64;
    default:
      throw UsageError(input_ + ": " + what + " has ONNX element type " + std::to_string(elem_type) +
                       "; weft imports float (1), int64 (7) and double (11)");
  }
}

void OnnxImporter::add_initializer(const onnx::TensorProto& t) {
  OnnxTensorValues v = read_onnx_tensor(t, input_ + ": initializer '" + t.name() + "'");
  if (v.is_integer()) {
    int_constants_[t.name()] = v.ints;
    return;
  }
  graph::TensorType type{v.dims, dtype_of(v.data_type, "initializer '" + t.name() + "'"), ""};
  values_[t.name()] = out_.graph.add_input(t.name(), type, graph::InputKind::parameter);
  out_.initializers.emplace(t.name(), graph::Tensor(type, v.floats));
}

void OnnxImporter::add_graph_input(const onnx::ValueInfoProto& v) {
  std::string what = "graph input '" + v.name() + "'";
  if (!v.type().has_tensor_type()) throw UsageError(input_ + ": " + what + " is not a tensor");
  const onnx::TypeProto_Tensor& tensor = v.type().tensor_type();
  if (!tensor.has_shape()) throw UsageError(input_ + ": " + what + " has no shape");
  Shape shape;
  for (const onnx::TensorShapeProto_Dimension& d : tensor.shape().dim()) {
    if (!d.has_dim_value() || d.dim_value() <= 0)
      throw UsageError(input_ + ": " + what + " has a symbolic or non-positive dimension" +
                       (d.has_dim_param() ? " '" + d.dim_param() + "'" : "") + "; weft needs static shapes");
    shape.push_back(d.dim_value());
  }
  values_[v.name()] =
      out_.graph.add_input(v.name(), {shape, dtype_of(tensor.elem_type(), what), ""}, graph::InputKind::data);
}

void OnnxImporter::fail(const std::string& what) const {
  throw UsageError(input_ + ": node " + std::to_string(index_) + " '" + node_->name() + "' (" + node_->op_type() +
                   "): " + what);
}

bool OnnxImporter::has_input(int i) const { return i < node_->input_size() && !node_->input(i).empty(); }

ValueId OnnxImporter::in(int i) const {
  if (!has_input(i)) fail("missing input " + std::to_string(i));
  const std::string& name = node_->input(i);
  if (auto it = values_.find(name); it != values_.end()) return it->second;
  if (int_constants_.count(name)) fail("integer constant '" + name + "' may only feed shape and axes inputs");
  fail("input '" + name + "' is not a graph input, an initializer or an output of an earlier node");
}

const Ints& OnnxImporter::constant_ints(int i) const {
  if (!has_input(i)) fail("missing input " + std::to_string(i));
  auto it = int_constants_.find(node_->input(i));
  if (it == int_constants_.end()) fail("input '" + node_->input(i) + "' must be an int64 initializer or constant");
  return it->second;
}

const Shape& OnnxImporter::shape(ValueId v) const { return out_.graph.type(v).shape; }
int64_t OnnxImporter::rank(ValueId v) const { return static_cast<int64_t>(shape(v).size()); }

const onnx::AttributeProto* OnnxImporter::attr(const std::string& name,
                                               onnx::AttributeProto_AttributeType type) const {
  for (const onnx::AttributeProto& a : node_->attribute()) {
    if (a.name() != name) continue;
    // Producers before IR version 0.0.2 left `type` unset; then the filled field decides.
    bool untyped_match = a.type() == onnx::AttributeProto_AttributeType_UNDEFINED &&
                         ((type == onnx::AttributeProto_AttributeType_INT && a.has_i()) ||
                          (type == onnx::AttributeProto_AttributeType_FLOAT && a.has_f()) ||
                          (type == onnx::AttributeProto_AttributeType_STRING && a.has_s()) ||
                          (type == onnx::AttributeProto_AttributeType_TENSOR && a.has_t()) ||
                          (type == onnx::AttributeProto_AttributeType_INTS && a.ints_size() > 0));
    if (a.type() != type && !untyped_match)
      fail("attribute '" + name + "' is " + onnx::AttributeProto_AttributeType_Name(a.type()) + ", expected " +
           onnx::AttributeProto_AttributeType_Name(type));
    return &a;
  }
  return nullptr;
}

int64_t OnnxImporter::attr_int(const std::string& name, int64_t fallback) const {
  const onnx::AttributeProto* a = attr(name, onnx::AttributeProto_AttributeType_INT);
  return a ? a->i() : fallback;
}

double OnnxImporter::attr_float(const std::string& name, double fallback) const {
  const onnx::AttributeProto* a = attr(name, onnx::AttributeProto_AttributeType_FLOAT);
  return a ? a->f() : fallback;
}

std::optional<std::string> OnnxImporter::attr_string(const std::string& name) const {
  const onnx::AttributeProto* a = attr(name, onnx::AttributeProto_AttributeType_STRING);
  if (!a) return std::nullopt;
  return a->s();
}

std::optional<Ints> OnnxImporter::attr_ints(const std::string& name) const {
  const onnx::AttributeProto* a = attr(name, onnx::AttributeProto_AttributeType_INTS);
  if (!a) return std::nullopt;
  return Ints(a->ints().begin(), a->ints().end());
}

Ints OnnxImporter::attr_pair(const std::string& name, int64_t fallback) const {
  Ints v = attr_ints(name).value_or(Ints{fallback, fallback});
  if (v.size() != 2) fail("attribute '" + name + "' needs 2 values (2-D only), got " + std::to_string(v.size()));
  return v;
}

ValueId OnnxImporter::add(const std::string& op, const std::vector<ValueId>& inputs, graph::Attrs attrs,
                          const std::string& name) {
  try {
    return out_.graph.add(op, inputs, std::move(attrs), name);
  } catch (const IRError& e) {
    fail(e.what());
  }
}

const std::string& OnnxImporter::output_name() const {
  if (node_->output_size() == 0 || node_->output(0).empty()) fail("has no output");
  for (int i = 1; i < node_->output_size(); ++i)
    if (!node_->output(i).empty()) fail("only the first output is supported");
  return node_->output(0);
}

ValueId OnnxImporter::emit(const std::string& op, const std::vector<ValueId>& inputs, graph::Attrs attrs) {
  const std::string& name = output_name();
  ValueId v = add(op, inputs, std::move(attrs), name);
  values_[name] = v;
  return v;
}

void OnnxImporter::alias(ValueId v) { values_[output_name()] = v; }

ValueId OnnxImporter::scalar(double value, DType dtype, const std::string& name) {
  return add("full", {}, {{"shape", Ints{}}, {"value", value}, {"dtype", std::string(ir::dtype_name(dtype))}}, name);
}

namespace {

const std::map<std::string, std::string>& same_name_ops() {
  static const std::map<std::string, std::string> ops = {
      {"Add", "add"}, {"Sub", "sub"},   {"Mul", "mul"},   {"Div", "div"},   {"Neg", "neg"},
      {"Exp", "exp"}, {"Log", "log"},   {"Sqrt", "sqrt"}, {"Relu", "relu"}, {"Tanh", "tanh"},
      {"Sigmoid", "sigmoid"}};
  return ops;
}

constexpr const char* kSupported =
    "Add, Sub, Mul, Div, Neg, Exp, Log, Sqrt, Relu, Gelu, Tanh, Sigmoid, MatMul, Gemm, Conv, MaxPool, AveragePool, "
    "GlobalAveragePool, GlobalMaxPool, Softmax, LogSoftmax, Transpose, Reshape, Flatten, Concat, ReduceSum, "
    "ReduceMean, ReduceMax, LayerNormalization, Identity, Dropout, Constant";

}  // namespace

void OnnxImporter::convert() {
  const std::string& op = node_->op_type();
  if (!node_->domain().empty() && node_->domain() != "ai.onnx")
    fail("ops of domain '" + node_->domain() + "' are not supported");
  if (auto it = same_name_ops().find(op); it != same_name_ops().end()) {
    std::vector<ValueId> inputs;
    for (int i = 0; i < node_->input_size(); ++i) inputs.push_back(in(i));
    emit(it->second, inputs);
  } else if (op == "Gelu") {
    std::optional<std::string> approximate = attr_string("approximate");
    if (approximate && *approximate != "none")
      fail("approximate='" + *approximate + "' is not supported (only the exact erf form)");
    emit("gelu", {in(0)});
  } else if (op == "MatMul") {
    ValueId a = in(0), b = in(1);
    if (rank(a) == 2 && rank(b) == 2) emit("matmul", {a, b});
    else if (rank(a) >= 3 && rank(a) == rank(b)) emit("batch_matmul", {a, b});
    else fail("operands of rank " + std::to_string(rank(a)) + " and " + std::to_string(rank(b)) +
              " are not supported (2-D, or equal ranks with equal batch dimensions)");
  } else if (op == "Gemm") {
    convert_gemm();
  } else if (op == "Conv") {
    convert_conv();
  } else if (op == "MaxPool" || op == "AveragePool") {
    convert_pool(op);
  } else if (op == "GlobalAveragePool" || op == "GlobalMaxPool") {
    convert_global_pool(op == "GlobalAveragePool" ? "mean" : "max");
  } else if (op == "Softmax" || op == "LogSoftmax") {
    ValueId x = in(0);
    int64_t opset = default_opset();
    int64_t axis = attr_int("axis", opset != 0 && opset < 13 ? 1 : -1);
    if (axis < 0) axis += rank(x);
    if (opset != 0 && opset < 13 && axis != rank(x) - 1)
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
    for (int i = 0; i < node_->input_size(); ++i) inputs.push_back(in(i));
    if (!attr("axis", onnx::AttributeProto_AttributeType_INT)) fail("needs the axis attribute");
    emit("concat", inputs, {{"axis", attr_int("axis", 0)}});
  } else if (op == "ReduceSum" || op == "ReduceMean" || op == "ReduceMax") {
    convert_reduce(op == "ReduceSum" ? "sum" : op == "ReduceMean" ? "mean" : "max");
  } else if (op == "LayerNormalization") {
    ValueId x = in(0);
    int64_t axis = attr_int("axis", -1);
    if (axis != -1 && axis != rank(x) - 1) fail("only normalisation over the last axis is supported");
    ValueId beta = has_input(2) ? in(2)
                                : add("full", {},
                                      {{"shape", Ints{shape(x).back()}},
                                       {"value", 0.0},
                                       {"dtype", std::string(ir::dtype_name(out_.graph.type(x).dtype))}},
                                      output_name() + "/beta");
    emit("layernorm", {x, in(1), beta}, {{"eps", attr_float("epsilon", 1e-5)}});
  } else if (op == "Identity" || op == "Dropout") {
    alias(in(0));
  } else if (op == "Constant") {
    convert_constant();
  } else {
    fail("unsupported op (supported: " + std::string(kSupported) + ")");
  }
}

// Y = alpha * op(A) op(B) + beta * C: addmm when C is given (the decompose pass
// turns it into matmul + add), else a matmul scaled by alpha.
void OnnxImporter::convert_gemm() {
  double alpha = attr_float("alpha", 1.0), beta = attr_float("beta", 1.0);
  graph::Attrs attrs = {{"transpose_a", int64_t{attr_int("transA", 0) != 0}},
                        {"transpose_b", int64_t{attr_int("transB", 0) != 0}}};
  if (has_input(2)) {
    attrs.set("alpha", alpha).set("beta", beta);
    emit("addmm", {in(2), in(0), in(1)}, attrs);
  } else if (alpha == 1.0) {
    emit("matmul", {in(0), in(1)}, attrs);
  } else {
    const std::string& name = output_name();
    ValueId product = add("matmul", {in(0), in(1)}, attrs, name + "/matmul");
    emit("mul", {product, scalar(alpha, out_.graph.type(product).dtype, name + "/alpha")});
  }
}

void OnnxImporter::convert_reduce(const std::string& op) {
  ValueId x = in(0);
  Ints axes = has_input(1) ? constant_ints(1) : attr_ints("axes").value_or(Ints{});
  if (axes.empty() && attr_int("noop_with_empty_axes", 0) != 0) return alias(x);
  emit(op, {x}, {{"axes", axes}, {"keepdims", attr_int("keepdims", 1) != 0 ? int64_t{1} : int64_t{0}}});
}

void OnnxImporter::convert_constant() {
  const std::string& name = output_name();
  if (std::optional<Ints> ints = attr_ints("value_ints")) {
    int_constants_[name] = *ints;
    return;
  }
  if (attr("value_int", onnx::AttributeProto_AttributeType_INT)) {
    int_constants_[name] = Ints{attr_int("value_int", 0)};
    return;
  }
  OnnxTensorValues t;
  if (const onnx::AttributeProto* a = attr("value", onnx::AttributeProto_AttributeType_TENSOR)) {
    t = read_onnx_tensor(a->t(), input_ + ": node " + std::to_string(index_) + " '" + node_->name() +
                                     "' (Constant): the value");
  } else if (attr("value_float", onnx::AttributeProto_AttributeType_FLOAT)) {
    t.data_type = onnx::TensorProto_DataType_FLOAT;
    t.floats = {attr_float("value_float", 0)};
  } else {
    fail("needs a value, value_float, value_int or value_ints attribute");
  }
  if (t.is_integer()) {
    int_constants_[name] = t.ints;
    return;
  }
  DType dt = dtype_of(t.data_type, "constant '" + name + "'");
  if (t.floats.empty()) fail("the constant holds no values");
  for (double v : t.floats)
    if (v != t.floats[0]) fail("only uniform float constants are supported (use an initializer for tensors)");
  emit("full", {}, {{"shape", t.dims}, {"value", t.floats[0]}, {"dtype", std::string(ir::dtype_name(dt))}});
}

}  // namespace detail

OnnxModel import_onnx(const std::string& bytes, const std::string& input_name) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes))
    throw UsageError(input_name + ": not an ONNX model: the protobuf parse of onnx.ModelProto failed (" +
                     std::to_string(bytes.size()) + " bytes)");
  return detail::OnnxImporter(model, input_name).run();
}

OnnxModel load_onnx(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw UsageError("cannot read ONNX file '" + path + "'");
  std::ostringstream text;
  text << file.rdbuf();
  return import_onnx(text.str(), path);
}

}  // namespace weft::frontend
