// Compute-location primitives: where a block's computation happens relative to
// its producer or consumer. Each checks legality first (ScheduleError naming the
// primitive and printing the offending block or loop) and records its instruction.
#pragma once

#include <cstdint>
#include <optional>

#include "schedule/schedule.h"

namespace weft::sched {

// Inlines a producer `B[v...] = expr` (spatial iterators, each index exactly one
// iterator, no init, B an intermediate buffer written by no other block) into
// every block that reads B: each load B[idx...] becomes `expr` with the iterators
// replaced by idx. The producer, the loops it leaves empty and B's allocation go;
// readers' read regions of B become the producer's reads.
void compute_inline(Schedule& sch, BlockRV block);

// Inlines a consumer `C[f(v)] = g(B[v...], other loads)` into the producer of B,
// its only produced input: the producer's store to B becomes a store to C. The
// consumer's loads of B index exactly its iterators, which span B; the producer
// is a spatial block writing each element of B once (reverse inlining into a
// reduction block is rejected, as TVM does); the consumer is B's only reader.
void reverse_compute_inline(Schedule& sch, BlockRV block);

// Moves a producer block under `loop`, a loop of its consumers in the same scope:
// inside each iteration of `loop` it computes the region of its output that the
// consumers under `loop` read in that iteration (reduction iterators in full).
// The block goes before the consumers in the loop body (at the beginning unless a
// block it depends on is there). `loop` may be a handle from
// sample_compute_location: the root handle leaves the block where it is, the
// inline handle inlines it (compute_inline).
void compute_at(Schedule& sch, BlockRV block, LoopRV loop, bool preserve_unit_loops = false);

// Moves a consumer block under `loop`, a loop of its producers in the same scope:
// inside each iteration it consumes the region its producers under `loop` wrote
// in that iteration. The block goes after them in the loop body (at the end
// unless a block that depends on it is there).
void reverse_compute_at(Schedule& sch, BlockRV block, LoopRV loop, bool preserve_unit_loops = false);

// Samples where to compute `block`: one of the loops where compute_at(block, loop)
// is legal (in program order, outermost first), "root" (decision -1: stay) or
// "inline" (decision -2, offered when compute_inline is legal). Returns a loop
// handle to pass to compute_at; the decision is recorded (and checked when given).
// The root and inline handles name no loop: other primitives reject them.
LoopRV sample_compute_location(Schedule& sch, BlockRV block, std::optional<int64_t> decision = std::nullopt);

}  // namespace weft::sched
