#include "partition/problem.h"

#include <algorithm>
#include <map>
#include <queue>
#include <set>

namespace weft::partition {

std::string Problem::canonical() const {
  std::string s = "units:";
  for (const Unit& u : units) s += u.fixed ? 'F' : u.main ? 'M' : u.rng ? 'R' : 'n';
  s += "\nedges:";
  for (const Edge& e : edges)
    s += " " + std::to_string(e.from) + ">" + std::to_string(e.to) + ":" + std::to_string(e.bytes) +
         (e.forced ? "!" : e.fusible ? "+" : "-");
  s += "\nexclusive:";
  for (const auto& [a, b] : exclusive) s += " " + std::to_string(a) + "|" + std::to_string(b);
  s += "\nvalues:";
  for (const Value& v : values) {
    s += " " + std::to_string(v.bytes) + "@";
    for (int e : v.edges) s += std::to_string(e) + ",";
  }
  return s;
}

Assignment normalise(std::vector<int> kernel_of) {
  std::map<int, int> dense;
  for (int& k : kernel_of) {
    auto [it, inserted] = dense.emplace(k, static_cast<int>(dense.size()));
    k = it->second;
  }
  return {std::move(kernel_of), static_cast<int>(dense.size())};
}

int64_t fused_bytes(const Problem& problem, const Assignment& a) {
  int64_t total = 0;
  for (const Edge& e : problem.edges)
    if (a.kernel_of[e.from] == a.kernel_of[e.to]) total += e.bytes;
  for (const Problem::Value& v : problem.values)
    for (int e : v.edges)
      if (a.kernel_of[problem.edges[e].from] != a.kernel_of[problem.edges[e].to]) {
        total -= v.bytes;
        break;
      }
  return total;
}

std::string check_assignment(const Problem& p, const Assignment& a) {
  const int n = static_cast<int>(p.units.size());
  if (static_cast<int>(a.kernel_of.size()) != n) return "assignment covers " + std::to_string(a.kernel_of.size()) +
                                                        " of " + std::to_string(n) + " units";
  auto unit = [](int i) { return "unit " + std::to_string(i); };
  std::vector<int> mains(a.num_kernels, 0), sizes(a.num_kernels, 0);
  for (int i = 0; i < n; ++i) {
    int k = a.kernel_of[i];
    if (k < 0 || k >= a.num_kernels) return unit(i) + " has no kernel";
    mains[k] += p.units[i].main;
    ++sizes[k];
    if (mains[k] > 1) return "kernel " + std::to_string(k) + " holds two main ops (" + unit(i) + ")";
  }
  for (int i = 0; i < n; ++i)
    if (p.units[i].fixed && sizes[a.kernel_of[i]] != 1) return "fixed " + unit(i) + " shares its kernel";
  auto inside = [&](const Edge& e) { return a.kernel_of[e.from] == a.kernel_of[e.to]; };
  std::vector<int> rng_state(n, 0);  // 0: no fusible consumer, 1: none fused, 2: fused with one
  for (const Edge& e : p.edges) {
    if (inside(e) && !e.fusible) return "edge " + unit(e.from) + " -> " + unit(e.to) + " may not be fused";
    if (e.forced && !inside(e)) return "edge " + unit(e.from) + " -> " + unit(e.to) + " must be fused";
    if (p.units[e.from].rng && e.fusible) rng_state[e.from] = std::max(rng_state[e.from], inside(e) ? 2 : 1);
  }
  for (int i = 0; i < n; ++i)
    if (rng_state[i] == 1) return "RNG " + unit(i) + " is with none of its consumers";
  for (const auto& [x, y] : p.exclusive)
    if (inside(p.edges[x]) && inside(p.edges[y]))
      return "edges " + std::to_string(x) + " and " + std::to_string(y) + " are both fused (folded permute)";
  // The kernel graph must be acyclic (Kahn's algorithm).
  std::vector<std::set<int>> succ(a.num_kernels);
  std::vector<int> indegree(a.num_kernels, 0);
  for (const Edge& e : p.edges) {
    int s = a.kernel_of[e.from], t = a.kernel_of[e.to];
    if (s != t && succ[s].insert(t).second) ++indegree[t];
  }
  std::queue<int> ready;
  for (int k = 0; k < a.num_kernels; ++k)
    if (indegree[k] == 0) ready.push(k);
  int done = 0;
  for (; !ready.empty(); ready.pop(), ++done)
    for (int t : succ[ready.front()])
      if (--indegree[t] == 0) ready.push(t);
  if (done != a.num_kernels) return "the kernel graph has a cycle";
  return "";
}

}  // namespace weft::partition
