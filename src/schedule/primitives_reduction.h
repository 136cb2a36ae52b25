// Reduction primitives: decompose_reduction and rfactor.
#pragma once

#include <cstdint>

#include "schedule/schedule.h"

namespace weft::sched {

// Moves the init of reduction block `block` into a new block "<name>_init" placed
// right before `loop` (a loop above the block, in the same parent block). The init
// block loops over copies of the loops from `loop` down to the block that feed the
// block's spatial iterators; the original block loses its init. Every loop that
// feeds a reduction iterator must be `loop` or lie under it, so the init runs once
// per output element before any update. Returns the init block.
BlockRV decompose_reduction(Schedule& sch, BlockRV block, LoopRV loop);

// Factors the reduction over `loop` out of the only block under it. That block
// must be a reduction `W[idx] = W[idx] op x` with op one of +, *, max, min (either
// operand order) and an init storing to W[idx]. A new block "<name>_rf", in the
// original loop nest, keeps one partial result per iteration of `loop` in a new
// buffer "<W>_rf" (W's shape with the loop's extent inserted at `factor_axis`,
// allocated by the parent block); the original block keeps its name and becomes
// the final reduction over that dimension, in a copy of the spatial loops and
// `loop`, placed right after the outermost loop of the nest. factor_axis may be
// negative (counted from the end, -1 meaning after the last dimension).
// In the rf block every loop linked to `loop` through the reduction bindings
// (after a fuse and split, `j = f0 // 2` and `k = f0 % 2 * 32 + f1` link f0 and
// f1) becomes an iterator of its own, bound to that loop alone, and the old
// reduction iterators become expressions of them inside the block: its
// iterators stay independent, so compute_at can rebuild its loops.
// Returns the rf block.
BlockRV rfactor(Schedule& sch, LoopRV loop, int64_t factor_axis);

}  // namespace weft::sched
