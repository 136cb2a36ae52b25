// Bytes crossing kernel boundaries: what a partition makes the device move between
// kernels. A value read by a kernel other than its producer's is written once and
// read once per such kernel; a graph output is written once; graph inputs are read
// once per kernel that reads them.
#pragma once

#include <cstdint>

#include "partition/partition.h"

namespace weft::partition {

int64_t boundary_bytes(const Graph& graph, const Partition& partition);

}  // namespace weft::partition
