// Small helpers the rewriting passes share: looking at the producer of a value in
// the graph being built, and emitting scalar constants.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace weft::graph {

// A copy of the node producing `v` in `g` (copies: adding nodes moves the node
// list), or nullopt for graph inputs.
std::optional<Node> producer_of(const Graph& g, ValueId v);
// Whether `v` is produced by an `op` node.
bool produced_by(const Graph& g, ValueId v, const std::string& op);
// The fill value of `v` when a `full` node produces it.
std::optional<double> full_value(const Graph& g, ValueId v);
// Adds full() {shape, value, dtype}.
ValueId add_full(Graph& g, const Shape& shape, double value, DType dtype, const std::string& name);
// Axes attribute of a reduction node, normalised against `rank` (empty = all).
std::vector<int64_t> reduced_axes(const Node& node, int64_t rank);
// `shape` padded with leading 1s to `rank` (numpy broadcasting aligns on the right).
Shape right_aligned(const Shape& shape, size_t rank);
// dtype name for the dtype attribute of full, one_hot, dropout_mask.
std::string dtype_attr(DType dtype);

}  // namespace weft::graph
