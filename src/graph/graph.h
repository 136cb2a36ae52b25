// The dataflow graph IR. A Graph owns values (typed tensors) and nodes (an op
// applied to input values, with attributes, producing output values). Nodes are
// kept in topological order by construction: a node can only use values that
// already exist. Every node's output types are inferred by its op's rule when it
// is added, so a Graph that exists is well typed.
//
// Passes rewrite by building a new Graph (see GraphBuilder helpers in rewrite.h)
// rather than mutating nodes in place; Graph is a plain value type.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph/attrs.h"
#include "graph/tensor_type.h"

namespace weft::graph {

using ValueId = int32_t;
using NodeId = int32_t;

enum class InputKind { data, label, parameter };
std::string_view input_kind_name(InputKind kind);
std::optional<InputKind> parse_input_kind(std::string_view name);

struct Value {
  std::string name;
  TensorType type;
  NodeId producer = -1;  // -1: a graph input
  int output_index = 0;
};

struct Node {
  std::string name;
  std::string op;
  std::vector<ValueId> inputs;
  Attrs attrs;
  std::vector<ValueId> outputs;
};

struct GraphInput {
  ValueId value;
  InputKind kind;
};

struct GraphOutput {
  std::string name;
  ValueId value;
};

class Graph {
 public:
  explicit Graph(std::string name = "graph") : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // Names must be unique among all values and nodes; the dtype must be f32, f64 or i64.
  ValueId add_input(const std::string& name, TensorType type, InputKind kind);
  // Adds a node and returns its outputs. An empty `name` gets one derived from the op;
  // a taken name gets a numeric suffix. Type errors throw IRError naming the node.
  std::vector<ValueId> add_node(const std::string& op, const std::vector<ValueId>& inputs, Attrs attrs = {},
                                const std::string& name = "");
  // add_node for single-output ops; returns the only output.
  ValueId add(const std::string& op, const std::vector<ValueId>& inputs, Attrs attrs = {},
              const std::string& name = "");
  void add_output(const std::string& name, ValueId value);
  void clear_outputs() { outputs_.clear(); }

  const std::vector<Value>& values() const { return values_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<GraphInput>& inputs() const { return inputs_; }
  const std::vector<GraphOutput>& outputs() const { return outputs_; }
  const Value& value(ValueId id) const;
  const Node& node(NodeId id) const;
  const TensorType& type(ValueId id) const { return value(id).type; }

  // Lookups by name; nullopt when absent.
  std::optional<ValueId> find_value(const std::string& name) const;
  std::optional<ValueId> find_output(const std::string& name) const;
  // The value of output `name`; UsageError listing the outputs when absent.
  ValueId output(const std::string& name) const;
  const GraphInput* find_input(ValueId value) const;
  // Whether a value or node already uses `name`.
  bool has_name(const std::string& name) const { return name_taken(name); }
  bool is_parameter(ValueId value) const;

  // For each value, the nodes that read it (a node appears once per use).
  std::vector<std::vector<NodeId>> consumers() const;
  // "name: op" summary per node, one per line, with types; for debugging and tests.
  std::string str() const;

 private:
  std::string unique_name(const std::string& base) const;
  bool name_taken(const std::string& name) const;
  void check_value(ValueId id, const std::string& context) const;

  std::string name_;
  std::vector<Value> values_;
  std::vector<Node> nodes_;
  std::vector<GraphInput> inputs_;
  std::vector<GraphOutput> outputs_;
  std::unordered_map<std::string, ValueId> value_by_name_;
  std::unordered_map<std::string, NodeId> node_by_name_;
};

}  // namespace weft::graph
