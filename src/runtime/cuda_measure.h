// Measuring candidate programs of one workload on a GPU, as CpuMeasurer does on the
// CPU: emit and compile the batch in this process (NVRTC needs no GPU), then run it in
// a worker process that owns the CUDA context (cuda_worker.h): each candidate's
// outputs are checked against the reference (the interpreter on the unscheduled
// program, same random inputs), then it is timed with CUDA events: warm-up runs,
// `repeats` timed runs each after an L2 flush, median. A run is every kernel of the
// candidate (codegen/cuda_kernel.h) launched in order on one stream, with its scratch
// buffers allocated once per candidate; outputs are checked after the whole run, and
// one pair of events times it. A candidate that fails to
// build, computes a wrong result, faults or hangs is reported with its status; a
// fault or a hang costs a worker restart, not the batch.
//
// Without a usable GPU, measure() throws NoGpuError ("no GPU found: <reason>")
// before building anything: storing every candidate as failed would blame the
// candidates for the machine and poison the tuning database with false failures.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ir/ndarray.h"
#include "ir/workload.h"
#include "runtime/cpu_builder.h"
#include "runtime/measure.h"
#include "runtime/nvrtc_builder.h"
#include "support/target.h"

namespace weft::runtime {

// Emits and compiles one candidate for an arch ("sm_90"); throws a weft Error (a
// BuildError, ...) when it cannot. The binary's cubin may also hold PTX text (ending
// in a NUL), which the driver compiles when loading it.
using CudaCompiler = std::function<CudaBinary(const ir::PrimFunc& candidate, const std::string& arch)>;
// codegen::emit_cuda, then NVRTC (build_cuda).
CudaCompiler nvrtc_compiler();

struct CudaMeasureConfig {
  int device = 0;         // the GPU's ordinal
  int warmup = 1;         // untimed launches after the checked one
  int repeats = 10;       // timed launches; the median is reported
  bool flush_l2 = true;   // overwrite a buffer twice the L2's size before each timed launch
  int build_jobs = 0;     // candidates compiled in parallel; 0: the host's cores
  double run_timeout_s = 20;           // per candidate: loading, checking and timing
  double worker_start_timeout_s = 120; // a fresh worker's cuInit and allocations
  uint64_t input_seed = 0;             // the random inputs of every candidate and the reference
  // Above this many FLOPs the reference is the unscheduled program compiled for the
  // CPU instead of the interpreter (as MeasureConfig::interpreter_max_flops).
  double interpreter_max_flops = 3e8;
  CpuBuildConfig reference_build;
};

class CudaMeasurer {
 public:
  CudaMeasurer(ir::Workload workload, CudaMeasureConfig config = {}, CudaCompiler compiler = nvrtc_compiler());

  // One result per candidate, in order. UsageError for a candidate without the
  // workload's parameters; NoGpuError when this machine has no usable GPU.
  std::vector<MeasureResult> measure(const std::vector<ir::PrimFunc>& candidates);
  // Runs kernels built elsewhere (hand-written ones in tests) the same way. Each
  // kernel takes the workload's parameters in order, then its scratch buffers.
  std::vector<MeasureResult> measure_binaries(const std::vector<CudaBinary>& binaries);

  const ir::Workload& workload() const { return workload_; }
  // The GPU measured on (NoGpuError without one).
  Target target() const;

 private:
  const std::vector<ir::NDArray>& reference();
  // Runs the built candidates; entries without a binary keep their result.
  void run(const std::vector<std::optional<CudaBinary>>& binaries, std::vector<MeasureResult>& results);

  ir::Workload workload_;
  CudaMeasureConfig config_;
  CudaCompiler compiler_;
  std::vector<ir::NDArray> inputs_;
  std::optional<std::vector<ir::NDArray>> expected_;
};

}  // namespace weft::runtime
