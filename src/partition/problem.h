// The abstract problem the ILP and the greedy fuser solve: units (graph nodes, or
// fixed neighbour kernels padding a component) and the edges between them with
// their weights and rules. It holds exactly what a solver reads, so its canonical
// text is the key of the solution cache: two components with the same text get the
// same solution, mapped back unit by unit.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace weft::partition {

struct Unit {
  bool fixed = false;  // a neighbour kernel: its own kernel, never fused here
  bool main = false;   // a main op: at most one per kernel
  bool rng = false;    // must share a kernel with at least one fusible consumer
};

struct Edge {
  int from = -1, to = -1;
  int64_t bytes = 0;
  bool fusible = false;
  bool forced = false;  // must be fused (a view with its producer)
};

struct Problem {
  std::vector<Unit> units;
  std::vector<Edge> edges;  // every dependence, including rebuilt paths between fixed units
  std::vector<std::pair<int, int>> exclusive;  // edge pairs that cannot both be fused
  // Values all of whose readers are in the problem: written to memory (bytes) unless
  // every reading edge is fused. Values read elsewhere too are written anyway.
  struct Value {
    int64_t bytes = 0;
    std::vector<int> edges;
  };
  std::vector<Value> values;

  // Canonical text: units and edges by index, in order. Equal text, equal problem.
  std::string canonical() const;
};

// A solution: the kernel of every unit (0-based, dense; fixed units alone in theirs).
struct Assignment {
  std::vector<int> kernel_of;
  int num_kernels = 0;
};

// Kernel ids renumbered densely in order of first appearance.
Assignment normalise(std::vector<int> kernel_of);
// The objective: bytes of edges inside kernels minus bytes of values written out.
int64_t fused_bytes(const Problem& problem, const Assignment& assignment);
// Empty when the assignment keeps every rule of `problem` (one main op per kernel,
// fixed units alone, forced and exclusive edges, RNG with a consumer, no
// never-fusible edge inside a kernel, acyclic kernel graph); else what is broken.
std::string check_assignment(const Problem& problem, const Assignment& assignment);

}  // namespace weft::partition
