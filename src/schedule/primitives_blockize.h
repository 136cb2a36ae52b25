// Block-structure primitives: blockize (wrap a loop nest in an outer block),
// tensorize (replace a block's computation by a registered intrinsic, see
// intrinsics.h) and pad_einsum (pad odd shapes so that tensorize applies).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schedule/schedule.h"

namespace weft::sched {

// Wraps the loops from `loop` down to the one block under them (perfectly nested)
// in a new outer block "<name>_o", realized where `loop` was. Each iterator of the
// block is divided by its binding: fed only by loops above `loop`, it moves to the
// outer block; fed only by `loop` and the loops under it, it stays in the inner
// block; fed by both, its binding must read outer * c + inner (the inner part a
// dense mixed-radix sum of the inner loops, c its extent) and it becomes an outer
// iterator "<v>_o" and an inner one "<v>_i" with v = <v>_o * c + <v>_i. Predicate
// conjuncts that only use outer loops move to the outer block. When the outer block
// reduces and the block has an init, the init moves to the outer block, looping
// over the inner spatial iterators (block "<name>_init"). The outer block's regions
// are the inner block's relaxed over the inner loops. Returns the outer block.
BlockRV blockize(Schedule& sch, LoopRV loop);

// Replaces the computation of `block` (an outer block from blockize) by the
// implementation of intrinsic `intrinsic`, after matching its body structurally
// against the intrinsic's description: loops with equal extents, blocks with
// iterators of the same kinds and domains bound alike, the same stores and
// expressions, and each buffer of the description mapped to a region of a real
// buffer at offsets that do not depend on the matched loops (the description's
// dimensions align with the real buffer's last ones). The block keeps its
// iterators, regions and init. Given a loop, tensorize blockizes it first (one
// instruction: a failed match leaves the program unchanged).
void tensorize(Schedule& sch, BlockRV block, const std::string& intrinsic);
void tensorize(Schedule& sch, LoopRV loop, const std::string& intrinsic);

// Pads the iteration domain of an einsum-like block: iterator i's extent grows to
// the next multiple of padding[i] (1: unchanged). The block must have trivial
// bindings (each iterator bound to its own loop, of the iterator's extent), a single
// store (and at most a single init store), and index every buffer by iterators or
// constants, each dimension indexed by an iterator having that iterator's extent.
// Inputs indexed by padded iterators are first copied into zero-padded buffers
// "<B>_pad" (blocks "<B>_pad" before the nest); an output that grows is computed
// into "<W>_pad" and copied back by block "<W>_unpad" after the nest. Padding a
// reduction iterator needs a sum whose added value vanishes when a padded input
// does (a product with a load indexed by that iterator, as in matmul).
void pad_einsum(Schedule& sch, BlockRV block, const std::vector<int64_t>& padding);

// blockize as a function of programs, recording nothing: for tensorize of a loop.
// Errors name `primitive`.
struct Blockized {
  ir::PrimFunc func;
  std::string outer_block;
};
Blockized blockize_func(const ir::PrimFunc& func, const ir::Var& loop_var, const char* primitive);

}  // namespace weft::sched
