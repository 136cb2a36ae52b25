#include "search/task_measurer.h"

#include <memory>

#include "search/postprocess_gpu.h"
#include "support/error.h"

namespace weft::search {

runtime::CudaCompiler verified_cuda_compiler(const Target& target) {
  return [limits = gpu_limits(target), compile = runtime::nvrtc_compiler()](const ir::PrimFunc& candidate,
                                                                            const std::string& arch) {
    runtime::CudaBinary binary = compile(candidate, arch);
    // Per kernel, so that a failure names the kernel of a split program.
    std::vector<codegen::CudaLaunch> launches = binary.kernel.kernel_launches();
    if (binary.kernel_resources.size() != launches.size())
      verify_compiled_resources(binary.kernel.name, binary.resources, limits);
    for (size_t k = 0; k < launches.size() && k < binary.kernel_resources.size(); ++k)
      verify_compiled_resources(launches[k].name, binary.kernel_resources[k], limits);
    return binary;
  };
}

TaskMeasurer make_task_measurer(const ir::Workload& workload, const Target& target,
                                const runtime::MeasureConfig& cpu, const runtime::CudaMeasureConfig& cuda) {
  if (target.backend == "cpu") {
    auto measurer = std::make_shared<runtime::CpuMeasurer>(workload, cpu);
    return [measurer](const std::vector<ir::PrimFunc>& funcs) { return measurer->measure(funcs); };
  }
  if (target.backend == "cuda") {
    auto measurer = std::make_shared<runtime::CudaMeasurer>(workload, cuda, verified_cuda_compiler(target));
    // Timings are only meaningful on the GPU the records will be filed under.
    Target local = measurer->target();
    if (local.arch != target.arch)
      throw UsageError("target '" + target.key() + "': the local GPU is " + local.key() +
                       "; tune for its arch (--target cuda) or on a machine with a " + target.arch + " GPU");
    return [measurer](const std::vector<ir::PrimFunc>& funcs) { return measurer->measure(funcs); };
  }
  throw UsageError("target '" + target.key() + "': backend '" + target.backend + "' cannot be tuned");
}

}  // namespace weft::search
