// Loss elimination (EVT): the backward pass starts from the loss's incoming
// gradient (a constant 1), never from the loss value, so a training step need
// not compute the loss at all. The pass drops the loss output and with it every
// node only the loss needed: the loss reduction, and for cross-entropy the
// forward log-softmax. restore_loss() puts the loss back for the steps where the
// user asks for it (e.g. every N steps), reusing what the optimised graph still
// computes.
#include <set>

#include "graph/passes/pass.h"
#include "support/error.h"

namespace weft::graph {

Graph eliminate_loss(const Graph& graph, const LossEliminationOptions& options) {
  graph.output(options.loss_output);  // UsageError listing the outputs when absent
  if (options.keep_loss) return graph;
  Graph out = graph;
  out.clear_outputs();
  for (const GraphOutput& o : graph.outputs())
    if (o.name != options.loss_output) out.add_output(o.name, o.value);
  WEFT_CHECK(!out.outputs().empty(), UsageError,
             "loss elimination: graph '" + graph.name() + "' has no output but the loss '" + options.loss_output +
                 "'; it is not a training graph");
  return eliminate_dead_code(out);
}

Graph restore_loss(const Graph& optimised, const Graph& reference, const std::string& loss_output) {
  if (optimised.find_output(loss_output)) return optimised;
  ValueId loss = reference.output(loss_output);
  // The reference nodes the loss depends on.
  std::vector<bool> needed(reference.values().size(), false);
  needed[loss] = true;
  std::vector<bool> run(reference.nodes().size(), false);
  for (NodeId n = static_cast<NodeId>(reference.nodes().size()) - 1; n >= 0; --n) {
    const Node& node = reference.node(n);
    for (ValueId v : node.outputs) run[n] = run[n] || needed[v];
    if (run[n])
      for (ValueId v : node.inputs) needed[v] = true;
  }
  Graph out = optimised;
  std::vector<ValueId> map(reference.values().size(), -1);
  // A reference value the optimised graph already holds, under the same name and type.
  auto existing = [&](ValueId v) -> std::optional<ValueId> {
    const Value& value = reference.value(v);
    std::optional<ValueId> found = optimised.find_value(value.name);
    if (found && optimised.type(*found) == value.type) return found;
    return std::nullopt;
  };
  for (const GraphInput& in : reference.inputs()) {
    if (!needed[in.value]) continue;
    std::optional<ValueId> found = existing(in.value);
    WEFT_CHECK(found && optimised.find_input(*found), UsageError,
               "restore_loss: graph '" + optimised.name() + "' lacks the input '" + reference.value(in.value).name +
                   "' that the loss '" + loss_output + "' needs");
    map[in.value] = *found;
  }
  for (NodeId n = 0; n < static_cast<NodeId>(reference.nodes().size()); ++n) {
    if (!run[n]) continue;
    const Node& node = reference.node(n);
    bool all_exist = true;
    for (ValueId v : node.outputs) all_exist = all_exist && existing(v).has_value();
    if (all_exist) {
      for (ValueId v : node.outputs) map[v] = *existing(v);
      continue;
    }
    std::vector<ValueId> inputs;
    for (ValueId v : node.inputs) inputs.push_back(map[v]);
    std::vector<ValueId> outs = out.add_node(node.op, inputs, node.attrs, node.name);
    for (size_t i = 0; i < outs.size(); ++i) map[node.outputs[i]] = outs[i];
  }
  // The loss goes first, as build_training_graph orders it.
  std::vector<GraphOutput> outputs = out.outputs();
  out.clear_outputs();
  out.add_output(loss_output, map[loss]);
  for (const GraphOutput& o : outputs) out.add_output(o.name, o.value);
  return out;
}

}  // namespace weft::graph
