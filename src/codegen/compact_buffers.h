// Buffer compaction, a lowering pass run by the CPU emitter before it emits code
// (the counterpart of TVM's CompactBufferAllocation).
//
// Cache stages allocate their buffer at full size in the block that owns the
// stage (usually the root): after cache_write + reverse_compute_at the
// accumulator of a 4 x 16 register tile is still as large as C, after cache_read +
// compute_at a packed tile of B is as large as B. This pass moves each allocation
// down to the innermost loop around all of its accesses where that is legal, and
// shrinks it to the region one execution of that loop's body touches:
//
//   for i0, j0:                           for i0, j0:
//     C_local[i0*4 + a, j0*16 + b] = 0      alloc C_local[4, 16]      (a new block
//     ...                            =>      C_local[i0*4 + a - i0*4,   "alloc_C_local"
//                                                     j0*16 + b - j0*16] = 0  around the body)
//
// Every index of the buffer (loads, stores, the regions blocks declare) has the
// region's minimum subtracted. A small buffer then lives on the stack, thread-
// private inside a parallel loop, where the compiler can keep it in registers.
// compact_placement.h says when a move is legal; a buffer indexed through loads
// or calls, or whose region cannot be bounded, keeps its allocation and shape.
// The result computes exactly what the input computes (tests check it against the
// interpreter on random schedules).
#pragma once

#include "ir/stmt.h"

namespace weft::codegen {

ir::PrimFunc compact_buffers(const ir::PrimFunc& func);

}  // namespace weft::codegen
