// Whole-graph conversions that rebuild a graph node by node.
#pragma once

#include "graph/graph.h"

namespace weft::graph {

// The same graph with every float tensor (inputs, outputs of nodes, "dtype"
// attributes of constant-producing ops) in `dtype` (f32 or f64). Names are kept.
// Used to run f32 models in f64 for gradient checks, and the reverse.
Graph with_float_dtype(const Graph& graph, DType dtype);

}  // namespace weft::graph
