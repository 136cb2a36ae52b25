// What the CUDA rules and GPU postprocessors share: the thread-extent candidates,
// the annotation keys they leave for each other, and binding a loop nest to
// blockIdx.x x threadIdx.x.
//
// Thread-binding semantics the rules rely on (TVM's): every loop bound to one tag
// inside one blockIdx nest is the same hardware index (a cooperative fetch's
// threadIdx.x loop nested in the tile's threadIdx.x loop is the same thread, with
// the same extent); a thread loop whose extent is smaller than the block's is
// guarded (`if (threadIdx.x < extent)`); each top-level loop nest of the root
// block is one kernel launch. The IR interpreter runs thread-bound loops as
// serial loops, which computes the same values (the nested fetch loop only
// repeats identical copies), so schedules are checked against it. The emitter
// implements both: codegen/cuda_threads.h (nested same-tag loops) and
// codegen/cuda_split_kernels.h (one kernel per top-level nest, global scratch).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schedule/schedule.h"

namespace weft::rules::cuda {

// MetaSchedule's thread extents for auto-bind (warp multiples up to the limit).
inline const std::vector<int64_t> kThreadExtents = {32, 64, 128, 256, 512, 1024};
// MetaSchedule's thread extents for cross-thread reduction.
inline const std::vector<int64_t> kReductionThreadExtents = {4, 8, 16, 32, 64, 128, 256, 512};
// Vector lengths a cooperative fetch may load with (f32: up to one 16-byte load).
inline const std::vector<int64_t> kFetchVectorLengths = {1, 2, 4};
inline constexpr int64_t kMaxThreadsPerBlock = 1024;

// On a cache_read copy block of cuda-multi-level-tiling: the sampled vector length
// of its cooperative fetch (rewritten by the rewrite-cooperative-fetch postprocessor).
inline constexpr const char* kCooperativeFetch = "cooperative_fetch";

// True when some loop above the block (or the block's own nest) is bound to a
// thread axis whose tag starts with `prefix` ("blockIdx", "threadIdx").
bool under_thread_axis(const ir::PrimFunc& func, const std::string& block_name, const std::string& prefix);
// True when the top-level loop nest holding the block binds any loop.
bool nest_is_bound(const ir::PrimFunc& func, const std::string& block_name);

// The outer loops of the block's nest that auto-bind may fuse: from the root
// downwards, serial, constant, feeding only spatial iterators of every block under
// them, each the only statement of its parent (except the last). Empty when the
// block's outermost loop does not qualify.
std::vector<ir::Stmt> bindable_outer_loops(const ir::PrimFunc& func, const std::string& block_name);

// Fuses the bindable outer loops of the block's nest, splits the fused loop into
// [ceil(extent / threads), threads] and binds blockIdx.x and threadIdx.x.
// `threads` is an integer or a value handle. Returns false (schedule unchanged)
// when nothing is bindable; ScheduleError from the primitives otherwise.
bool bind_block_thread(sched::Schedule& sch, const std::string& block_name, const sched::Arg& threads);

// The product of the extents of the block's bindable outer loops (0 if none).
int64_t bindable_extent(const ir::PrimFunc& func, const std::string& block_name);

// Samples a thread extent from `candidates` (uniformly among those not above
// `extent`; the smallest candidate when all are, or `extent` itself when it is
// below every candidate). Recorded as a sample_categorical.
sched::ExprRV sample_thread_extent(sched::Schedule& sch, const std::vector<int64_t>& candidates, int64_t extent);

}  // namespace weft::rules::cuda
