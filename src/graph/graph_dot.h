// Graphviz DOT export: inputs as ellipses (parameters shaded), nodes as boxes
// coloured by fusion group (main / fusible / layout), edges labelled with tensor
// types, graph outputs as double octagons.
#pragma once

#include <string>

#include "graph/graph.h"

namespace weft::graph {

std::string graph_to_dot(const Graph& graph);

}  // namespace weft::graph
