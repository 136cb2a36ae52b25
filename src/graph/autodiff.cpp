#include "graph/autodiff.h"

#include "graph/grad_context.h"
#include "graph/op_registry.h"
#include "support/error.h"

namespace weft::graph {

std::string gradient_output_name(const std::string& input_name) { return "grad:" + input_name; }

namespace {

bool is_target(const Graph& g, const GraphInput& in, const AutodiffOptions& options) {
  if (!is_graph_float(g.type(in.value).dtype)) return false;
  return in.kind == InputKind::parameter || (options.data_gradients && in.kind == InputKind::data);
}

}  // namespace

Graph build_training_graph(const Graph& forward, const AutodiffOptions& options) {
  Graph g = forward;  // value and node ids stay valid in the copy
  ValueId loss = forward.output(options.loss_output);
  const TensorType loss_type = g.type(loss);
  WEFT_CHECK(loss_type.rank() == 0 && is_graph_float(loss_type.dtype), UsageError,
             "autodiff: loss output '" + options.loss_output + "' must be a rank-0 float, got " + loss_type.str());

  // Values that depend on a differentiation target: only they need gradients.
  std::vector<bool> depends(g.values().size(), false);
  for (const GraphInput& in : g.inputs()) depends[in.value] = is_target(g, in, options);
  for (const Node& node : forward.nodes()) {
    bool any = false;
    for (ValueId v : node.inputs) any = any || depends[v];
    for (ValueId v : node.outputs) depends[v] = any && is_graph_float(g.type(v).dtype);
  }

  std::vector<std::optional<ValueId>> grads(g.values().size());
  grads[loss] = g.add("full", {}, {{"shape", std::vector<int64_t>{}}, {"value", 1.0},
                                   {"dtype", std::string(ir::dtype_name(loss_type.dtype))}},
                      "grad/seed");

  auto forward_nodes = static_cast<NodeId>(forward.nodes().size());
  for (NodeId n = forward_nodes - 1; n >= 0; --n) {
    const Node node = g.node(n);  // a copy: adding backward nodes may move the node list
    std::vector<std::optional<ValueId>> out_grads;
    bool has_grad = false;
    for (ValueId v : node.outputs) {
      out_grads.push_back(grads[v]);
      has_grad = has_grad || grads[v].has_value();
    }
    std::vector<bool> needs;
    bool any_needed = false;
    for (ValueId v : node.inputs) {
      needs.push_back(depends[v]);
      any_needed = any_needed || depends[v];
    }
    if (!has_grad || !any_needed) continue;

    const OpDef& def = OpRegistry::global().get(node.op);
    if (!def.gradient)
      throw UsageError("autodiff: node '" + node.name + "' (" + node.op +
                       ") has no gradient rule but lies between a parameter and the loss");
    GradContext ctx(g, node, out_grads, needs);
    std::vector<std::optional<ValueId>> input_grads = def.gradient(ctx);
    WEFT_CHECK(input_grads.size() == node.inputs.size(), InternalError,
               ctx.describe() + ": gradient rule returned " + std::to_string(input_grads.size()) + " gradients for " +
                   std::to_string(node.inputs.size()) + " inputs");
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      ValueId in = node.inputs[i];
      if (!needs[i] || !input_grads[i]) continue;
      ValueId d = *input_grads[i];
      WEFT_CHECK(g.type(d).shape == g.type(in).shape && g.type(d).dtype == g.type(in).dtype, InternalError,
                 ctx.describe() + ": gradient of input " + std::to_string(i) + " has type " + g.type(d).str() +
                     ", the input " + g.type(in).str());
      grads[in] = grads[in] ? g.add("add", {*grads[in], d}, {}, "grad/acc/" + g.value(in).name) : d;
    }
  }

  g.clear_outputs();
  g.add_output(options.loss_output, loss);
  if (options.keep_forward_outputs)
    for (const GraphOutput& o : forward.outputs())
      if (o.name != options.loss_output) g.add_output(o.name, o.value);
  for (const GraphInput& in : forward.inputs()) {
    if (!is_target(g, in, options)) continue;
    const Value v = g.value(in.value);  // a copy: g grows below
    ValueId d = grads[in.value] ? *grads[in.value]
                                : g.add("full", {}, {{"shape", v.type.shape}, {"value", 0.0},
                                                     {"dtype", std::string(ir::dtype_name(v.type.dtype))}},
                                        "grad/zero/" + v.name);
    g.add_output(gradient_output_name(v.name), d);
  }
  return g;
}

}  // namespace weft::graph
