// Vectorized loops that copy a run of elements (the cooperative fetch of a cache
// stage, a write-back) as one wide access: `dst[i + l] = src[j + l]` for lanes
// l < L of one dtype, where L * bytes is 8 or 16, both flat indices have stride 1
// in the lane and their lane-0 value is provably a multiple of L (every other
// coefficient and the constant are multiples of L, block iterators replaced by
// their bindings). Buffers are at least 16-byte aligned: cudaMalloc'd parameters,
// `__align__(16)` arrays, 16-byte slices of dynamic shared memory.
#pragma once

#include <string>
#include <utility>

#include "codegen/cpp_emitter.h"

namespace weft::codegen {

// Why `loop` cannot be one wide copy; "" when it can.
std::string vector_copy_failure(const ir::ForNode& loop, const LayoutTable& layouts);

// Emits the copy; `loop` must pass vector_copy_failure. `async`: a 16-byte copy
// from global to shared memory issued as cp.async (wtc::cp_async_16, see
// cuda_tensorcore.h); the caller commits and waits.
void emit_vector_copy(CppEmitter& emitter, const ir::ForNode& loop, bool async = false);

// The stored buffer and the loaded one of a loop that passes vector_copy_failure.
std::pair<ir::Buffer, ir::Buffer> vector_copy_buffers(const ir::ForNode& loop);

}  // namespace weft::codegen
