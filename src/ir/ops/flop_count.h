// Floating-point operation counts of a PrimFunc, read off its blocks: each block
// executes once per point of its iterator domain, and each execution costs the
// float arithmetic in its body (binary operators on floats and math intrinsics
// count 1 each; loads, casts, selects and the reduction init count 0). A shared
// subexpression counts once per use, as evaluating the tree does. For a matmul
// this gives the usual 2*M*N*K.
#pragma once

#include "ir/stmt.h"

namespace weft::ir::ops {

// Throws InternalError if a block iterator's domain is not constant.
double count_flops(const PrimFunc& func);

}  // namespace weft::ir::ops
