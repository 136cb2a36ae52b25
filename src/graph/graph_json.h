// The graph JSON format (versioned). A document looks like
//   {"format": "weft-graph", "version": 1, "name": "mlp",
//    "inputs":  [{"name": "x", "kind": "data", "dtype": "f32", "shape": [4, 3]}],
//    "nodes":   [{"name": "fc", "op": "matmul", "inputs": ["x", "w"],
//                 "attrs": {"transpose_b": 1},
//                 "outputs": [{"name": "fc", "dtype": "f32", "shape": [4, 2]}]}],
//    "outputs": [{"name": "y", "value": "fc"}]}
// Values are referenced by name; a node's outputs are named like the node (or
// "node:i" for multi-output ops). "outputs" of nodes and "layout" are optional on
// read; when present, types are checked against inference.
#pragma once

#include <string>

#include "graph/graph.h"

namespace weft::graph {

inline constexpr int kGraphJsonVersion = 1;

std::string graph_to_json(const Graph& graph, int indent = 2);

// Parses and validates a document. Every problem throws ParseError naming
// `input_name` with the line and column of the offending JSON value.
Graph graph_from_json(const std::string& text, const std::string& input_name = "<graph json>");

// File helpers; unreadable or unwritable files throw UsageError naming the path.
void save_graph_json(const Graph& graph, const std::string& path);
Graph load_graph_json(const std::string& path);

}  // namespace weft::graph
