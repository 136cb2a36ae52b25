// Building and placing cache stages: a copy block under its own loops, inserted
// next to the block it serves (right before or after the outermost of its loops
// that allows it) in the same parent block, which allocates the cache.
//
//   for ax0 in range(16) {
//     for ax1 in range(8) {
//       block A_shared(v0: spatial(0, 16) = ax0, v1: spatial(0, 8) = ax1) {
//         reads(A[v0, v1])
//         writes(A_shared[v0, v1])
//         A_shared[v0, v1] = A[v0, v1]
//       }
//     }
//   }
//
// The copy block's iterators span the whole buffer (so later compute_at can rebind
// them); its loops span only the region copied, bound as `v = region.min + ax`.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "ir/interval.h"
#include "ir/stmt.h"
#include "schedule/ir_nav.h"

namespace weft::sched {

// Where a stage for a block goes: next to `outer`, the block's loop at `depth`
// (counted from the parent block down) or its realize when depth equals its loop
// count. `context` holds what is known about the variables visible there: the
// parent's iterator domains and the domains of the loops above `outer`.
struct StageSite {
  size_t depth = 0;
  ir::Stmt outer;
  ir::VarDomains context;
};
// The outermost site, from the parent block's body inward, whose `outer` passes
// `allowed`; nullopt when none does.
std::optional<StageSite> find_stage_site(const BlockSite& site, const std::function<bool(const ir::Stmt&)>& allowed);

// A copy of `region` from `src` to `dst` (same shape), element for element, in a
// block named `name`. A dimension whose extent is not constant loops up to its
// bound (or the buffer's size) under a predicate.
ir::Stmt make_copy_stage(const std::string& name, const ir::Buffer& src, const ir::Buffer& dst,
                         const ir::BufferRegion& region, const ir::VarDomains& context);

// `func` with `stage` put right before (or after) the statement at `depth` above
// block `block_name` (see StageSite), and `cache` allocated by the block's parent.
ir::PrimFunc insert_stage(const ir::PrimFunc& func, const std::string& block_name, size_t depth, const ir::Stmt& stage,
                          bool before, const ir::Buffer& cache);

// The scope as a name part: "shared" -> "shared", "frag.matrix_a" -> "frag_matrix_a".
std::string scope_word(const std::string& scope);

}  // namespace weft::sched
