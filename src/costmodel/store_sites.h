// The stores of a scheduled PrimFunc and what surrounds each one: the loops above
// it (outermost first), the block iterators of every enclosing block written as
// expressions of those loops' variables, and the enclosing blocks. Feature
// extraction computes one row per site.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/stmt.h"
#include "ir/substitute.h"

namespace weft::costmodel {

struct SiteLoop {
  const ir::ForNode* node;
  int64_t extent;  // constant extent, or an upper bound of it (at least 1)
};

struct StoreSite {
  const ir::BufferStoreNode* store = nullptr;
  // Loops that repeat the store, outermost first. For an init store the loops that
  // only feed reduction iterators are left out: the init runs once per output.
  std::vector<SiteLoop> loops;
  int num_reduce_loops = 0;  // loops (of `loops`) that only feed reduction iterators
  ir::VarMap bindings;       // iterators of enclosing blocks -> expressions of loop variables
  std::vector<const ir::BlockNode*> blocks;  // enclosing blocks, root first, the store's own last
  bool is_init = false;
  bool has_predicate = false;  // a non-trivial block predicate or an if around the store
};

// Sites in program order. The func must outlive them (they point into its IR).
std::vector<StoreSite> collect_store_sites(const ir::PrimFunc& func);

}  // namespace weft::costmodel
