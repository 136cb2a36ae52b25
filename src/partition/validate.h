// Validation of every partition weft produces: each kernel holds at most one main
// op and no edge the fusion rules forbid, each kernel is convex (no path leaves it
// and comes back), and the kernel graph is acyclic. A violation is a bug in the
// partitioner: InternalError naming the offending nodes.
#pragma once

#include "partition/partition.h"

namespace weft::partition {

void validate_partition(const Graph& graph, const Partition& partition);

}  // namespace weft::partition
