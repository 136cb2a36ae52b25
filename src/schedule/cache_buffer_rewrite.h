// Buffer-level rewriting shared by the cache-stage and buffer primitives: swapping
// one buffer object for another in accesses, regions and allocations, and finding
// which blocks touch a buffer.
#pragma once

#include <string>
#include <vector>

#include "ir/stmt.h"

namespace weft::sched {

// What to rewrite when replacing a buffer: loads and read regions, stores and write
// regions, allocations. cache_read swaps reads only, cache_write reads and writes,
// set_scope everything.
struct BufferSwap {
  const ir::BufferNode* from = nullptr;
  ir::Buffer to;
  bool reads = true;
  bool writes = true;
  bool allocs = true;
};

ir::Stmt swap_buffer(const ir::Stmt& stmt, const BufferSwap& swap);
// The block (with its init, body, nested blocks, regions and allocations) rewritten.
ir::Block swap_buffer(const ir::Block& block, const BufferSwap& swap);

// Names of the blocks under `stmt` (nested ones included, `skip` and everything
// inside it excluded) that read / write `buffer`, by declared region or by access.
struct BufferUsers {
  std::vector<std::string> readers;
  std::vector<std::string> writers;
};
BufferUsers buffer_users(const ir::Stmt& stmt, const ir::BufferNode* buffer, const ir::BlockNode* skip = nullptr);

// Regions of `buffer` in `regions`, in order.
std::vector<ir::BufferRegion> regions_of(const std::vector<ir::BufferRegion>& regions, const ir::BufferNode* buffer);

// True if `buffer` is one of the function's parameters.
bool is_param(const ir::PrimFunc& func, const ir::BufferNode* buffer);

// "A[vi, 0:+8]", for messages.
std::string region_text(const ir::BufferRegion& region);

}  // namespace weft::sched
