#include "graph/passes/rebuild.h"

#include "support/error.h"

namespace weft::graph {

Graph rebuild(const Graph& graph, const NodeRewrite& rewrite) {
  Graph out(graph.name());
  std::vector<ValueId> map(graph.values().size(), kDropped);
  for (const GraphInput& in : graph.inputs()) {
    const Value& v = graph.value(in.value);
    map[in.value] = out.add_input(v.name, v.type, in.kind);
  }
  for (const Node& node : graph.nodes()) {
    std::vector<ValueId> inputs;
    bool uses_dropped = false;
    for (ValueId v : node.inputs) {
      inputs.push_back(map[v]);
      uses_dropped = uses_dropped || map[v] == kDropped;
    }
    std::optional<std::vector<ValueId>> replaced = rewrite(out, node, inputs);
    if (!replaced) {
      WEFT_CHECK(!uses_dropped, InternalError, "rebuild: node '" + node.name + "' uses a dropped value");
      replaced = out.add_node(node.op, inputs, node.attrs, node.name);
    }
    WEFT_CHECK(replaced->size() == node.outputs.size(), InternalError,
               "rebuild: node '" + node.name + "' replaced by the wrong number of values");
    for (size_t i = 0; i < node.outputs.size(); ++i) map[node.outputs[i]] = (*replaced)[i];
  }
  for (const GraphOutput& o : graph.outputs()) {
    WEFT_CHECK(map[o.value] != kDropped, InternalError, "rebuild: output '" + o.name + "' was dropped");
    out.add_output(o.name, map[o.value]);
  }
  return out;
}

}  // namespace weft::graph
