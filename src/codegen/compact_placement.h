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
//     (mixed-radix: i0*32 + i1*4 with a 4-wide tile, i1 < 8);
//   - covered: the body of L is a sequence, and every read of the buffer in its
//     k-th statement lies inside a box that an earlier statement writes in full
//     (an unconditional store whose indices are the outer part plus a dense
//     mixed-radix combination of the loops inside, like a cache stage's copy).
// A vectorised loop is skipped, and candidates stop above a loop node that occurs
// at several places in the tree (sites under its copies only look alike).
// Where no loop qualifies, the buffer stays with the block that allocates it, but
// still shrinks to the region used there.
//
// The shape of the compacted buffer is the region one instance touches (the
// accesses relaxed over the loops inside L, ir/region.h), its extents bounded by
// constants; `base` is that region's minimum, subtracted from every index.
#pragma once

#include <optional>

#include "codegen/buffer_sites.h"

namespace weft::codegen {

struct Placement {
  const ir::ForNode* loop = nullptr;  // allocate inside this loop's body; null: at the allocating block
  std::vector<int64_t> shape;
  std::vector<ir::Expr> base;  // per dimension, in variables of loops outside the allocation
};

// The placement of `use`, or nullopt when the buffer must stay as it is (unused,
// indexed through loads or calls, or nothing to gain).
std::optional<Placement> place_buffer(const BufferUse& use, const BufferSites& sites);

}  // namespace weft::codegen
