// What `weft graph` and `weft partition` read: a model spec of the zoo (e.g.
// bert-large:tiny), a graph JSON file or an ONNX model (forward graph, *.onnx).
#pragma once

#include <string>

#include "graph/graph.h"

namespace weft::cli {

// *.onnx is an ONNX model; a path that exists (or ends in .json) is a graph file;
// anything else a model spec.
graph::Graph load_graph_target(const std::string& target);

}  // namespace weft::cli
