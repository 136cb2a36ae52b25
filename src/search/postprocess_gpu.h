// The GPU postprocessors (CUDA order: rewrite-cooperative-fetch,
// rewrite-unbound-blocks, rewrite-reduction-block, rewrite-parallel-vectorize-unroll
// (its unroll part), verify-gpu-code) and the limits they check.
//
//   rewrite-cooperative-fetch  each shared-memory copy block annotated
//       cooperative_fetch=V (cuda-multi-level-tiling) has its own loops fused,
//       split by the thread block's threadIdx.x extent T ([n / (T*V), T, V] with
//       the V loop vectorized when T*V divides the copy, [ceil(n / T), T]
//       otherwise) and bound to threadIdx.x, so the threads share the copy;
//   rewrite-unbound-blocks     a top-level loop nest that binds no thread axis gets
//       its outer spatial loops fused and bound to blockIdx.x x threadIdx.x (256
//       threads, fewer when the nest is smaller);
//   verify-gpu-code            static checks of every kernel (top-level nest):
//       constant extents, every block under blockIdx and threadIdx loops, nested
//       loops of one thread tag with one extent, threads per block, vthreads,
//       static and dynamic shared memory per block, local memory per thread.
// After the build, verify_compiled_resources checks what ptxas reports.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/nvrtc_builder.h"
#include "search/postprocess.h"

namespace weft::search {

struct GpuLimits {
  int64_t max_threads_per_block = 1024;
  int64_t max_vthreads = 8;
  int64_t max_static_shared_bytes = 48 * 1024;
  int64_t max_dynamic_shared_bytes = 48 * 1024;  // the opt-in limit of the arch
  int64_t max_local_bytes_per_thread = 16 * 1024;
  int64_t max_registers_per_thread = 255;
  bool allow_spills = false;
};

// Limits of a CUDA target's arch: opt-in shared memory per block is 227 KiB on
// sm_90, 163 KiB on sm_80/sm_87, 99 KiB on sm_86/sm_89, 96 KiB on sm_70,
// 64 KiB on sm_75; 48 KiB (the static limit) for an unknown arch.
GpuLimits gpu_limits(const Target& target);

std::shared_ptr<const Postprocessor> make_rewrite_cooperative_fetch();
std::shared_ptr<const Postprocessor> make_rewrite_unbound_blocks();
std::shared_ptr<const Postprocessor> make_verify_gpu_code();

// VerificationError naming the kernel and the limit when the compiled kernel (the
// ptxas report of runtime/nvrtc_builder.h) uses more registers than allowed,
// spills (unless allowed), or more local or static shared memory than the
// limits. The tuner calls it on each built candidate before measuring.
void verify_compiled_resources(const std::string& kernel, const runtime::CudaResources& resources,
                               const GpuLimits& limits);

}  // namespace weft::search
