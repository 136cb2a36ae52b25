// Which edges of a graph may ever lie inside one kernel. The partitioner works on
// node-to-node edges (all values a producer hands one consumer, bytes summed) and
// asks these rules, derived from each op's fusion class, what it may fuse:
//   - nothing fuses into a main op's operands, except a permute feeding a GEMM,
//     which is folded into its operand (then the permute's own input stays outside);
//   - reductions and statistics end a kernel: a value produced by a reduction
//     (layernorm mean/var, batchnorm statistics, column sums, ...) or computed only
//     from such values and constants (rstd = 1/sqrt(var+eps)) is consumed outside
//     its kernel, except by nodes that only finish statistics;
//   - a view (reshape, slice) stays with its producer; an RNG op (dropout_mask)
//     stays with at least one of its consumers;
//   - an edge u→v is never fusible when another path u⇝v crosses an edge that is
//     never fusible: a kernel holding u and v must hold the whole path (convexity).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace weft::partition {

using graph::Graph;
using graph::NodeId;

struct GraphEdge {
  NodeId from = -1, to = -1;
  int64_t bytes = 0;      // bytes of the values `from` hands `to`
  bool fusible = false;   // may lie inside a kernel
  bool forced = false;    // must lie inside a kernel (a view with its producer)
};

// A value whose every reader is a node: written to memory unless all its reading
// edges are fused (graph outputs are always written and are left out).
struct ValueReaders {
  int64_t bytes = 0;
  std::vector<int> edges;  // indices into FusionRules::edges, one per reading node
};

struct FusionRules {
  std::vector<GraphEdge> edges;                   // sorted by (to, from)
  std::vector<bool> is_main;                      // per node
  std::vector<bool> is_rng;                       // per node: stays with a consumer
  // Pairs of edge indices that cannot both be fused: a permute folded into a GEMM
  // operand keeps its own input outside the GEMM's kernel.
  std::vector<std::pair<int, int>> exclusive;
  std::vector<ValueReaders> values;
  // Why each never-fusible edge is so (same index as `edges`; empty when fusible).
  std::vector<std::string> reason;
};

// Bytes of a value of this type (numel × element size).
int64_t type_bytes(const graph::TensorType& type);

FusionRules analyse_fusion(const Graph& graph);

// Whether the op folds a permute into its operand layout (matmul, batch_matmul).
bool is_gemm(const std::string& op);

}  // namespace weft::partition
