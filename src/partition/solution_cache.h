// Solutions of padded components keyed by the component's canonical problem text
// (problem.h), so repeated layers are solved once. A hit hands back the solution of
// the first component with the same text; the caller maps it onto its own units by
// position, which is sound because equal text means an equal problem.
#pragma once

#include <string>
#include <unordered_map>

#include "partition/problem.h"

namespace weft::partition {

struct CachedSolution {
  Assignment assignment;
  int columns = 0, rows = 0, binaries = 0;  // size of the ILP that found it
};

class SolutionCache {
 public:
  const CachedSolution* find(const std::string& canonical) const {
    auto it = solutions_.find(canonical);
    if (it == solutions_.end()) return nullptr;
    ++hits_;
    return &it->second;
  }
  void insert(const std::string& canonical, CachedSolution solution) {
    solutions_.emplace(canonical, std::move(solution));
  }
  size_t size() const { return solutions_.size(); }
  size_t hits() const { return hits_; }

 private:
  std::unordered_map<std::string, CachedSolution> solutions_;
  mutable size_t hits_ = 0;
};

}  // namespace weft::partition
