#include "partition/validate.h"

#include <queue>
#include <set>

#include "graph/op_registry.h"
#include "partition/fusion_rules.h"
#include "support/error.h"

namespace weft::partition {
namespace {

std::string names(const Graph& g, const std::vector<NodeId>& nodes, size_t limit = 8) {
  std::string s;
  for (size_t i = 0; i < nodes.size() && i < limit; ++i) s += (i ? ", " : "") + g.node(nodes[i]).name;
  if (nodes.size() > limit) s += ", ... (" + std::to_string(nodes.size()) + " nodes)";
  return s;
}

}  // namespace

void validate_partition(const Graph& g, const Partition& p) {
  const size_t n = g.nodes().size();
  auto fail = [&](const std::string& what) { throw InternalError("partition of " + g.name() + ": " + what); };
  if (p.kernel_of.size() != n)
    fail("covers " + std::to_string(p.kernel_of.size()) + " of " + std::to_string(n) + " nodes");
  for (size_t i = 0; i < n; ++i)
    if (p.kernel_of[i] < 0 || p.kernel_of[i] >= p.num_kernels) fail("node " + g.nodes()[i].name + " has no kernel");
  std::vector<std::vector<NodeId>> kernels = p.kernels();

  FusionRules rules = analyse_fusion(g);
  for (const std::vector<NodeId>& members : kernels) {
    std::vector<NodeId> mains;
    for (NodeId m : members)
      if (rules.is_main[m]) mains.push_back(m);
    if (mains.size() > 1) fail("a kernel holds " + std::to_string(mains.size()) + " main ops: " + names(g, mains));
  }
  for (size_t e = 0; e < rules.edges.size(); ++e) {
    const GraphEdge& edge = rules.edges[e];
    if (!edge.fusible && p.kernel_of[edge.from] == p.kernel_of[edge.to])
      fail("nodes " + g.node(edge.from).name + " and " + g.node(edge.to).name + " share a kernel but " +
           rules.reason[e]);
  }

  std::vector<std::vector<NodeId>> succ(n);
  for (const GraphEdge& edge : rules.edges) succ[edge.from].push_back(edge.to);
  // Convexity: walk from each kernel's outside successors; reaching the kernel again
  // means a path leaves it and comes back.
  std::vector<int> seen(n, -1);
  for (int k = 0; k < p.num_kernels; ++k) {
    std::vector<std::pair<NodeId, NodeId>> stack;  // (node, where the path left the kernel)
    for (NodeId m : kernels[k])
      for (NodeId t : succ[m])
        if (p.kernel_of[t] != k && seen[t] != k) seen[t] = k, stack.emplace_back(t, t);
    while (!stack.empty()) {
      auto [u, exit] = stack.back();
      stack.pop_back();
      for (NodeId t : succ[u]) {
        if (p.kernel_of[t] == k)
          fail("kernel {" + names(g, kernels[k]) + "} is not convex: a path leaves it through " + g.node(exit).name +
               " and comes back to " + g.node(t).name);
        if (seen[t] != k) seen[t] = k, stack.emplace_back(t, exit);
      }
    }
  }
  // Acyclicity of the kernel graph.
  std::vector<std::set<int>> kernel_succ(p.num_kernels);
  std::vector<int> indegree(p.num_kernels, 0);
  for (const GraphEdge& edge : rules.edges) {
    int s = p.kernel_of[edge.from], t = p.kernel_of[edge.to];
    if (s != t && kernel_succ[s].insert(t).second) ++indegree[t];
  }
  std::queue<int> ready;
  for (int k = 0; k < p.num_kernels; ++k)
    if (indegree[k] == 0) ready.push(k);
  int done = 0;
  for (; !ready.empty(); ready.pop(), ++done)
    for (int t : kernel_succ[ready.front()])
      if (--indegree[t] == 0) ready.push(t);
  if (done != p.num_kernels) {
    std::vector<NodeId> stuck;
    for (int k = 0; k < p.num_kernels; ++k)
      if (indegree[k] > 0) stuck.push_back(kernels[k].front());
    fail("the kernel graph has a cycle through the kernels of " + names(g, stuck));
  }
}

}  // namespace weft::partition
