// Tensor cores in the CUDA emitter: warp-level intrinsic blocks (mma.sync
// m16n8k16 with ldmatrix operand loads), fragment storage, and cp.async copies.
//
// Design
// ------
// The IR has no opaque-call statement. A tensorized block keeps the scalar body of
// the intrinsic's description (so ir::interpret computes it exactly) and carries
// the annotation `tensor_intrin = <name>` (schedule/intrinsics_cuda.cpp; tensorize
// sets it after matching the block against the description, scopes included).
// The emitter replaces such a block by the intrinsic's warp code, its operands
// taken from the block's read and write regions (after buffer compaction):
//
//   cuda_mma_m16n8k16_{f16f16f32,bf16bf16f32}  mma.sync.aligned.m16n8k16.row.col.f32.<t>.<t>.f32
//   cuda_ldmatrix_a_{f16,bf16}                 ldmatrix.sync.aligned.m8n8.x4.shared.b16 (16x16 A tile)
//   cuda_ldmatrix_b_{f16,bf16}                 ldmatrix.sync.aligned.m8n8.x2.trans.shared.b16 (16x8 K x N tile)
//   cuda_mma_fill_f32                          the lane's four accumulators = 0
//   cuda_mma_store_f32                         the lane's accumulators to memory in mma's C layout
//
// Warps. The 32 lanes of a warp execute one intrinsic together. A function with
// intrinsic blocks ("warp mode") launches threadIdx.x as the 32 lanes: threadIdx.x
// must be unbound (it becomes 32 implicitly) or bound with extent 32, and no
// intrinsic block may sit inside a threadIdx.x loop (BuildError otherwise). The
// schedule binds warps to threadIdx.y/z. Code outside the threadIdx.x loops runs
// in every lane; its stores to block-visible memory are guarded to lane 0 as for
// any unbound axis (cuda_storage.h).
//
// Fragments (scopes frag.matrix_a, frag.matrix_b, frag.accumulator) are per-lane
// register arrays holding the tiles of the (compacted) buffer in tile-major order:
// the tile shape is 16x16 for matrix_a, 16x8 for matrix_b and the accumulator
// (K x N for B), and a lane holds 8 / 4 / 4 elements of each tile in the
// register order mma.sync defines (a0..a3, b0..b1 as packed 16-bit pairs in
// uint32_t; c0..c3 as float). A fragment must be allocated inside the loops of
// every launched thread axis except the lanes, its trailing dimensions must be
// multiples of the tile, and only intrinsic blocks may access it: anything else
// is a BuildError. Tile offsets must be provable multiples of the tile shape.
// Shared buffers allocated inside the warp loops (a warp's private tiles) get one
// slice per warp of a block-wide `__shared__` array.
//
// cp.async. A vectorized loop annotated `async_copy` that copies 16 bytes from a
// parameter (global memory) to shared memory (the innermost loop of a cooperative
// fetch) is emitted as one `cp.async.cg.shared.global` plus
// `cp.async.commit_group`; anything else so annotated is a BuildError. In a kernel
// with such copies every `__syncthreads()` is preceded by `cp.async.wait_group 0`,
// so a barrier that publishes a shared tile also waits for the copies that fill
// it. That is the single-stage form: the copies of one k step overlap each other
// and the address arithmetic, not the mma. A k loop annotated
// `software_pipeline_depth = N` is the multi-stage form (software_pipeline.h):
// N stages of each shared tile, one commit group per stage instead of per copy,
// `cp.async.wait_group N-1` before the barrier that publishes a stage, and no
// wait at the other barriers of the loop, so N-1 fetches overlap each mma step.
// A thread reading back its own cp.async data without a barrier in between would
// need a wait the barrier pass does not place; cooperative fetches read by other
// lanes (ldmatrix) always get one.
//
// Further intrinsics (Hopper). wgmma and TMA fit the same scheme: register a
// description whose scopes name their operands (a warpgroup accumulator scope,
// shared-memory descriptors for A/B) in intrinsics_cuda.cpp, add an entry to the
// table in cuda_tensorcore.cpp that emits `wgmma.mma_async.sync.aligned.m64nNk16`
// with its fence/commit/wait, or `cp.async.bulk.tensor` with an mbarrier, and
// widen the lane model to a warpgroup (128 lanes) for a function using them.
#pragma once

#include <string>

#include "codegen/cuda_threads.h"
#include "ir/stmt.h"

namespace weft::codegen {

class CudaEmitter;

// The annotation tensorize puts on a CUDA intrinsic block (schedule/intrinsics.h
// defines the same key) and the loop annotation that asks for cp.async.
inline constexpr const char* kTensorIntrinKey = "tensor_intrin";
inline constexpr const char* kAsyncCopyKey = "async_copy";
inline constexpr int64_t kWarpSize = 32;

// The intrinsic named by a block's annotation ("" when it has none).
std::string tensor_intrinsic_of(const ir::BlockNode& block);
// Whether the emitter knows how to emit intrinsic `name`.
bool is_known_tensor_intrinsic(const std::string& name);

// Whether the function has intrinsic blocks; BuildError for an unknown intrinsic
// name or an intrinsic block inside a threadIdx.x loop.
bool uses_warp_intrinsics(const ir::PrimFunc& func);

bool is_fragment_scope(const std::string& scope);
// Elements of one lane's register array for a fragment buffer (uint32_t pairs
// for 16-bit fragments, floats for the accumulator). BuildError when the shape
// is not made of whole tiles. `strides` must be row-major (no storage_align).
int64_t fragment_registers(const ir::Buffer& buffer);
// The C++ element type of a fragment's register array.
const char* fragment_register_type(const ir::Buffer& buffer);

// Whether some loop of the function is annotated async_copy.
bool has_async_copies(const ir::PrimFunc& func);

// BuildError unless every access to a fragment is inside an intrinsic block.
void check_fragment_accesses(const ir::PrimFunc& func);

// Emits the warp code of an intrinsic block (its iterators first).
void emit_tensor_intrinsic(CudaEmitter& e, const ir::BlockRealizeNode& realize);

// The device helpers (inline PTX) the emitted intrinsics call, namespace wtc.
std::string tensorcore_prelude();

}  // namespace weft::codegen
