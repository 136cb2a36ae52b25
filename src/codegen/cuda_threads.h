// The thread structure of a CUDA kernel: which loops are bound to which hardware
// index, the launch shape that follows, and the checks that make the mapping sound.
//
// One kernel runs the whole PrimFunc. A loop bound to blockIdx.* / threadIdx.*
// becomes `const int64_t v = <tag>;`: each of its iterations runs in one thread
// (block). The launch extent of a tag is the largest extent of the loops bound to
// it; a loop with a smaller extent is guarded (`if (v < extent)`), so sibling
// nests may bind one tag with different extents. vthread.* loops are serial loops
// inside each thread (virtual threads). A program without any binding is a
// single-thread kernel (grid 1, block 1).
//
// A loop nested in a loop bound to the same tag is the same hardware index (TVM's
// semantics, what a cooperative fetch inside a tile's threadIdx.x loop relies on):
// both variables are that index. With the same extent it runs unguarded inside the
// outer loop; with a smaller one it is guarded (`if (v < extent)`). Under the
// interpreter (serial loops) each outer iteration runs the whole inner loop, which
// computes the same as long as the inner body does not use the outer variable.
//
// BuildError, naming the loop, for: a non-constant or non-positive extent; a tag
// bound inside a loop bound to the same tag with a larger extent (its iterations
// would need threads that do not exist) or whose body uses the outer loop's
// variable (each thread would run only the diagonal of the two loops); a blockIdx
// loop inside a threadIdx loop; more than 1024
// threads per block or a block/grid dimension over the device limits.
// With warp-level tensor intrinsics, threadIdx.x is the 32 lanes of a warp: it
// launches 32 whether bound or not, and a binding of another extent is a BuildError.
#pragma once

#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "codegen/cuda_kernel.h"
#include "ir/stmt.h"

namespace weft::codegen {

struct ThreadLayout {
  LaunchDims launch;
  // Thread-bound loops whose extent is below their tag's launch extent (or, nested
  // in a loop bound to the same tag, below that loop's extent).
  std::unordered_set<const ir::ForNode*> guarded;
  // The function has warp-level tensor intrinsics (cuda_tensorcore.h): threadIdx.x
  // is launched as the 32 lanes of each warp.
  bool warp_lanes = false;

  // Launch extent of "blockIdx.x" ... "threadIdx.z" (1 when unbound).
  int64_t extent(const std::string& tag) const;
  // Tags of the kind ("threadIdx" or "blockIdx") launched with more than one index.
  std::vector<std::string> launched(const std::string& kind) const;
};

bool is_block_tag(const std::string& tag);   // blockIdx.*
bool is_thread_tag(const std::string& tag);  // threadIdx.*

ThreadLayout analyze_threads(const ir::PrimFunc& func);

// Hardware limits checked by analyze_threads.
inline constexpr int64_t kMaxThreadsPerBlock = 1024;
inline constexpr std::array<int64_t, 3> kMaxBlockDims{1024, 1024, 64};
inline constexpr std::array<int64_t, 3> kMaxGridDims{2147483647, 65535, 65535};

}  // namespace weft::codegen
