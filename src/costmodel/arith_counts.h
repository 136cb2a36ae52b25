// Operation counts of one execution of a store: its value and every index
// expression (of the store and of the loads inside), by kind.
#pragma once

#include <array>

#include "costmodel/feature_layout.h"
#include "ir/stmt.h"

namespace weft::costmodel {

// Indexed by layout::Arith (kFloatFlops is the sum of the float arithmetic kinds).
using ArithCounts = std::array<double, layout::kNumArith>;

ArithCounts count_arith(const ir::BufferStoreNode& store);

}  // namespace weft::costmodel
