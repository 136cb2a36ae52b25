// The first step of the partitioner: components of the graph joined by fusible
// edges, and each component as a padded Problem against the kernels chosen so far
// (neighbour kernels as fixed units, edges between them rebuilt from the paths that
// run outside the component).
#pragma once

#include <vector>

#include "partition/fusion_rules.h"
#include "partition/problem.h"

namespace weft::partition {

// Kernels chosen so far: every node starts alone; a solved component's kernels take
// the id of their first node, so ids stay unique.
class KernelState {
 public:
  KernelState(const Graph& graph, const FusionRules& rules);
  int kernel(NodeId node) const { return kernel_of_[node]; }
  const std::vector<int>& kernel_of() const { return kernel_of_; }
  // Assigns the nodes of a component to the kernels of `local` (indices of `nodes`).
  void assign(const std::vector<NodeId>& nodes, const std::vector<int>& local);

  const FusionRules& rules() const { return rules_; }
  const std::vector<int>& out_edges(NodeId n) const { return out_[n]; }
  const std::vector<int>& in_edges(NodeId n) const { return in_[n]; }
  const std::vector<NodeId>& members(int kernel) const { return members_[kernel]; }

 private:
  const FusionRules& rules_;
  std::vector<int> kernel_of_;
  std::vector<std::vector<NodeId>> members_;
  std::vector<std::vector<int>> out_, in_;
};

// Nodes joined by fusible edges, each component in node order, components ordered
// by their first node; nodes that fuse with nothing are left out.
std::vector<std::vector<NodeId>> fusion_components(size_t num_nodes, const FusionRules& rules);

// A component of more than `max_nodes` nodes cut in node order into windows of at
// most `max_nodes`, each window split into its pieces joined by fusible edges
// (single nodes dropped). Sound because every piece is solved against the kernels
// already chosen; what is lost is fusion across a window's edge.
std::vector<std::vector<NodeId>> split_component(const std::vector<NodeId>& nodes, size_t max_nodes,
                                                 const FusionRules& rules);

struct PaddedComponent {
  Problem problem;   // units: the component's nodes in order, then the pads
  size_t pads = 0;
};

PaddedComponent pad_component(const std::vector<NodeId>& nodes, const KernelState& state);

// The whole graph as one Problem (units = nodes): what the greedy baseline solves.
Problem whole_graph_problem(size_t num_nodes, const FusionRules& rules);

}  // namespace weft::partition
