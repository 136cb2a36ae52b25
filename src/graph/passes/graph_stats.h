// What `weft graph` reports about a graph, before and after passes: node counts
// by op and by fusion class, estimated FLOPs, and bytes moved if every node ran
// as its own kernel (each input read once, each output written once) — the
// traffic that fusion and the graph passes try to cut.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/passes/pass.h"

namespace weft::graph {

struct GraphStats {
  size_t nodes = 0;
  std::map<std::string, size_t> by_op;
  std::map<std::string, size_t> by_fusion_class;
  double flops = 0;
  double bytes = 0;
};

// Estimated floating-point operations of one node: 2·M·N·K for GEMMs and
// convolutions, 2·nnz·cols for SpMM, a few per element for softmax and norms,
// one per element for elementwise ops and reductions, none for layout ops.
double node_flops(const Graph& graph, const Node& node);
GraphStats graph_stats(const Graph& graph);

struct OptimisedGraph {
  Graph graph;
  GraphStats before, after;
  std::vector<PassReport> passes;
};

// Runs `passes` on `graph` and measures both ends: what `weft graph` prints.
OptimisedGraph optimise_graph(const Graph& graph, const std::vector<std::string>& passes);

}  // namespace weft::graph
