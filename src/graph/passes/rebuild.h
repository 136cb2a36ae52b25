// The rewriting primitive graph passes share: copy a graph node by node into a
// fresh one, letting a callback replace or drop nodes. The fresh graph re-infers
// every type, so a rewrite that breaks typing fails loudly where it happens.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "graph/graph.h"

namespace weft::graph {

// Called per node with the node's inputs already mapped into `out`. Return
// nullopt to copy the node unchanged, or the values (in `out`) that replace its
// outputs; kDropped marks an output nothing may use (for dead nodes).
using NodeRewrite =
    std::function<std::optional<std::vector<ValueId>>(Graph& out, const Node& node, const std::vector<ValueId>& inputs)>;

inline constexpr ValueId kDropped = -1;

// Inputs and outputs keep their names and order. InternalError if a kept node or
// output uses a dropped value.
Graph rebuild(const Graph& graph, const NodeRewrite& rewrite);

}  // namespace weft::graph
