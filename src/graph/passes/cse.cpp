// Common subexpression elimination: a node with the same op, inputs and
// attributes as an earlier one reuses the earlier node's outputs. Every op is a
// pure function of its inputs and attributes (dropout included: its mask comes
// from the seed attribute), so this is always safe. Leaves the duplicates dead;
// run dce after it.
#include <map>

#include "graph/passes/pass.h"
#include "graph/passes/rebuild.h"

namespace weft::graph {

Graph eliminate_common_subexpressions(const Graph& graph) {
  std::map<std::string, std::vector<ValueId>> seen;  // key -> outputs in the new graph
  return rebuild(graph, [&](Graph& out, const Node& node, const std::vector<ValueId>& inputs)
                            -> std::optional<std::vector<ValueId>> {
    std::string key = node.op + "(";
    for (ValueId v : inputs) key += std::to_string(v) + ",";
    key += "){" + node.attrs.str() + "}";
    auto it = seen.find(key);
    if (it != seen.end()) return it->second;
    std::vector<ValueId> outs = out.add_node(node.op, inputs, node.attrs, node.name);
    seen.emplace(key, outs);
    return outs;
  });
}

}  // namespace weft::graph
