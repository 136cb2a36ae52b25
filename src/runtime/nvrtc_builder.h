// Compiles CUDA kernels (codegen/cuda_kernel.h) with NVRTC to a cubin for one
// architecture ("sm_80", "sm_90", "sm_90a", ...). Needs no GPU. NVRTC is optional
// at build time: without it (WEFT_HAVE_NVRTC undefined) every build throws
// RuntimeError("weft was built without NVRTC ...") and nvrtc_available() is false.
//
// The resource report comes from ptxas (`--ptxas-options=-v`), whose log has one
// section per entry point of the translation unit:
//   ptxas info    : Compiling entry function 'k_0' for 'sm_90'
//   ptxas info    : Function properties for k_0
//   ptxas         .     256 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
//   ptxas info    : Used 32 registers, used 1 barriers, 256 bytes cumulative stack size, 1024 bytes smem
// A program of several kernels (codegen/cuda_kernel.h) is one NVRTC program and
// one cubin holding every entry point, with one report per kernel.
// Kernels using f16/bf16 include cuda_fp16.h / cuda_bf16.h from the CUDA include
// directory found at build time (WEFT_CUDA_INCLUDE_DIR), or $WEFT_CUDA_INCLUDE when set.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/cuda_kernel.h"

namespace weft::runtime {

struct CudaResources {
  int64_t registers = 0;     // per thread
  int64_t shared_bytes = 0;  // static shared memory per block
  int64_t stack_bytes = 0;   // local memory (stack frame) per thread
  int64_t spill_stores = 0;  // bytes
  int64_t spill_loads = 0;   // bytes
};

struct CudaBinary {
  codegen::CudaKernel kernel;
  std::string arch;  // "sm_90"
  std::vector<char> cubin;  // every entry point of kernel.kernel_launches()
  // The most of each resource over the kernels (the kernel itself when there is one):
  // what a check against per-kernel limits must look at.
  CudaResources resources;
  std::vector<CudaResources> kernel_resources;  // per launch of kernel.kernel_launches(), in order
  std::string log;  // NVRTC's log (ptxas report, warnings)
};

// One kernel of a batch: the binary, or why it failed (BuildError's message).
struct CudaBuildOutcome {
  CudaBinary binary;
  std::string error;  // empty on success
  bool ok() const { return error.empty(); }
};

bool nvrtc_available();
// "13.0"; RuntimeError without NVRTC.
std::string nvrtc_version();

// UsageError unless `arch` is sm_<digits>[a|f].
void check_cuda_arch(const std::string& arch);

// BuildError carrying the kernel name and NVRTC's log when compilation fails.
CudaBinary build_cuda(const codegen::CudaKernel& kernel, const std::string& arch);

// Compiles every kernel on `threads` threads (0: hardware concurrency), in order.
std::vector<CudaBuildOutcome> build_cuda_batch(const std::vector<codegen::CudaKernel>& kernels, const std::string& arch,
                                               int threads = 0);

// Reads the ptxas report of a log (zeros for what it does not mention).
CudaResources parse_ptxas_report(const std::string& log);
// The report of entry point `entry` alone: its section of the log (from ptxas's
// "Compiling entry function '<entry>'" to the next entry's); the whole log when
// it has no such sections.
CudaResources parse_ptxas_report(const std::string& log, const std::string& entry);
// The most of each resource over `reports` (zeros for none).
CudaResources max_resources(const std::vector<CudaResources>& reports);

}  // namespace weft::runtime
