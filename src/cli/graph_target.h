// What `weft graph` and `weft partition` read: a model spec of the zoo (e.g.
// bert-large:tiny), a graph JSON file or an ONNX model (forward graph, *.onnx),
// optionally as its training graph, and which graph passes to run on it.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace weft::cli {

struct GraphTargetArgs {
  std::string target;
  bool train = false;
  std::string passes;  // empty: EVT's pipeline; "none": no passes
};

// The positional model and --train, --passes.
void add_graph_target_options(CLI::App& cmd, GraphTargetArgs& args);

// The target's graph, or its training graph with --train (before any pass). *.onnx
// is an ONNX model; a path that exists (or ends in .json) is a graph file; anything
// else a model spec.
graph::Graph load_graph_target(const GraphTargetArgs& args);
// The passes --passes selects.
std::vector<std::string> selected_passes(const GraphTargetArgs& args);

}  // namespace weft::cli
