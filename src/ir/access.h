// Access regions of a block body: which buffer elements it reads and writes.
// Regions are points (every index with extent 1), which is exact for the bodies
// compute definitions write: stores and loads indexed by block iterators.
#pragma once

#include <vector>

#include "ir/stmt.h"

namespace weft::ir {

struct AccessRegions {
  std::vector<BufferRegion> reads;   // in order of first occurrence
  std::vector<BufferRegion> writes;  // in order of first occurrence
};

// Collects the point regions loaded and stored by `body` (stores, ifs, sequences
// and the expressions inside them). Duplicates (same buffer object, structurally
// equal indices) are listed once; a buffer that is both loaded and stored, as in
// `C[i, j] = C[i, j] + ...`, appears in both lists. Loops and nested blocks need
// region relaxation rather than points, so meeting one throws InternalError.
AccessRegions collect_accesses(const Stmt& body);

// Structural equality of expressions: same node kinds, types, constants and
// operators; variables and buffers compared by identity.
bool same_expr(const Expr& a, const Expr& b);

}  // namespace weft::ir
