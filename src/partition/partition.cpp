#include "partition/partition.h"

#include <chrono>
#include <map>
#include <queue>
#include <set>

#include "partition/component.h"
#include "partition/greedy.h"
#include "partition/validate.h"
#include "support/error.h"
#include "support/hash.h"
#include "support/log.h"

namespace weft::partition {

std::vector<std::vector<NodeId>> Partition::kernels() const {
  std::vector<std::vector<NodeId>> out(num_kernels);
  for (size_t i = 0; i < kernel_of.size(); ++i) out[kernel_of[i]].push_back(static_cast<NodeId>(i));
  return out;
}

std::string_view component_method_name(ComponentMethod method) {
  switch (method) {
    case ComponentMethod::ilp: return "ilp";
    case ComponentMethod::cached: return "cached";
    case ComponentMethod::greedy_time_limit: return "greedy (ILP time limit)";
    case ComponentMethod::greedy_infeasible: return "greedy (ILP infeasible)";
  }
  return "?";
}

Partition make_partition(const Graph& graph, const std::vector<int>& kernel_of) {
  const size_t n = graph.nodes().size();
  if (kernel_of.size() != n) throw InternalError("a partition of " + graph.name() + " covers " +
                                                 std::to_string(kernel_of.size()) + " of " + std::to_string(n) + " nodes");
  // Kahn's algorithm on kernels, smallest first node first.
  std::map<int, NodeId> first;
  for (size_t i = 0; i < n; ++i) first.emplace(kernel_of[i], static_cast<NodeId>(i));
  std::map<int, std::set<int>> succ;
  std::map<int, int> indegree;
  for (const auto& [k, f] : first) indegree[k] = 0;
  for (size_t v = 0; v < n; ++v)
    for (graph::ValueId in : graph.nodes()[v].inputs) {
      NodeId p = graph.value(in).producer;
      if (p < 0 || kernel_of[p] == kernel_of[v]) continue;
      if (succ[kernel_of[p]].insert(kernel_of[v]).second) ++indegree[kernel_of[v]];
    }
  std::priority_queue<std::pair<NodeId, int>, std::vector<std::pair<NodeId, int>>, std::greater<>> ready;
  for (const auto& [k, d] : indegree)
    if (d == 0) ready.emplace(first.at(k), k);
  std::map<int, int> order;
  while (!ready.empty()) {
    int k = ready.top().second;
    ready.pop();
    order[k] = static_cast<int>(order.size());
    for (int t : succ[k])
      if (--indegree[t] == 0) ready.emplace(first.at(t), t);
  }
  if (order.size() != first.size()) {
    std::string names;
    for (const auto& [k, d] : indegree)
      if (d > 0 && names.size() < 200) names += (names.empty() ? "" : ", ") + graph.node(first.at(k)).name;
    throw InternalError("the kernel graph of " + graph.name() + " has a cycle through the kernels of " + names);
  }
  Partition p;
  p.num_kernels = static_cast<int>(order.size());
  for (int k : kernel_of) p.kernel_of.push_back(order.at(k));
  return p;
}

Partition one_kernel_per_op(const Graph& graph) {
  std::vector<int> k(graph.nodes().size());
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<int>(i);
  return make_partition(graph, k);
}

Partition greedy_partition(const Graph& graph) {
  FusionRules rules = analyse_fusion(graph);
  Assignment a = greedy_fusion(whole_graph_problem(graph.nodes().size(), rules));
  Partition p = make_partition(graph, a.kernel_of);
  validate_partition(graph, p);
  return p;
}

PartitionResult partition_graph(const Graph& graph, const PartitionOptions& options, SolutionCache* cache) {
  auto start = std::chrono::steady_clock::now();
  SolutionCache local_cache;
  if (!cache) cache = &local_cache;
  size_t hits_before = cache->hits();
  FusionRules rules = analyse_fusion(graph);
  KernelState state(graph, rules);
  PartitionResult result;
  result.singletons = graph.nodes().size();
  auto solve_piece = [&](const std::vector<NodeId>& nodes, bool window) {
    PaddedComponent padded = pad_component(nodes, state);
    std::string key = padded.problem.canonical();
    ComponentReport report;
    report.nodes = nodes.size();
    report.pads = padded.pads;
    report.edges = padded.problem.edges.size();
    report.key = hash_hex(stable_hash(key));
    report.first_node = graph.node(nodes.front()).name;
    report.window = window;
    Assignment solution;
    if (const CachedSolution* hit = options.use_cache ? cache->find(key) : nullptr) {
      solution = hit->assignment;
      report.method = ComponentMethod::cached;
      std::tie(report.columns, report.rows, report.binaries) = std::tie(hit->columns, hit->rows, hit->binaries);
    } else {
      IlpResult ilp = solve_ilp(padded.problem, options.ilp);
      ++result.ilp_solves;
      report.columns = ilp.columns;
      report.rows = ilp.rows;
      report.binaries = ilp.binaries;
      report.seconds = ilp.seconds;
      if (ilp.status == IlpStatus::optimal) {
        solution = ilp.assignment;
        cache->insert(key, CachedSolution{solution, ilp.columns, ilp.rows, ilp.binaries});
      } else {
        logger()->warn("partition: component at {} ({} nodes): ILP {}, using greedy fusion", report.first_node,
                       nodes.size(), ilp_status_name(ilp.status));
        solution = greedy_fusion(padded.problem);
        report.method = ilp.status == IlpStatus::time_limit ? ComponentMethod::greedy_time_limit
                                                            : ComponentMethod::greedy_infeasible;
        ++result.greedy_fallbacks;
      }
    }
    std::vector<int> local(solution.kernel_of.begin(), solution.kernel_of.begin() + nodes.size());
    report.kernels = static_cast<int>(std::set<int>(local.begin(), local.end()).size());
    state.assign(nodes, local);
    result.components.push_back(std::move(report));
  };

  for (const std::vector<NodeId>& c : fusion_components(graph.nodes().size(), rules)) {
    result.singletons -= c.size();
    std::vector<std::vector<NodeId>> pieces = split_component(c, options.max_ilp_nodes, rules);
    bool cut = options.max_ilp_nodes && c.size() > options.max_ilp_nodes;
    if (!cut) {
      solve_piece(c, false);
      continue;
    }
    // Windows lose fusion across their edges: keep greedy fusion of the whole
    // component instead when it keeps more bytes.
    ++result.windowed;
    PaddedComponent whole = pad_component(c, state);
    Assignment greedy = greedy_fusion(whole.problem);
    for (const std::vector<NodeId>& piece : pieces) solve_piece(piece, true);
    std::vector<int> windows(whole.problem.units.size());
    for (size_t i = 0; i < windows.size(); ++i)
      windows[i] = i < c.size() ? state.kernel(c[i]) : static_cast<int>(graph.nodes().size() + i);
    if (fused_bytes(whole.problem, greedy) > fused_bytes(whole.problem, normalise(windows))) {
      state.assign(c, std::vector<int>(greedy.kernel_of.begin(), greedy.kernel_of.begin() + c.size()));
      ++result.windows_replaced_by_greedy;
    }
  }
  result.cache_hits = cache->hits() - hits_before;
  result.partition = make_partition(graph, state.kernel_of());
  validate_partition(graph, result.partition);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace weft::partition
