// Multi-stage software pipelining of cp.async fetches (TVM's InjectSoftwarePipeline,
// reduced to the shape tensor-core GEMMs have), an IR-to-IR pass emit_cuda runs
// after buffer compaction.
//
// The request is one schedule annotation on a serial loop (the GEMM's k0 loop):
// `software_pipeline_depth = N`. Its body must be, after compaction,
//
//   for k in range(K):                     (constant K)
//     [blocks allocating the fetched tiles]
//       fetch_1 ... fetch_f                every store under an `async_copy` loop,
//                                          writing shared tiles allocated there
//       compute_1 ... compute_c            reads the tiles, no async copies, no
//                                          other shared tile written
//
// and becomes, with D = min(N, K) stages and every fetched tile T given a leading
// stage dimension of D (D times the shared memory, which the emitter's and the
// verifier's shared-memory checks then see):
//
//   [allocation blocks, hoisted out of k]
//     for s in range(D - 1) unrolled annotate(async_commit_group=1):
//       fetch(k := s) into T[s]                                   prologue
//     for k in range(K) annotate(async_pipeline_stages=D):
//       for c in range(1) annotate(async_commit_group=1):
//         if k + D - 1 < K: fetch(k := k + D - 1) into T[(k + D - 1) % D]
//       for w in range(1) annotate(async_wait_group=D-1):
//         compute reading T[k % D]
//
// The two marker loops (extent 1, so ir::interpret runs the program unchanged and
// gives the unpipelined result) tell the emitter: `async_commit_group` commits the
// cp.async copies of each iteration as one group (an empty group when the fetch is
// skipped, so the count stays right); `async_wait_group = W` waits until at most W
// groups are in flight (`cp.async.wait_group W`) and always gets a `__syncthreads()`
// from the barrier pass (barrier_insertion.h), which publishes stage k % D to every
// warp. The barrier pass adds the one before the fetch (the slot it refills was
// read by the previous iteration), which waits for nothing: the copies in flight
// fill other stages. So D - 1 fetches overlap the mma of each step.
//
// N = 1, or K = 1, leaves the loop single-stage (the annotation is dropped). A loop
// the pass cannot pipeline (non-constant extent, thread-bound, fetch not at the top
// of the body, a fetch that is not all cp.async, a tile allocated elsewhere, nested
// requests) is a BuildError naming the function and the loop.
#pragma once

#include "ir/stmt.h"

namespace weft::codegen {

// The schedule-level request (on the loop) and the markers the pass leaves.
inline constexpr const char* kSoftwarePipelineDepthKey = "software_pipeline_depth";
inline constexpr const char* kAsyncCommitGroupKey = "async_commit_group";
inline constexpr const char* kAsyncWaitGroupKey = "async_wait_group";
inline constexpr const char* kAsyncPipelineStagesKey = "async_pipeline_stages";

// `func` with every loop annotated software_pipeline_depth lowered as above
// (unchanged when none is). Run it on compacted buffers (compact_buffers.h).
ir::PrimFunc software_pipeline(const ir::PrimFunc& func);

// The integer annotation `key` of a loop, or -1 when it has none.
int64_t loop_annotation_int(const ir::ForNode& loop, const char* key);

}  // namespace weft::codegen
