// Shared machinery of the compute-location primitives (compute_at,
// reverse_compute_at, compute_inline, reverse_compute_inline and
// sample_compute_location):
//   - block-shape queries: single-store bodies, point accesses by iterators;
//   - who touches a buffer: params, allocations, every block in program order;
//   - a block's scope: its siblings in program order and where a loop sits among them;
//   - regenerating a block's loops over a region when it moves under a loop, and
//     whether its reduction bindings allow that (compute_location_bindings.cpp).
// Each primitive's core is a pure function PrimFunc -> PrimFunc that throws
// ScheduleError, so legality can be tested (sample_compute_location) without
// touching any schedule.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ir/interval.h"
#include "ir/stmt.h"
#include "schedule/ir_nav.h"
#include "schedule/schedule.h"

namespace weft::sched::compute_location {

// ---- block shape -------------------------------------------------------------------

// The store when the block's body is one BufferStore, else null.
const ir::BufferStoreNode* single_store(const ir::BlockNode& block);
// Index of the iterator `e` is (as a bare variable), or -1.
int iterator_index(const ir::BlockNode& block, const ir::Expr& e);
// For an access `indices` where every index is a distinct iterator of `block`:
// the iterator index of each dimension. nullopt otherwise.
std::optional<std::vector<int>> iterator_dims(const ir::BlockNode& block, const std::vector<ir::Expr>& indices);
// The same for a point region (every extent 1).
std::optional<std::vector<int>> iterator_dims(const ir::BlockNode& block, const ir::BufferRegion& region);
// Domains of the block's iterators that have constant bounds.
ir::VarDomains iterator_domains(const ir::BlockNode& block);
// "B[vi, vj]" / "B[vi, 0:+4]": a region for messages.
std::string region_text(const ir::BufferRegion& region);

bool declares_read(const ir::BlockNode& block, const ir::Buffer& buffer);
bool declares_write(const ir::BlockNode& block, const ir::Buffer& buffer);
// Name of the first buffer `block` reads that `writer` writes, or "".
std::string first_dependence(const ir::BlockNode& reader, const ir::BlockNode& writer);

// ---- buffers and blocks of a function --------------------------------------------

bool is_param(const ir::PrimFunc& func, const ir::Buffer& buffer);
bool is_allocated(const ir::PrimFunc& func, const ir::Buffer& buffer);
// `func` without `buffer` in the allocations of the block that allocates it.
ir::PrimFunc drop_alloc(const ir::PrimFunc& func, const ir::Buffer& buffer);

// A realized block and the names of the blocks enclosing it (outermost first).
struct RealizedBlock {
  ir::Stmt realize;
  std::vector<std::string> ancestors;
  const ir::BlockNode& block() const { return *realize.as<ir::BlockRealizeNode>()->block; }
};
// Every block of the function but the root, in program order.
std::vector<RealizedBlock> all_blocks(const ir::PrimFunc& func);
// True if `other` is `site`'s block or encloses it: such blocks declare the
// block's accesses as their own and are not separate readers or writers.
bool is_self_or_ancestor(const RealizedBlock& other, const std::string& block_name,
                         const std::vector<std::string>& block_ancestors);

// ---- a block's scope -----------------------------------------------------------

// The sibling blocks of a block (the block realizes directly under its parent
// block, not inside other blocks), in program order.
struct Scope {
  std::vector<ir::Stmt> siblings;
  size_t self = 0;  // index of the block itself

  const ir::BlockNode& block(size_t i) const { return *siblings[i].as<ir::BlockRealizeNode>()->block; }
  std::optional<size_t> index_of(const std::string& name) const;
};
Scope scope_of(const BlockSite& site);

// Where a loop of the same scope sits: the siblings under it are [first, last).
struct LoopSpan {
  size_t first = 0, last = 0;
  bool contains(size_t i) const { return first <= i && i < last; }
};
LoopSpan loop_span(const Scope& scope, const LoopSite& loop);

// The statements of a loop body (one, or the members of its sequence).
std::vector<ir::Stmt> loop_children(const ir::ForNode& loop);
// True if a sibling block realized under `stmt` satisfies `pred`.
bool any_block_under(const ir::Stmt& stmt, const std::function<bool(const ir::BlockNode&)>& pred);
// `loop` with `stmt` inserted into its body before child `index`.
ir::Stmt insert_into_loop(const ir::ForNode& loop, const ir::Stmt& stmt, size_t index);

// The domains of the loops around a point inside `loop`'s body: its enclosing
// loops and the loop itself.
ir::VarDomains domains_inside(const ir::PrimFunc& func, const LoopSite& loop);

// ---- regenerating loops --------------------------------------------------------

// What one iterator of a moved block must cover: a region [min, min + extent) of
// values (symbolic in the loops outside), or its whole domain when unset.
using IterCover = std::optional<ir::Range>;

// Builds the loop nest that realizes `realize`'s block over `covers` (one per
// iterator), to be placed where `outer` gives the domains of the enclosing loops.
// One loop ax<k> per iterator, in iterator order, of constant extent (an upper
// bound of the cover's extent); an iterator binds to `cover.min + ax<k>`. Loops
// of extent 1 are left out unless `preserve_unit_loops`. The predicate keeps each
// iterator inside its cover and its domain (the old predicate guarded the old
// loops and is dropped). `fail` reports a cover whose extent has no bound.
ir::Stmt regenerate_loops(const ir::BlockRealizeNode& realize, const std::vector<IterCover>& covers,
                          const ir::VarDomains& outer, bool preserve_unit_loops,
                          const std::function<void(const std::string&)>& fail);

// ---- bindings of a moved block ---------------------------------------------------

// Why rebuilding one loop per reduction iterator of the block at `site` over its
// whole domain would not run the same updates, or "" when it would: the
// reduction iterators must be bound by +, -, * and // and % of constants to
// loops of their own (feeding no spatial iterator and none in `staying`, the
// loops that enclose the new location), each binding taking every value of its
// domain, and together every combination exactly once (a bijection from the
// loops, as after split and fuse). A predicate may only cut a binding at the
// end of its domain (a non-divisible split).
std::string reduction_binding_problem(const BlockSite& site, const ir::VarDomains& staying);

// ---- sampled locations -----------------------------------------------------------

// Decisions of sample_compute_location that stand for no loop.
constexpr int64_t kComputeRoot = -1;
constexpr int64_t kComputeInline = -2;
// The loop variables behind the root / inline handles (they name no loop).
const ir::Var& root_sentinel();
const ir::Var& inline_sentinel();
// kComputeRoot / kComputeInline when `loop` is a handle sample_compute_location
// returned for that decision, else nullopt (an ordinary loop handle).
std::optional<int64_t> sentinel_of(const Schedule& sch, LoopRV loop);

}  // namespace weft::sched::compute_location
