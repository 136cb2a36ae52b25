#include "partition/component.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

namespace weft::partition {

KernelState::KernelState(const Graph& graph, const FusionRules& rules)
    : rules_(rules), kernel_of_(graph.nodes().size()), members_(graph.nodes().size()), out_(graph.nodes().size()),
      in_(graph.nodes().size()) {
  std::iota(kernel_of_.begin(), kernel_of_.end(), 0);
  for (size_t i = 0; i < kernel_of_.size(); ++i) members_[i] = {static_cast<NodeId>(i)};
  for (size_t e = 0; e < rules.edges.size(); ++e) {
    out_[rules.edges[e].from].push_back(static_cast<int>(e));
    in_[rules.edges[e].to].push_back(static_cast<int>(e));
  }
}

void KernelState::assign(const std::vector<NodeId>& nodes, const std::vector<int>& local) {
  std::map<int, int> id_of_local;  // local kernel -> its first node's id
  for (size_t i = 0; i < nodes.size(); ++i) id_of_local.emplace(local[i], nodes[i]);
  for (NodeId n : nodes) members_[kernel_of_[n]].clear();
  for (size_t i = 0; i < nodes.size(); ++i) {
    int k = id_of_local.at(local[i]);
    kernel_of_[nodes[i]] = k;
    members_[k].push_back(nodes[i]);
  }
}

std::vector<std::vector<NodeId>> fusion_components(size_t n, const FusionRules& rules) {
  std::vector<int> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  for (const GraphEdge& e : rules.edges)
    if (e.fusible) parent[find(e.from)] = find(e.to);
  std::map<int, std::vector<NodeId>> by_root;
  for (size_t i = 0; i < n; ++i) by_root[find(static_cast<int>(i))].push_back(static_cast<NodeId>(i));
  std::vector<std::vector<NodeId>> out;
  for (auto& [root, nodes] : by_root)
    if (nodes.size() > 1) out.push_back(std::move(nodes));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.front() < b.front(); });
  return out;
}

std::vector<std::vector<NodeId>> split_component(const std::vector<NodeId>& nodes, size_t max_nodes,
                                                 const FusionRules& rules) {
  if (max_nodes == 0 || nodes.size() <= max_nodes) return {nodes};
  std::vector<std::vector<NodeId>> pieces;
  for (size_t begin = 0; begin < nodes.size(); begin += max_nodes) {
    std::vector<NodeId> window(nodes.begin() + begin, nodes.begin() + std::min(nodes.size(), begin + max_nodes));
    std::map<NodeId, int> index;
    for (size_t i = 0; i < window.size(); ++i) index.emplace(window[i], static_cast<int>(i));
    std::vector<int> parent(window.size());
    std::iota(parent.begin(), parent.end(), 0);
    auto find = [&](int i) {
      while (parent[i] != i) i = parent[i] = parent[parent[i]];
      return i;
    };
    for (const GraphEdge& e : rules.edges)
      if (e.fusible && index.count(e.from) && index.count(e.to)) parent[find(index.at(e.from))] = find(index.at(e.to));
    std::map<int, std::vector<NodeId>> by_root;
    for (size_t i = 0; i < window.size(); ++i) by_root[find(static_cast<int>(i))].push_back(window[i]);
    std::vector<std::vector<NodeId>> found;
    for (auto& [root, piece] : by_root)
      if (piece.size() > 1) found.push_back(std::move(piece));
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.front() < b.front(); });
    for (auto& piece : found) pieces.push_back(std::move(piece));
  }
  return pieces;
}

PaddedComponent pad_component(const std::vector<NodeId>& nodes, const KernelState& state) {
  const FusionRules& rules = state.rules();
  std::map<NodeId, int> local;
  for (size_t i = 0; i < nodes.size(); ++i) local.emplace(nodes[i], static_cast<int>(i));
  PaddedComponent out;
  Problem& p = out.problem;
  for (NodeId n : nodes) p.units.push_back(Unit{false, rules.is_main[n], rules.is_rng[n]});

  // Pads: neighbour kernels in order of first contact.
  std::map<int, int> pad_of_kernel;
  std::vector<int> pad_kernels;
  auto pad = [&](NodeId other) {
    int k = state.kernel(other);
    auto [it, inserted] = pad_of_kernel.emplace(k, static_cast<int>(p.units.size()));
    if (inserted) {
      p.units.push_back(Unit{true, false, false});
      pad_kernels.push_back(k);
    }
    return it->second;
  };
  std::map<int, int> local_edge;  // graph edge -> problem edge (inside the component)
  std::set<std::pair<int, int>> boundary;
  for (NodeId n : nodes) {
    for (int e : state.in_edges(n)) {
      const GraphEdge& g = rules.edges[e];
      if (local.count(g.from)) {
        local_edge[e] = static_cast<int>(p.edges.size());
        p.edges.push_back(Edge{local.at(g.from), local.at(n), g.bytes, g.fusible, g.forced});
      } else {
        boundary.emplace(pad(g.from), local.at(n));
      }
    }
    for (int e : state.out_edges(n))
      if (!local.count(rules.edges[e].to)) boundary.emplace(local.at(n), pad(rules.edges[e].to));
  }
  for (const auto& [a, b] : boundary) p.edges.push_back(Edge{a, b, 0, false, false});
  out.pads = pad_kernels.size();

  // Rebuilt edges: pad P -> pad Q when a path from P's kernel reaches Q's kernel
  // without passing through the component (walking whole kernels).
  if (pad_kernels.size() > 1) {
    std::vector<int> visited;
    std::set<int> seen;
    for (size_t pi = 0; pi < pad_kernels.size(); ++pi) {
      seen.clear();
      std::vector<int> stack{pad_kernels[pi]};
      seen.insert(pad_kernels[pi]);
      while (!stack.empty()) {
        int k = stack.back();
        stack.pop_back();
        for (NodeId m : state.members(k))
          for (int e : state.out_edges(m)) {
            NodeId t = rules.edges[e].to;
            if (local.count(t)) continue;
            int tk = state.kernel(t);
            if (seen.insert(tk).second) stack.push_back(tk);
          }
      }
      for (size_t qi = 0; qi < pad_kernels.size(); ++qi)
        if (qi != pi && seen.count(pad_kernels[qi]))
          p.edges.push_back(Edge{static_cast<int>(nodes.size() + pi), static_cast<int>(nodes.size() + qi), 0, false,
                                 false});
    }
  }
  for (const auto& [a, b] : rules.exclusive)
    if (local_edge.count(a) && local_edge.count(b)) p.exclusive.emplace_back(local_edge.at(a), local_edge.at(b));
  // Values whose producer is in the component and whose readers are all in it too
  // (the rest are written anyway), in the order of their producer.
  std::vector<std::pair<int, Problem::Value>> values;
  for (const ValueReaders& v : rules.values) {
    if (!local.count(rules.edges[v.edges.front()].from)) continue;
    Problem::Value pv{v.bytes, {}};
    for (int e : v.edges)
      if (local_edge.count(e)) pv.edges.push_back(local_edge.at(e));
    if (pv.edges.size() == v.edges.size()) values.emplace_back(pv.edges.front(), std::move(pv));
  }
  std::stable_sort(values.begin(), values.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [first, v] : values) p.values.push_back(std::move(v));
  return out;
}

Problem whole_graph_problem(size_t n, const FusionRules& rules) {
  Problem p;
  for (size_t i = 0; i < n; ++i) p.units.push_back(Unit{false, rules.is_main[i], rules.is_rng[i]});
  for (const GraphEdge& e : rules.edges) p.edges.push_back(Edge{e.from, e.to, e.bytes, e.fusible, e.forced});
  p.exclusive = rules.exclusive;
  for (const ValueReaders& v : rules.values) p.values.push_back(Problem::Value{v.bytes, v.edges});
  return p;
}

}  // namespace weft::partition
