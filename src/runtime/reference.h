// What every measurer checks candidates against: the unscheduled program run on the
// candidates' inputs (by the interpreter, or compiled for the CPU where the
// interpreter would take too long), and that candidates have the workload's parameters.
#pragma once

#include <vector>

#include "ir/ndarray.h"
#include "ir/workload.h"
#include "runtime/cpu_builder.h"

namespace weft::runtime {

// The arguments after the unscheduled program ran on `inputs`: the interpreter up to
// `interpreter_max_flops`, above it the program compiled with `build`.
std::vector<ir::NDArray> reference_arguments(const ir::Workload& workload, const std::vector<ir::NDArray>& inputs,
                                             double interpreter_max_flops, const CpuBuildConfig& build);

// UsageError naming the first candidate without the workload's parameters.
void check_candidate_params(const ir::Workload& workload, const std::vector<ir::PrimFunc>& candidates);

}  // namespace weft::runtime
