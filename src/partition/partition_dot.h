// Graphviz DOT of a partition: one filled cluster per kernel of more than one node,
// coloured by kernel (a 12-colour cycle), main ops bold; graph inputs as ellipses.
#pragma once

#include <string>

#include "partition/partition.h"

namespace weft::partition {

std::string partition_to_dot(const Graph& graph, const Partition& partition);

}  // namespace weft::partition
