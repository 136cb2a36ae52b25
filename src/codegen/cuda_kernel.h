// What the CUDA emitter hands to the builder and the runner: the kernels of one
// PrimFunc, their source and how to launch them. Lives in codegen because the
// launch shapes follow from the program's thread bindings; the runtime consumes it.
//
// One PrimFunc is one CudaKernel: a translation unit holding one or more
// `__global__` entry points (launches), run in order on one stream, each launch
// finishing before the next starts (the order is the dependency). A function
// whose root body is several top-level loop nests bound to their own grids
// (softmax, layernorm after cuda-auto-bind) is split into one entry per nest
// (codegen/cuda_split_kernels.h); intermediates that cross nests live in scratch
// buffers of global memory the runner allocates once per program.
//
// Kernel ABI: `extern "C" __global__ void <name>(T0* __restrict__ p0, ...)`, one
// device pointer per PrimFunc parameter, in parameter order, then one per scratch
// buffer the launch uses, in the order of its `scratch_args`; each buffer dense
// and row-major (as on the CPU, see c_names.h). Scratch contents are undefined at
// the start of the program (every scratch element is written before it is read;
// the CUDA measurement worker fills them with NaN bytes to catch a kernel that
// would not).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace weft::codegen {

struct LaunchDims {
  std::array<int64_t, 3> grid{1, 1, 1};   // blockIdx.x/y/z extents
  std::array<int64_t, 3> block{1, 1, 1};  // threadIdx.x/y/z extents
  int64_t dynamic_shared_bytes = 0;       // "shared.dyn" buffers

  int64_t threads_per_block() const { return block[0] * block[1] * block[2]; }
};

// A global-memory buffer shared by several launches of one program.
struct ScratchBuffer {
  std::string name;  // the IR buffer it holds (for messages)
  ir::DType dtype = ir::DType::f32;
  int64_t elements = 0;

  int64_t bytes() const { return elements * ir::dtype_bytes(dtype); }
};

// One entry point of the translation unit and how to launch it.
struct CudaLaunch {
  std::string name;  // the extern "C" entry point
  LaunchDims launch;
  std::vector<int> scratch_args;  // indices into CudaKernel::scratch, passed after the parameters
};

struct CudaKernel {
  std::string name;    // the program's symbol; the entry point when there is one launch
  std::string source;  // a whole translation unit for NVRTC (no host code, no includes)
  LaunchDims launch;   // the first (usually the only) launch
  // Every launch, in order. The emitter always fills it (size 1 for a single
  // nest: {name, launch, {}}); empty in a hand-built kernel means that one launch.
  std::vector<CudaLaunch> launches{};
  std::vector<ScratchBuffer> scratch{};

  // `launches`, or the single launch {name, launch} when it is empty.
  std::vector<CudaLaunch> kernel_launches() const {
    if (!launches.empty()) return launches;
    return {CudaLaunch{name, launch, {}}};
  }
};

}  // namespace weft::codegen
