// Where the buffers a function allocates are accessed: for every buffer that a
// block allocates, each load and store of it with the loops around it (below the
// allocating block) and its indices in loop variables only (block iterators are
// replaced by their bindings, through every enclosing block). This is what buffer
// compaction (compact_buffers.h) needs to decide where an allocation can move and
// how small it can get.
#pragma once

#include <unordered_set>
#include <vector>

#include "ir/interval.h"
#include "ir/stmt.h"

namespace weft::codegen {

struct SiteLoop {
  const ir::ForNode* loop = nullptr;
  ir::Interval domain;  // [0, extent - 1]; open above when the extent has no bound
  int child = 0;        // which statement of the loop's body (a sequence) holds the site; 0 otherwise
};

struct AccessSite {
  bool write = false;
  std::vector<ir::Expr> indices;  // in loop variables (and constants) only
  std::vector<SiteLoop> loops;    // enclosing loops under the allocating block, outermost first
  // Number of loops (of `loops`) around the innermost condition the site is under
  // (an `if`, a block predicate other than `true`, a block init); -1 if none.
  int condition_depth = -1;
  bool affine = true;  // indices free of loads and calls
};

struct BufferUse {
  ir::Buffer buffer;
  const ir::BlockNode* allocator = nullptr;
  std::vector<AccessSite> sites;  // in program order
};

struct BufferSites {
  std::vector<BufferUse> uses;  // one per allocated buffer, in order of allocation
  // Loops that occur more than once in the tree (shared nodes): nothing may be
  // allocated inside them, the rewrite could not tell the copies apart.
  std::unordered_set<const ir::ForNode*> shared_loops;
};

BufferSites collect_buffer_sites(const ir::PrimFunc& func);

// True when `e` reads a buffer or calls a function (so it is not a plain index).
bool has_load_or_call(const ir::Expr& e);

}  // namespace weft::codegen
