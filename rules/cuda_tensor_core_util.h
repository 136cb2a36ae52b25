// The tensor-core GEMM structure of cuda-tensor-core-tiling, shared by the rule and
// by tests that build the same schedule with fixed decisions.
//
// A block qualifies (tensor_core_gemm) when it is C[lead..., i, j] += f32(A[lead..., i, k])
// * f32(B[lead..., k, j]) with trivial bindings, A and B both f16 or both bf16, C f32,
// i and j divisible by 16 and k by 16 (N by 16 rather than 8: each warp's B tile
// must be a whole number of 32-lane x 16-byte copy rounds). Anything else is left
// to the other rules.
//
// schedule_tensor_core_gemm builds the schedule (loops outermost first):
//   lead... -> blockIdx.z (fused), i0 -> blockIdx.y, j0 -> blockIdx.x,
//   fuse(i1, j1) -> threadIdx.y (the warps; the lanes are threadIdx.x),
//   k0 (shared-memory stage; with async_copy, cp.async fetches and a sampled
//       software_pipeline_depth annotation: 1, 2 or 3 stages),
//   k1 (fragment stage), fuse(i2, j2, j3) (the warp's 16 x 16 tiles, unrolled),
//   then the mma m16n8k16 tile i3 (16) x j4 (8) x k2 (16), tensorized.
// Tile counts (in units of 16): i = [bm, wm, tm] with the block tile bm'=wm*tm <= 8
// and tm <= 4; j = [bn, wn, tn] with wn*tn <= 4 and tn <= 2; k = [k0, k1] with
// k1 <= 4. Each is a sample_perfect_tile (two for i and j: the block tile, then
// its split into warps x warp tile), so search mutates them; the caps keep the
// accumulator tile of a lane <= 64 floats and the block <= 32 warps.
// A and B are cache_read into "shared" at k0 by each warp (its own tiles: the
// emitter gives each warp a slice), every lane copying 16-byte vectors (8 halves;
// annotated async_copy for cp.async), then into fragments at k1 with ldmatrix.
// The accumulator (frag.accumulator) is zeroed by the fill intrinsic (decompose
// at k0) and written back at the warp loop by the store intrinsic. An elementwise
// epilogue that reads an intermediate output (dense_bias_gelu's bias_gelu) is moved
// into the warp loop, the intermediate tile staged in shared memory and the
// epilogue's elements spread over the 32 lanes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schedule/ir_nav.h"
#include "schedule/schedule.h"

namespace weft::rules::cuda {

struct TensorCoreGemm {
  std::string input_dtype;  // "f16" or "bf16"
  std::string a, b;         // the input buffers
  size_t lead = 0;          // leading (batch) spatial iterators
};

// The GEMM description of the block, or nullopt when it is not a tensor-core GEMM.
std::optional<TensorCoreGemm> tensor_core_gemm(const sched::BlockSite& site);

// What the schedule takes from the caller: sampled (nullopt) or fixed decisions.
struct TensorCoreDecisions {
  std::optional<std::vector<int64_t>> m_block, m_warp;  // [bm, rest], [wm, tm]
  std::optional<std::vector<int64_t>> n_block, n_warp;  // [bn, rest], [wn, tn]
  std::optional<std::vector<int64_t>> k_split;          // [k0, k1]
  bool async_copy = false;
  // With async_copy: the software-pipeline depth of k0, one of kPipelineDepths
  // (sampled when nullopt).
  std::optional<int64_t> pipeline_depth;
};

// Depths sampled for k0 with cp.async fetches: 1 is single-stage; deeper
// pipelines multiply the shared tiles (codegen/software_pipeline.h), and samples
// over the 48 KiB of static shared memory are rejected by verify-gpu-code.
inline const std::vector<int64_t> kPipelineDepths = {1, 2, 3};

// Applies the structure above to `block_name` (which tensor_core_gemm accepted) and
// fuses `epilogue` when given. ScheduleError from the primitives when it cannot.
void schedule_tensor_core_gemm(sched::Schedule& sch, const std::string& block_name, const TensorCoreGemm& gemm,
                               const TensorCoreDecisions& decisions, const std::optional<std::string>& epilogue);

}  // namespace weft::rules::cuda
