// Where a CUDA kernel needs `__syncthreads()`: between an access to a buffer that
// several threads of a block see (parameters, shared memory; cuda_storage.h) and a
// later access to the same buffer by other threads, when one of the two writes —
// before a read that follows a write (RAW), before a write that follows a write
// (WAW) or a read (WAR, e.g. refilling a shared tile in the next iteration of a
// loop, found by scanning loop bodies twice).
//
// A serial loop none of whose accesses conflict with each other (within one
// iteration or across iterations: a cooperative fetch, a compute loop that only
// reads shared tiles) gets its barrier before the loop rather than inside it.
//
// The plan is a set of statements to emit a barrier before. Barriers are placed
// only where every thread of the block arrives together ("uniform" code): not under
// a guarded thread loop (extent below the launch extent), a condition or a block
// predicate that depends on the thread index or on loaded values, a store guarded
// to thread 0, or a loop whose extent is not a constant. A statement of that kind
// is taken whole: the barrier goes before it, and when it needs one inside,
// BuildError names it.
//
// A software pipeline's wait scope (software_pipeline.h) always gets a barrier
// before it: the emitter puts its `cp.async.wait_group` there.
//
// Two accesses need no barrier when both run where every launched threadIdx axis
// is bound and their indices are the same expression (variables by identity,
// block iterators replaced by their bindings, loops bound to one axis identified)
// using every launched axis: each thread then touches its own elements (the
// assumption TVM's storage sync makes too); nor do two stores guarded to thread 0
// of every axis (cuda_storage.h). Everything else is synchronised.
#pragma once

#include <unordered_set>

#include "codegen/cuda_storage.h"
#include "codegen/cuda_threads.h"
#include "ir/stmt.h"

namespace weft::codegen {

struct BarrierPlan {
  std::unordered_set<const ir::StmtNode*> before;  // emit `__syncthreads();` right before these
};

// Kernels of one thread per block need no barrier (empty plan).
BarrierPlan plan_barriers(const ir::PrimFunc& func, const ThreadLayout& layout, const StoragePlan& storage);

}  // namespace weft::codegen
