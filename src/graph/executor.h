// The reference executor: runs a whole graph on the host with the ops' reference
// kernels, in the graph's own dtypes (f32 graphs compute in float, f64 in double).
// Every faster path is checked against it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/tensor.h"

namespace weft::graph {

using TensorMap = std::map<std::string, Tensor>;

// Feeds every graph input by name (type must match exactly) and returns the graph
// outputs by name. Missing, unknown or mistyped feeds throw UsageError; bad data
// found by a kernel (an index out of range, ...) throws RuntimeError naming the node.
// Intermediate tensors are released after their last use.
TensorMap execute(const Graph& graph, const TensorMap& feeds);

// Like execute, but keeps and returns every value, indexed by ValueId.
std::vector<Tensor> execute_all(const Graph& graph, const TensorMap& feeds);

// Random feeds for every input: floats uniform in [-1, 1); i64 inputs uniform in
// [0, bound) where bound comes from `index_bounds` by input name (UsageError if absent).
TensorMap random_feeds(const Graph& graph, Rng& rng, const std::map<std::string, int64_t>& index_bounds = {});

}  // namespace weft::graph
