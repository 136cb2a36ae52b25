// Dead code elimination: drops every node no graph output depends on. Graph
// inputs stay (they are the graph's interface), even when unused.
#include "graph/passes/pass.h"
#include "graph/passes/rebuild.h"

namespace weft::graph {

Graph eliminate_dead_code(const Graph& graph) {
  std::vector<bool> live(graph.values().size(), false);
  for (const GraphOutput& o : graph.outputs()) live[o.value] = true;
  std::vector<bool> keep(graph.nodes().size(), false);
  for (NodeId n = static_cast<NodeId>(graph.nodes().size()) - 1; n >= 0; --n) {
    const Node& node = graph.node(n);
    for (ValueId v : node.outputs) keep[n] = keep[n] || live[v];
    if (keep[n])
      for (ValueId v : node.inputs) live[v] = true;
  }
  NodeId index = 0;
  return rebuild(graph, [&](Graph&, const Node& node, const std::vector<ValueId>&)
                            -> std::optional<std::vector<ValueId>> {
    if (keep[index++]) return std::nullopt;
    return std::vector<ValueId>(node.outputs.size(), kDropped);
  });
}

}  // namespace weft::graph
