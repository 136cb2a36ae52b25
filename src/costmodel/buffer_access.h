// How one store touches each buffer: the indices of its reads and writes (as
// expressions of loop variables), and from them footprints under a loop depth,
// the stride of the innermost loop and the reuse pattern (as in Ansor's features).
#pragma once

#include <vector>

#include "costmodel/store_sites.h"

namespace weft::costmodel {

using Indices = std::vector<ir::Expr>;

struct BufferAccesses {
  const ir::BufferNode* buffer = nullptr;
  std::vector<Indices> reads;   // one entry per load in the store's value
  std::vector<Indices> writes;  // the store itself
  int count() const { return static_cast<int>(reads.size() + writes.size()); }
};

// Buffers in order of first access: the store's target first, then loads.
std::vector<BufferAccesses> collect_buffer_accesses(const StoreSite& site);

struct Footprint {
  double elements = 0;  // distinct elements (bounding box, clamped to the shape)
  double lines = 0;     // distinct 64-byte cache lines of that box
};
// What the store touches of `acc.buffer` while the loops from depth `from` inward
// run (outer loop variables fixed at 0); from == loops.size() means one execution.
Footprint footprint(const BufferAccesses& acc, const std::vector<SiteLoop>& loops, size_t from);

// Elements between the addresses of consecutive iterations of the innermost loop
// with extent > 1 (largest over the accesses, absolute); 0 when there is no such loop
// or the access does not depend on it.
double innermost_stride(const BufferAccesses& acc, const std::vector<SiteLoop>& loops);

enum class ReuseKind { Loop, Serial, None };
struct Reuse {
  ReuseKind kind = ReuseKind::None;
  double dist_iter = 0;   // iterations between reuses
  double dist_bytes = 0;  // bytes of this buffer touched between reuses
  double count = 0;       // how often each element is reused
};
// Loop reuse: the innermost non-unit loop the accesses do not depend on. Serial
// reuse: the store reads and writes (or reads twice) the same buffer.
Reuse reuse_of(const BufferAccesses& acc, const std::vector<SiteLoop>& loops);

}  // namespace weft::costmodel
