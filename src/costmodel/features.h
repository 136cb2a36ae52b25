// Per-store features of a scheduled program: one row of num_features() values per
// BufferStore (feature_layout.h lists them), in program order. Deterministic: the
// same program always gives the same rows.
#pragma once

#include <vector>

#include "costmodel/feature_layout.h"
#include "ir/stmt.h"

namespace weft::costmodel {

using StoreFeatures = std::vector<float>;            // num_features() values
using ProgramFeatures = std::vector<StoreFeatures>;  // one per store

ProgramFeatures extract_features(const ir::PrimFunc& func);

}  // namespace weft::costmodel
