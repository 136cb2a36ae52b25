#include "graph/graph.h"

#include "graph/op_registry.h"
#include "support/error.h"

namespace weft::graph {

std::string_view input_kind_name(InputKind kind) {
  switch (kind) {
    case InputKind::data: return "data";
    case InputKind::label: return "label";
    case InputKind::parameter: return "parameter";
  }
  return "?";
}

std::optional<InputKind> parse_input_kind(std::string_view name) {
  for (InputKind k : {InputKind::data, InputKind::label, InputKind::parameter})
    if (input_kind_name(k) == name) return k;
  return std::nullopt;
}

bool Graph::name_taken(const std::string& name) const {
  return value_by_name_.count(name) || node_by_name_.count(name);
}

std::string Graph::unique_name(const std::string& base) const {
  if (!name_taken(base)) return base;
  for (int i = 1;; ++i) {
    std::string candidate = base + "_" + std::to_string(i);
    if (!name_taken(candidate)) return candidate;
  }
}

void Graph::check_value(ValueId id, const std::string& context) const {
  WEFT_CHECK(id >= 0 && id < static_cast<ValueId>(values_.size()), IRError,
             context + ": value id " + std::to_string(id) + " does not exist in graph '" + name_ + "'");
}

ValueId Graph::add_input(const std::string& name, TensorType type, InputKind kind) {
  WEFT_CHECK(!name.empty(), IRError, "graph '" + name_ + "': an input needs a name");
  WEFT_CHECK(!name_taken(name), IRError, "graph '" + name_ + "': the name '" + name + "' is already used");
  WEFT_CHECK(is_graph_dtype(type.dtype), IRError,
             "graph input '" + name + "' has dtype " + std::string(ir::dtype_name(type.dtype)) +
                 "; graphs hold f32, f64 or i64");
  for (int64_t d : type.shape)
    WEFT_CHECK(d > 0, IRError, "graph input '" + name + "' has shape " + shape_str(type.shape) +
                                   "; dimensions must be positive");
  WEFT_CHECK(kind != InputKind::parameter || is_graph_float(type.dtype), IRError,
             "parameter '" + name + "' must be f32 or f64");
  auto id = static_cast<ValueId>(values_.size());
  values_.push_back(Value{name, std::move(type), -1, 0});
  value_by_name_[name] = id;
  inputs_.push_back(GraphInput{id, kind});
  return id;
}

std::vector<ValueId> Graph::add_node(const std::string& op, const std::vector<ValueId>& inputs, Attrs attrs,
                                     const std::string& name) {
  std::string node_name = unique_name(name.empty() ? op : name);
  std::string context = "node '" + node_name + "' (" + op + ")";
  const OpDef& def = OpRegistry::global().get(op, context);
  int n = static_cast<int>(inputs.size());
  if (n < def.min_inputs || (def.max_inputs >= 0 && n > def.max_inputs)) {
    std::string expected = def.min_inputs == def.max_inputs ? std::to_string(def.min_inputs)
                           : def.max_inputs < 0 ? "at least " + std::to_string(def.min_inputs)
                                                : std::to_string(def.min_inputs) + " to " +
                                                      std::to_string(def.max_inputs);
    throw IRError(context + ": takes " + expected + " inputs, got " + std::to_string(n));
  }
  std::vector<TensorType> input_types;
  for (ValueId v : inputs) {
    check_value(v, context);
    input_types.push_back(values_[v].type);
  }
  std::vector<TensorType> output_types = def.infer(InferContext(op, node_name, attrs, input_types));
  WEFT_CHECK(!output_types.empty(), InternalError, context + ": inference produced no outputs");

  auto node_id = static_cast<NodeId>(nodes_.size());
  Node node{node_name, op, inputs, std::move(attrs), {}};
  node_by_name_[node_name] = node_id;
  for (size_t i = 0; i < output_types.size(); ++i) {
    std::string value_name =
        output_types.size() == 1 ? node_name : unique_name(node_name + ":" + std::to_string(i));
    auto id = static_cast<ValueId>(values_.size());
    values_.push_back(Value{value_name, std::move(output_types[i]), node_id, static_cast<int>(i)});
    value_by_name_[value_name] = id;
    node.outputs.push_back(id);
  }
  nodes_.push_back(std::move(node));
  return nodes_.back().outputs;
}

ValueId Graph::add(const std::string& op, const std::vector<ValueId>& inputs, Attrs attrs, const std::string& name) {
  std::vector<ValueId> outs = add_node(op, inputs, std::move(attrs), name);
  WEFT_CHECK(outs.size() == 1, IRError,
             "node '" + nodes_.back().name + "' (" + op + ") has " + std::to_string(outs.size()) +
                 " outputs; use add_node");
  return outs[0];
}

void Graph::add_output(const std::string& name, ValueId value) {
  check_value(value, "output '" + name + "'");
  for (const auto& o : outputs_)
    WEFT_CHECK(o.name != name, IRError, "graph '" + name_ + "' already has an output named '" + name + "'");
  outputs_.push_back(GraphOutput{name, value});
}

const Value& Graph::value(ValueId id) const {
  check_value(id, "graph '" + name_ + "'");
  return values_[id];
}

const Node& Graph::node(NodeId id) const {
  WEFT_CHECK(id >= 0 && id < static_cast<NodeId>(nodes_.size()), IRError,
             "graph '" + name_ + "': node id " + std::to_string(id) + " does not exist");
  return nodes_[id];
}

std::optional<ValueId> Graph::find_value(const std::string& name) const {
  auto it = value_by_name_.find(name);
  if (it == value_by_name_.end()) return std::nullopt;
  return it->second;
}

std::optional<ValueId> Graph::find_output(const std::string& name) const {
  for (const auto& o : outputs_)
    if (o.name == name) return o.value;
  return std::nullopt;
}

ValueId Graph::output(const std::string& name) const {
  if (auto v = find_output(name)) return *v;
  std::string known;
  for (const auto& o : outputs_) known += (known.empty() ? "" : ", ") + o.name;
  throw UsageError("graph '" + name_ + "' has no output '" + name + "' (outputs: " + known + ")");
}

const GraphInput* Graph::find_input(ValueId value) const {
  for (const auto& in : inputs_)
    if (in.value == value) return &in;
  return nullptr;
}

bool Graph::is_parameter(ValueId value) const {
  const GraphInput* in = find_input(value);
  return in && in->kind == InputKind::parameter;
}

std::vector<std::vector<NodeId>> Graph::consumers() const {
  std::vector<std::vector<NodeId>> out(values_.size());
  for (size_t n = 0; n < nodes_.size(); ++n)
    for (ValueId v : nodes_[n].inputs) out[v].push_back(static_cast<NodeId>(n));
  return out;
}

std::string Graph::str() const {
  std::string s = "graph " + name_ + "\n";
  for (const auto& in : inputs_)
    s += "  input " + values_[in.value].name + ": " + values_[in.value].type.str() + " (" +
         std::string(input_kind_name(in.kind)) + ")\n";
  for (const auto& n : nodes_) {
    s += "  ";
    for (size_t i = 0; i < n.outputs.size(); ++i)
      s += (i ? ", " : "") + values_[n.outputs[i]].name + ": " + values_[n.outputs[i]].type.str();
    s += " = " + n.op + "(";
    for (size_t i = 0; i < n.inputs.size(); ++i) s += (i ? ", " : "") + values_[n.inputs[i]].name;
    s += ")";
    if (!n.attrs.empty()) s += " {" + n.attrs.str() + "}";
    s += "\n";
  }
  for (const auto& o : outputs_) s += "  output " + o.name + " = " + values_[o.value].name + "\n";
  return s;
}

}  // namespace weft::graph
