// Task extraction: each kernel of a partition becomes a task, the fused subgraph
// with its shapes (inputs: the values it reads from other kernels or the graph;
// outputs: the values other kernels or the graph read). Identical tasks (equal
// canonical text: ops, attributes but RNG seeds, types and wiring, names ignored)
// are deduplicated by a stable hash of that text, their count kept as weight.
#pragma once

#include <string>
#include <vector>

#include "graph/executor.h"
#include "partition/partition.h"

namespace weft::partition {

// The subgraph of one kernel; its values keep the names they have in `graph`.
Graph kernel_graph(const Graph& graph, const Partition& partition, int kernel);

// Canonical text of a kernel's subgraph: what makes two tasks the same.
std::string task_text(const Graph& kernel);

struct Task {
  std::string hash;          // 16 hex digits of the stable hash of task_text
  Graph graph;               // the first kernel with this text
  int weight = 0;            // how many kernels share it
  std::vector<int> kernels;  // their ids
  std::string main_op;       // the main op's op name, or "" for a kernel without one
};

// Tasks in order of their first kernel.
std::vector<Task> extract_tasks(const Graph& graph, const Partition& partition);

// Runs the graph kernel by kernel (each kernel's subgraph on the reference
// executor, in kernel order) and returns the graph outputs by name: the same
// result as graph::execute when the partition is sound.
graph::TensorMap execute_by_kernel(const Graph& graph, const Partition& partition, const graph::TensorMap& feeds);

}  // namespace weft::partition
