// The partitioner: cuts a graph into kernels (fused groups) with at most one main
// op each, maximising the bytes that stay inside kernels (EVT's ILP, DESIGN.md).
//
// Two steps instead of one O(n³) program: the graph splits into components joined
// only by edges that can never be fused (fusion_rules.h), and each component is
// solved on its own, padded with its one-hop neighbours' kernels as fixed
// singletons and edges between those rebuilt from paths outside the component.
// Components are solved in graph order against the kernels already chosen, so the
// rebuilt edges see every path and the whole kernel graph stays acyclic. Solutions
// are cached by the padded component's canonical text (BERT's 24 layers solve
// once); a component whose ILP hits the time limit gets greedy fusion instead. A
// component larger than max_ilp_nodes is solved in windows, or by greedy fusion of
// the whole when that keeps more bytes.
#pragma once

#include <string>
#include <vector>

#include "graph/graph.h"
#include "partition/ilp_solver.h"
#include "partition/solution_cache.h"

namespace weft::partition {

using graph::Graph;
using graph::NodeId;

// Kernel ids are dense and follow a topological order of the kernel graph.
struct Partition {
  std::vector<int> kernel_of;  // per node
  int num_kernels = 0;
  std::vector<std::vector<NodeId>> kernels() const;  // members in node order
};

struct PartitionOptions {
  IlpOptions ilp;
  // Components with more nodes are cut into windows of this many (0: no limit).
  size_t max_ilp_nodes = 32;
  bool use_cache = true;  // false: solve every component (to check the cache against)
};

enum class ComponentMethod { ilp, cached, greedy_time_limit, greedy_infeasible };
std::string_view component_method_name(ComponentMethod method);

struct ComponentReport {
  size_t nodes = 0, pads = 0, edges = 0;
  int columns = 0, rows = 0, binaries = 0;  // of the ILP (also on a cache hit: the cached ILP's size)
  double seconds = 0;                       // solve time (0 on a hit)
  ComponentMethod method = ComponentMethod::ilp;
  int kernels = 0;
  std::string key;  // hash of the canonical problem text
  std::string first_node;
  bool window = false;  // a piece of a component cut into windows
};

struct PartitionResult {
  Partition partition;
  std::vector<ComponentReport> components;  // components of more than one node
  size_t singletons = 0;                    // nodes that fuse with nothing
  size_t ilp_solves = 0, cache_hits = 0, greedy_fallbacks = 0;
  size_t windowed = 0;  // components larger than max_ilp_nodes, cut into windows
  size_t windows_replaced_by_greedy = 0;  // ... where greedy fusion of the whole kept more bytes
  double seconds = 0;  // whole partitioning, analysis included
};

// Validates the result (validate.h) before returning it.
PartitionResult partition_graph(const Graph& graph, const PartitionOptions& options = {},
                                SolutionCache* cache = nullptr);

// Baselines: every node its own kernel; greedy producer-consumer fusion on the whole graph.
Partition one_kernel_per_op(const Graph& graph);
Partition greedy_partition(const Graph& graph);

// Renumbers kernels in topological order of the kernel graph (InternalError on a cycle).
Partition make_partition(const Graph& graph, const std::vector<int>& kernel_of);

}  // namespace weft::partition
