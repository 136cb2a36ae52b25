// What evaluating and measuring a candidate share: the random arguments of a
// workload and the check of a candidate's outputs against the reference's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/ndarray.h"
#include "ir/stmt.h"

namespace weft::runtime {

// One random array per parameter of `func` (outputs included), drawn from `seed`.
std::vector<ir::NDArray> random_arguments(const ir::PrimFunc& func, uint64_t seed);
std::vector<ir::NDArray*> pointers(std::vector<ir::NDArray>& arrays);

struct OutputMismatch {
  std::string param;    // the output parameter of `func` that differs
  std::string message;  // how (ir::compare's message)
};
// The first of the last `num_outputs` arrays of `actual` that differs from
// `expected`; nullopt when they agree.
std::optional<OutputMismatch> output_mismatch(const ir::PrimFunc& func, int num_outputs,
                                           const std::vector<ir::NDArray>& expected,
                                           const std::vector<ir::NDArray>& actual);

}  // namespace weft::runtime
