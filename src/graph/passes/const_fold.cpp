// Constant folding. The graph's only constants are `full` tensors (one value
// everywhere), so folding keeps them uniform:
//   - an elementwise, layout or sum/mean/max node whose inputs are all `full`
//     becomes one `full` of its output type (the value is computed by running
//     the op's own kernel on scalars, so folding matches execution);
//   - identities: x * 1, 1 * x, x / 1, x + 0, 0 + x, x - 0 become x (broadcast
//     to the result's shape when the constant widened it).
// Ops with hidden per-element state (dropout) are never folded.
#include <set>

#include "graph/executor.h"
#include "graph/passes/pass.h"
#include "graph/passes/pattern.h"
#include "graph/passes/rebuild.h"

namespace weft::graph {
namespace {

using Values = std::vector<ValueId>;

// Elementwise ops: on uniform inputs their output is the op applied to scalars.
const std::set<std::string>& scalar_ops() {
  static const std::set<std::string> ops = {
      "add",  "sub",  "mul",       "div",       "maximum",   "equal",     "not_equal", "neg",
      "exp",  "log",  "sqrt",      "relu",      "gelu",      "tanh",      "sigmoid",   "relu_grad",
      "gelu_grad",    "tanh_grad", "sigmoid_grad"};
  return ops;
}

// Layout ops only move (or repeat) elements, so a uniform input stays uniform.
const std::set<std::string>& layout_ops() {
  static const std::set<std::string> ops = {"reshape", "permute", "broadcast_to", "slice"};
  return ops;
}

double eval_scalar(const std::string& op, const std::vector<double>& values, DType dtype) {
  Graph g("const_fold");
  TensorMap feeds;
  Values inputs;
  for (size_t i = 0; i < values.size(); ++i) {
    std::string name = "c" + std::to_string(i);
    inputs.push_back(g.add_input(name, TensorType{{}, dtype, ""}, InputKind::data));
    feeds.emplace(name, Tensor::scalar(values[i], dtype));
  }
  g.add_output("y", g.add(op, inputs));
  return execute(g, feeds).at("y").at(0);
}

// The uniform value of the node's output when every input is a `full`.
std::optional<double> folded_value(const Graph& out, const Node& node, const Values& in) {
  std::vector<double> values;
  for (ValueId v : in) {
    std::optional<double> c = full_value(out, v);
    if (!c || !is_graph_float(out.type(v).dtype)) return std::nullopt;
    values.push_back(*c);
  }
  if (values.empty()) return std::nullopt;
  DType dt = out.type(in[0]).dtype;
  if (scalar_ops().count(node.op) && node.attrs.empty()) return eval_scalar(node.op, values, dt);
  if (layout_ops().count(node.op) || node.op == "mean" || node.op == "max") return values[0];
  if (node.op == "sum") {
    const TensorType& in_type = out.type(in[0]);
    int64_t count = 1;
    for (int64_t a : reduced_axes(node, in_type.rank())) count *= in_type.shape[a];
    return values[0] * static_cast<double>(count);
  }
  return std::nullopt;
}

// x op c == x for the identities above; returns x (widened if needed).
std::optional<ValueId> identity_operand(Graph& out, const Node& node, const Values& in, const TensorType& result) {
  if (in.size() != 2) return std::nullopt;
  std::optional<double> lhs = full_value(out, in[0]), rhs = full_value(out, in[1]);
  std::optional<ValueId> x;
  if (node.op == "mul" && rhs == 1.0) x = in[0];
  else if (node.op == "mul" && lhs == 1.0) x = in[1];
  else if (node.op == "div" && rhs == 1.0) x = in[0];
  else if ((node.op == "add" || node.op == "sub") && rhs == 0.0) x = in[0];
  else if (node.op == "add" && lhs == 0.0) x = in[1];
  if (!x) return std::nullopt;
  const TensorType& t = out.type(*x);
  if (t.dtype != result.dtype) return std::nullopt;
  if (t.shape == result.shape) return x;
  return out.add("broadcast_to", {*x}, {{"shape", result.shape}}, node.name);
}

}  // namespace

Graph fold_constants(const Graph& graph) {
  return rebuild(graph, [&](Graph& out, const Node& node, const Values& in) -> std::optional<Values> {
    if (node.outputs.size() != 1) return std::nullopt;
    const TensorType& result = graph.type(node.outputs[0]);
    if (std::optional<double> v = folded_value(out, node, in))
      return Values{add_full(out, result.shape, *v, result.dtype, node.name)};
    if (std::optional<ValueId> x = identity_operand(out, node, in, result)) return Values{*x};
    return std::nullopt;
  });
}

}  // namespace weft::graph
