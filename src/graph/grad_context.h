// What a gradient rule sees: the forward node, the gradients flowing into its
// outputs, which input gradients are wanted, and helpers that append backward
// nodes to the graph being differentiated.
#pragma once

#include <optional>
#include <vector>

#include "graph/graph.h"
#include "graph/op_context.h"

namespace weft::graph {

namespace detail {
// Holds the node copy that NodeView refers to; a base so it is built first.
struct NodeCopy {
  Node node_copy;
};
}  // namespace detail

class GradContext : private detail::NodeCopy, public NodeView {
 public:
  GradContext(Graph& graph, const Node& node, std::vector<std::optional<ValueId>> out_grads,
              std::vector<bool> needs);

  Graph& graph() { return graph_; }
  const Node& node() const { return node_copy; }
  ValueId input(size_t i) const { return node_copy.inputs.at(i); }
  ValueId output(size_t i) const { return node_copy.outputs.at(i); }
  size_t num_inputs() const { return node_copy.inputs.size(); }
  // Copies, not references: emitting nodes may move the graph's value list.
  TensorType type(ValueId v) const { return graph_.type(v); }
  Shape shape(ValueId v) const { return graph_.type(v).shape; }
  DType dtype(ValueId v) const { return graph_.type(v).dtype; }

  // The gradient of output i; nullopt when nothing downstream used it.
  std::optional<ValueId> out_grad(size_t i) const { return out_grads_.at(i); }
  // The gradient of output i, or zeros of its type.
  ValueId out_grad_or_zeros(size_t i);
  // Whether the gradient of input i is wanted (rules may skip work when not).
  bool needs(size_t i) const { return needs_.at(i); }

  // Appends a backward node named after the forward node.
  ValueId emit(const std::string& op, const std::vector<ValueId>& inputs, Attrs attrs = {});
  std::vector<ValueId> emit_multi(const std::string& op, const std::vector<ValueId>& inputs, Attrs attrs = {});
  ValueId scalar(double value, DType dtype);
  ValueId zeros(const TensorType& type);
  // Sums a gradient that was broadcast from `target` back down to `target`'s shape.
  ValueId sum_to(ValueId grad, Shape target);

 private:
  Graph& graph_;
  std::vector<std::optional<ValueId>> out_grads_;
  std::vector<bool> needs_;
};

}  // namespace weft::graph
