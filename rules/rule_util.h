// Read-only questions rules ask about a block before they change anything, so a
// rule that does not apply returns its input untouched (no lookups in the trace).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "schedule/ir_nav.h"
#include "schedule/schedule.h"

namespace weft::rules {

// The block's site; InternalError when it is missing (callers pass existing names).
sched::BlockSite site_of(const sched::Schedule& sch, const std::string& block_name);
bool is_root(const sched::BlockSite& site);

// Each iterator bound to exactly its own loop: as many loops as iterators, the
// i-th iterator's value is the i-th loop's variable.
bool has_trivial_binding(const sched::BlockSite& site);
// Every iterator spatial.
bool is_spatial(const ir::BlockNode& block);
bool has_annotation(const ir::BlockNode& block, const std::string& key);

// Sibling blocks (same parent block) that read a buffer `block` writes / write a
// buffer `block` reads, in program order.
std::vector<std::string> consumers_of(const sched::BlockSite& site);
std::vector<std::string> producers_of(const sched::BlockSite& site);
// True if `block` writes a parameter of the function (an output of the program).
bool writes_param(const ir::PrimFunc& func, const ir::BlockNode& block);

// MetaSchedule's test for data reuse worth tiling: a not-yet-tiled reduction block
// with trivial bindings, one write and some read that does not use one of the
// (non-unit) spatial iterators, e.g. matmul's A[i, k] does not use j.
bool needs_multi_level_tiling(const sched::BlockSite& site);

// Splits every loop of `block` (trivially bound: the i-th loop feeds the i-th
// iterator) into tiles for the levels of `structure` ("SSRSRS": S levels take the
// spatial loops, R levels the reduction loops) with sample_perfect_tile (innermost
// tile at most max_innermost) and reorders the tiles level by level. Returns the
// loops of each level, outermost first. Throws ScheduleError like the primitives.
// With max_row_tile > 0 the spatial loop before the last one (the rows of a
// register tile whose columns are the vectorized last axis) is split with
// sample_partial_tile instead, its innermost tile any height up to max_row_tile.
std::vector<std::vector<sched::LoopRV>> tile_by_structure(sched::Schedule& sch, sched::BlockRV block,
                                                          const ir::BlockNode& b, const std::string& structure,
                                                          int64_t max_innermost, int64_t max_row_tile = 0);

// The block's only consumer when it is a spatial block bound trivially to its own
// loops (an elementwise epilogue such as bias + gelu).
std::optional<std::string> elementwise_consumer(const sched::Schedule& sch, const std::string& block_name);

// Inputs worth packing on the CPU (read reuse): names of the buffers the block
// reads and does not write whose innermost index depends on the block's innermost
// non-unit spatial iterator and on no other iterator (the axis the innermost tile
// vectorizes, e.g. matmul's B[k, j]), and that leave some non-unit spatial
// iterator unused (so a copy is reused across that iterator's tiles). In read
// order, each once.
std::vector<std::string> packable_inputs(const ir::BlockNode& block);

// Inputs a register tile broadcasts whose rows alias in the L1 cache: names of the
// buffers the block reads and does not write, of rank >= 2, whose innermost index
// uses a reduction iterator and no spatial one (matmul's A[i, k]), and whose rows
// (the innermost extent) are a multiple of `period_bytes` long. In read order, each once.
std::vector<std::string> row_aliased_broadcast_inputs(const ir::BlockNode& block, int64_t period_bytes);

// The index of `buffer` in the block's reads; -1 when it does not read it.
int64_t read_index_of(const ir::BlockNode& block, const std::string& buffer);

// Read reuse: copies each of `inputs` (read by block `block_name`) with cache_read
// into `scope` and computes the copy at `loop`. Throws ScheduleError like the
// primitives.
void pack_inputs_at(sched::Schedule& s, sched::BlockRV block, const std::string& block_name,
                    const std::vector<std::string>& inputs, sched::LoopRV loop, const std::string& scope);

// Runs `transform` on a copy; returns false (and leaves `sch` as it was) when the
// transform throws ScheduleError, true (and `sch` transformed) otherwise.
bool try_transform(sched::Schedule& sch, const std::function<void(sched::Schedule&)>& transform);

}  // namespace weft::rules
