// Where the buffers of a CUDA kernel live, decided from where each allocation sits
// relative to the thread-bound loops (after buffer compaction) rather than from its
// declared scope alone, because the IR gives every execution of the allocating
// block its own buffer:
//
//   - allocated inside loops bound to every launched threadIdx axis: one buffer per
//     thread, a local array (whatever the declared scope; a note says so for
//     "shared");
//   - allocated outside every threadIdx loop: one buffer per thread block. Declared
//     "shared" -> `__shared__`, "shared.dyn" -> a slice of the dynamic shared
//     memory; any other scope stays a per-thread array when only code outside the
//     threadIdx loops uses it (every thread computes the same copy), and is
//     promoted to shared memory when threads use it (a note says so);
//   - allocated inside some threadIdx loops but not all: BuildError.
// In warp mode (tensor intrinsics, cuda_tensorcore.h) the lanes (threadIdx.x) are
// not counted for a buffer allocated inside the loops of every other launched
// axis: a fragment there is per-lane registers (and anywhere else a BuildError),
// a shared buffer one slice per warp of a block-wide array.
// A buffer allocated outside a launched blockIdx loop that uses it would need
// global memory shared by all thread blocks: BuildError.
//
// Stores to buffers every thread of a block sees (parameters, shared memory) from
// code outside the loops of some launched threadIdx axis would run once per
// thread of that axis: they are guarded to run in thread 0 of it. A parameter the
// kernel writes must be written and read inside the same blockIdx loops, covering
// every launched blockIdx axis (thread blocks cannot wait for each other):
// BuildError otherwise.
#pragma once

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "codegen/cuda_threads.h"
#include "ir/stmt.h"

namespace weft::codegen {

enum class StorageKind { PerThread, Shared, SharedDyn };

struct StoragePlan {
  std::unordered_map<const ir::BufferNode*, StorageKind> kind;  // every allocated buffer
  std::unordered_map<const ir::BufferNode*, std::string> note;  // why, where not the declared scope
  // Warp mode (cuda_tensorcore.h): shared buffers allocated inside the warp loops
  // (every launched axis but the lanes), one slice per warp.
  std::unordered_set<const ir::BufferNode*> per_warp;
  // threadIdx tags that must be 0 for a store to run (stores outside their loops).
  std::unordered_map<const ir::BufferStoreNode*, std::vector<std::string>> store_guards;

  // Parameters and shared buffers: what several threads can access.
  bool block_visible(const ir::BufferNode* buffer) const;
};

StoragePlan plan_storage(const ir::PrimFunc& func, const ThreadLayout& layout);

}  // namespace weft::codegen
