// Read/write region analysis: which part of a buffer an access covers while some
// loops run. This is what compute_at, reverse_compute_at and the cache stages ask:
// "which part of B does this loop nest read?"
//
// Regions are relaxed symbolically: variables being relaxed range over their
// domains, every other variable stays a symbol. For a tiled matmul
//
//   for i0 in range(8):                  # outer tile loop, stays free
//     for i1 in range(8):                # relaxed
//       for k in range(64):              # relaxed
//         block C(vi = i0*8 + i1, vk = k) reads(A[vi, vk], ...)
//
// block_access_under(<the i1 loop>, C, {{i0, [0, 7]}}).reads[0] is
// A[i0 * 8:+8, 0:+64]: rows i0*8 ... i0*8 + 7 and every column.
//
// Relaxation goes through sums, products by constants, floordiv by positive
// constants, min, max and select; anything else that depends on a relaxed variable
// falls back to its numeric bounds. Results are sound (they cover every element
// accessed), simplified, and clamped to the buffer's shape. Block predicates are
// not used to narrow regions (clamping covers the usual non-divisible split).
#pragma once

#include <vector>

#include "ir/interval.h"
#include "ir/stmt.h"

namespace weft::ir {

// The region `region` covers when each variable in `relaxed` ranges over its
// domain. Other variables stay symbolic; `context` may give their domains, used to
// simplify the result and to decide whether clamping is needed. Every dimension's
// min and extent are simplified and clamped to [0, shape): a dimension with no
// bound on one side extends to that edge of the buffer.
// With `clamp` false, a dimension bounded on both sides is left unclamped (it may
// reach past the buffer: a non-divisible tile's full width, guarded by predicates).
BufferRegion relax_region(const BufferRegion& region, const VarDomains& relaxed, const VarDomains& context = {},
                          bool clamp = true);

// The smallest single region covering both (same buffer required; InternalError
// otherwise). Decided with `context`: union(A[i:+4], A[i+4:+4]) is A[i:+8].
BufferRegion region_union(const BufferRegion& a, const BufferRegion& b, const VarDomains& context = {});
// One region per buffer covering all of its regions in `regions`, in order of
// each buffer's first appearance.
std::vector<BufferRegion> merge_regions(const std::vector<BufferRegion>& regions, const VarDomains& context = {});

struct BlockAccess {
  std::vector<BufferRegion> reads;   // the block's reads, in its order
  std::vector<BufferRegion> writes;  // the block's writes, in its order
};

// The regions a realized block accesses: its declared read/write regions with each
// iterator replaced by its binding, then relaxed over `relaxed` (see relax_region).
BlockAccess block_access(const BlockRealizeNode& realize, const VarDomains& relaxed,
                         const VarDomains& context = {});

// The regions block `target` (matched by identity) accesses while the statement
// `scope` runs once: every loop inside `scope` (scope itself included, when it is
// a loop) ranges over its extent; variables bound outside `scope` stay symbolic,
// with domains from `outer` if given (see enclosing_loop_domains). Bindings of
// blocks between `scope` and `target` are substituted too. If the block is
// realized more than once under `scope`, the regions cover all realizations.
// Throws InternalError if `target` is not realized under `scope`.
//
// compute_at(producer, loop) asks for the consumer's reads during one iteration
// of `loop`, i.e. with the loop's own variable free:
//   VarDomains outer = enclosing_loop_domains(func->body, loop);
//   outer[loop_node->loop_var.get()] = Interval::from_extent(0, extent);
//   BlockAccess a = block_access_under(loop_node->body, consumer, outer);
// cache_read(block) asks for everything: block_access_under(func->body, block).
BlockAccess block_access_under(const Stmt& scope, const Block& target, const VarDomains& outer = {});

// The domains [0, extent - 1] of the loops that enclose `node` (found by identity)
// under `root`, `node` itself excluded. Empty if `node` is not under `root`.
// Loops whose extent has no upper bound get [0, +inf].
VarDomains enclosing_loop_domains(const Stmt& root, const Stmt& node);

}  // namespace weft::ir
