// Loop partitioning for guarded blocks (CPU code generation).
//
// A non-divisible split leaves a predicate such as `i0*516 + i1*6 + i2 < 1024` on
// every block under it. Inside a GEMM micro-kernel those per-row branches keep GCC
// from holding the accumulator tile in registers: a 6 x 16 register tile of a
// 1024^3 matmul ran at 37 GFLOP/s guarded against 122 at M = 1032, where 6 divides
// the rows. So the emitter runs a serial loop in two parts: the iterations on which
// every such predicate under it is known to hold, with those guards dropped, and
// the remaining ones with the guards kept.
//
// The predicates handled are conjunctions of integer comparisons (<, <=, >, >=)
// that are linear in the loop variable x with a positive (or zero) coefficient, in
// variables of loops nested inside x with constant extents, and in anything bound
// outside x. Taking the inner variables at their worst case, such a comparison
// holds for every inner value on a prefix [0, split) of x's iterations, where split
// is computed at run time from the outer values. A predicate with any other part is
// left alone (it stays a guard in both parts).
#pragma once

#include <optional>
#include <unordered_set>

#include "ir/stmt.h"

namespace weft::codegen {

using RealizeSet = std::unordered_set<const ir::BlockRealizeNode*>;

struct GuardPartition {
  // int64, within [0, extent]: on iterations [0, split) of the loop every predicate
  // of `dropped` holds.
  ir::Expr split;
  RealizeSet dropped;
};

// The partition of `loop` (constant extent), or nullopt when no guarded block under
// it has a predicate of the form above. Realizes in `already_dropped` (dropped by an
// enclosing partition) are not considered.
std::optional<GuardPartition> partition_guards(const ir::ForNode& loop, const RealizeSet& already_dropped);

}  // namespace weft::codegen
