// The measurer of one tuning task on the tuner's target: the CPU measurer for a
// cpu target; for a cuda target the GPU measurer on the local GPU, whose compiler
// also checks what ptxas reports (registers, spills, memory) against the arch's
// limits, so an over-limit candidate is a build error rather than a launch failure.
#pragma once

#include <functional>
#include <vector>

#include "ir/workload.h"
#include "runtime/cuda_measure.h"
#include "runtime/measure.h"
#include "support/target.h"

namespace weft::search {

using TaskMeasurer = std::function<std::vector<runtime::MeasureResult>(const std::vector<ir::PrimFunc>&)>;

// UsageError for a backend that cannot be measured here, or a cuda target whose
// arch is not the local GPU's; NoGpuError (runtime/cuda_driver.h) for a cuda
// target on a machine without a usable GPU.
TaskMeasurer make_task_measurer(const ir::Workload& workload, const Target& target,
                                const runtime::MeasureConfig& cpu, const runtime::CudaMeasureConfig& cuda);

// NVRTC compilation followed by verify_compiled_resources with `target`'s limits.
runtime::CudaCompiler verified_cuda_compiler(const Target& target);

}  // namespace weft::search
