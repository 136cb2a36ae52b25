// What the CUDA emitter hands to the builder and the runner: one kernel per
// PrimFunc, its source and how to launch it. Lives in codegen because the launch
// shape follows from the program's thread bindings; the runtime consumes it.
//
// Kernel ABI: `extern "C" __global__ void <name>(T0* __restrict__ p0, ...)`, one
// device pointer per PrimFunc parameter, in parameter order, each buffer dense and
// row-major (as on the CPU, see c_names.h).
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace weft::codegen {

struct LaunchDims {
  std::array<int64_t, 3> grid{1, 1, 1};   // blockIdx.x/y/z extents
  std::array<int64_t, 3> block{1, 1, 1};  // threadIdx.x/y/z extents
  int64_t dynamic_shared_bytes = 0;       // "shared.dyn" buffers

  int64_t threads_per_block() const { return block[0] * block[1] * block[2]; }
};

struct CudaKernel {
  std::string name;    // the extern "C" entry point
  std::string source;  // a whole translation unit for NVRTC (no host code, no includes)
  LaunchDims launch;
};

}  // namespace weft::codegen
