#include "partition/greedy.h"

#include <algorithm>
#include <numeric>

#include "support/error.h"

namespace weft::partition {
namespace {

class Merger {
 public:
  explicit Merger(const Problem& p) : p_(p), n_(static_cast<int>(p.units.size())), kernel_(n_), members_(n_),
                                      out_(n_), in_(n_), seen_(n_, 0) {
    std::iota(kernel_.begin(), kernel_.end(), 0);
    for (int i = 0; i < n_; ++i) members_[i] = {i};
    for (size_t e = 0; e < p.edges.size(); ++e) {
      out_[p.edges[e].from].push_back(static_cast<int>(e));
      in_[p.edges[e].to].push_back(static_cast<int>(e));
    }
  }

  bool try_merge(int edge) {
    int a = kernel_[p_.edges[edge].from], b = kernel_[p_.edges[edge].to];
    if (a == b) return true;
    if (!legal(a, b)) return false;
    if (members_[a].size() < members_[b].size()) std::swap(a, b);
    for (int u : members_[b]) kernel_[u] = a;
    members_[a].insert(members_[a].end(), members_[b].begin(), members_[b].end());
    members_[b].clear();
    return true;
  }

  const std::vector<int>& kernels() const { return kernel_; }

 private:
  bool legal(int a, int b) {
    int mains = 0;
    for (int k : {a, b})
      for (int u : members_[k]) {
        if (p_.units[u].fixed) return false;
        mains += p_.units[u].main;
      }
    if (mains > 1) return false;
    // Every edge between the two kernels must be fusible.
    for (int u : members_[a]) {
      for (int e : out_[u])
        if (kernel_[p_.edges[e].to] == b && !p_.edges[e].fusible) return false;
      for (int e : in_[u])
        if (kernel_[p_.edges[e].from] == b && !p_.edges[e].fusible) return false;
    }
    auto inside_after = [&](int e) {
      int s = kernel_[p_.edges[e].from], t = kernel_[p_.edges[e].to];
      return s == t || ((s == a || s == b) && (t == a || t == b));
    };
    for (const auto& [x, y] : p_.exclusive)
      if (inside_after(x) && inside_after(y)) return false;
    return !reaches_through_other(a, b) && !reaches_through_other(b, a);
  }

  // Whether some path leaves kernel `from`, passes another kernel and enters `to`.
  bool reaches_through_other(int from, int to) {
    ++stamp_;
    std::vector<int> stack;
    for (int u : members_[from])
      for (int e : out_[u]) {
        int k = kernel_[p_.edges[e].to];
        if (k != from && k != to && seen_[k] != stamp_) seen_[k] = stamp_, stack.push_back(k);
      }
    while (!stack.empty()) {
      int k = stack.back();
      stack.pop_back();
      for (int u : members_[k])
        for (int e : out_[u]) {
          int t = kernel_[p_.edges[e].to];
          if (t == to) return true;
          if (t != from && seen_[t] != stamp_) seen_[t] = stamp_, stack.push_back(t);
        }
    }
    return false;
  }

  const Problem& p_;
  int n_;
  std::vector<int> kernel_;
  std::vector<std::vector<int>> members_;
  std::vector<std::vector<int>> out_, in_;
  std::vector<int> seen_;
  int stamp_ = 0;
};

}  // namespace

Assignment greedy_fusion(const Problem& p) {
  Merger merger(p);
  std::vector<int> order(p.edges.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return p.edges[x].bytes > p.edges[y].bytes; });
  for (int e : order)
    if (p.edges[e].forced && !merger.try_merge(e))
      throw InternalError("greedy fusion cannot honour the forced edge " + std::to_string(p.edges[e].from) + " -> " +
                          std::to_string(p.edges[e].to));
  std::vector<bool> rng_done(p.units.size(), false);
  for (int e : order) {
    const Edge& edge = p.edges[e];
    if (edge.fusible && p.units[edge.from].rng && !rng_done[edge.from]) rng_done[edge.from] = merger.try_merge(e);
  }
  for (int e : order)
    if (p.edges[e].fusible) merger.try_merge(e);
  Assignment a = normalise(merger.kernels());
  if (std::string broken = check_assignment(p, a); !broken.empty())
    throw InternalError("greedy fusion produced an invalid partition: " + broken);
  return a;
}

}  // namespace weft::partition
