// Where a buffer's allocation can move and how small it can get (the analysis
// half of buffer compaction, see compact_buffers.h).
//
// Candidates are the loops that enclose every access of the buffer, innermost
// first. Allocating inside loop L's body gives every execution of that body (an
// "instance", one per value of L's variable and the variables of the loops around
// it) a fresh buffer, so the move is legal only if no instance reads a value that
// another instance wrote. Two sufficient conditions are checked:
//   - disjoint: instances touch disjoint parts of the buffer. The region an
//     instance touches has a minimum that is affine in the outer loop variables;
//     each variable must step the region past itself in one dimension
//     (mixed-radix: i0*32 + i1*4 with a 4-wide tile, i1 < 8). A fused outer
//     loop may step it through its two digits instead (f // J and f % J, J
//     dividing its extent: the parallel postprocessor's fused i0 x j0), each
//     digit with more than one value placed like a variable;
//   - covered: the body of L is a sequence, and every read of the buffer in its
//     k-th statement lies inside a box that an earlier statement writes in full
//     (an unconditional store whose indices are the outer part plus a dense
//     mixed-radix combination of the loops inside, like a cache stage's copy).
// A buffer of scope "shared" is one per thread block wherever it is allocated (as
// TVM's CompactBufferAllocation treats it): where its accesses sit under thread
// loops (threadIdx, vthread; with warp-level intrinsics only the lanes, since a
// shared buffer inside the warp loops is one slice per warp), a loop L inside
// them qualifies when its body, run by all threads together, writes every
// element it reads before reading it (covered, with the thread loops symbolic);
// its shape is then relaxed over those thread loops and its allocation goes just
// outside the outermost of them (inside the blockIdx loops), while `base` may
// still use the variables of loops down to L (the accesses are all under L).
// "local" and other scopes relax nothing: they stay per thread. In GPU kernels
// (thread-bound loops around the accesses) covered also accepts write boxes found
// by enumerating a fused loop's // and % digits and writes in an earlier
// statement of a deeper common loop; CPU programs keep the checks above exactly.
// A vectorised loop is skipped, and candidates stop above a loop node that occurs
// at several places in the tree (sites under its copies only look alike).
// Where no loop qualifies, the buffer stays with the block that allocates it, but
// still shrinks to the region used there.
//
// The shape of the compacted buffer is the region one instance touches (the
// accesses relaxed over the loops inside L, ir/region.h), its extents bounded by
// constants; `base` is that region's minimum, subtracted from every index. A tile
// of a non-divisible split, cut by the buffer's edge, keeps its full width (the
// guarded accesses beyond the edge never happen), so its minimum stays affine.
#pragma once

#include <optional>

#include "codegen/buffer_sites.h"

namespace weft::codegen {

struct Placement {
  const ir::ForNode* loop = nullptr;  // allocate inside this loop's body; null: at the allocating block
  std::vector<int64_t> shape;
  // Per dimension, in variables of loops outside the allocation (for a shared buffer
  // hoisted out of thread loops: of the loops around L, see above).
  std::vector<ir::Expr> base;
};

// The placement of `use`, or nullopt when the buffer must stay as it is (unused,
// indexed through loads or calls, or nothing to gain).
// `warp_lanes`: the function uses warp-level tensor intrinsics (cuda_tensorcore.h).
std::optional<Placement> place_buffer(const BufferUse& use, const BufferSites& sites, bool warp_lanes = false);

}  // namespace weft::codegen
