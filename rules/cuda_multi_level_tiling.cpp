// cuda-multi-level-tiling: MetaSchedule's MultiLevelTiling with its CUDA defaults
// for a block with data reuse (needs_multi_level_tiling):
//   structure "SSSRRSRS": spatial loops are split into 5 tiles, reduction loops
//     into 3 (innermost tile at most 64), reordered level by level;
//   the three outer S levels are fused level by level and bound to blockIdx.x,
//     vthread.x and threadIdx.x;
//   local write reuse: the block accumulates into a cache_write buffer in "local"
//     scope whose write-back is reverse_compute_at the threadIdx.x loop (each
//     thread writes its own tile back), followed by a single elementwise epilogue
//     when there is one;
//   shared read reuse: each input is cache_read into "shared" and computed at the
//     outer reduction loop (level 4), so a thread block stages one K-slice of its
//     tiles; the copy block is annotated with a sampled vector length for the
//     rewrite-cooperative-fetch postprocessor, which spreads it over the threads.
// The threads-per-block limit (<= 1024) and the vthread limit (<= 8) are not
// constrained while sampling (sample_perfect_tile draws each loop independently);
// verify-gpu-code rejects the over-limit samples, as in MetaSchedule.
#include <set>

#include "rules/annotations.h"
#include "rules/cuda_util.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_cache.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/sampling.h"

namespace weft::rules {
namespace {

using namespace ir;

constexpr const char* kStructure = "SSSRRSRS";
constexpr int64_t kMaxInnermost = 64;
const char* const kTileBinds[] = {"blockIdx.x", "vthread.x", "threadIdx.x"};
constexpr int kReadReuseLevel = 4;   // 1-based: the first R level
constexpr int kWriteReuseLevel = 3;  // 1-based: the threadIdx.x level

// Names of the buffers the block reads and does not write, in read order.
std::vector<std::string> input_buffers(const BlockNode& b) {
  std::set<std::string> written, seen;
  for (const BufferRegion& w : b.writes) written.insert(w.buffer->name);
  std::vector<std::string> out;
  for (const BufferRegion& r : b.reads)
    if (!written.count(r.buffer->name) && seen.insert(r.buffer->name).second) out.push_back(r.buffer->name);
  return out;
}

int64_t read_index(const BlockNode& b, const std::string& buffer) {
  for (size_t i = 0; i < b.reads.size(); ++i)
    if (b.reads[i].buffer->name == buffer) return static_cast<int64_t>(i);
  return -1;
}

class CudaMultiLevelTiling : public ScheduleRule {
 public:
  std::string name() const override { return "cuda-multi-level-tiling"; }
  std::string description() const override {
    return "tile blocks with data reuse as \"SSSRRSRS\" bound to blockIdx/vthread/threadIdx, inputs staged in shared "
           "memory at the outer reduction tile, output accumulated in local memory";
  }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch, const std::string& block_name,
                                     const Target&) const override {
    sched::BlockSite site = site_of(sch, block_name);
    if (!needs_multi_level_tiling(site)) return {sch};
    const BlockNode& b = site.block();
    std::vector<std::string> inputs = input_buffers(b);
    std::optional<std::string> epilogue = elementwise_consumer(sch, block_name);
    sched::Schedule out = sch;
    sched::LoopRV thread_loop;
    std::vector<std::vector<sched::LoopRV>> tiles;
    bool ok = try_transform(out, [&](sched::Schedule& s) {
      sched::BlockRV block = sched::get_block(s, block_name);
      sched::annotate(s, sched::RV{sched::RVKind::Block, block.id}, ann::kTilingStructure, sched::Arg(kStructure));
      tiles = tile_by_structure(s, block, b, kStructure, kMaxInnermost);
      for (int level = 0; level < 3; ++level) {
        std::vector<sched::LoopRV>& loops = tiles[level];
        sched::LoopRV fused = loops.size() > 1 ? sched::fuse(s, loops) : loops[0];
        loops = {fused};
        sched::bind(s, fused, kTileBinds[level]);
      }
      thread_loop = tiles[kWriteReuseLevel - 1].back();
      sched::BlockRV write_back = sched::cache_write(s, block, 0, "local");
      sched::reverse_compute_at(s, write_back, thread_loop, true);
      for (const std::string& input : inputs) {
        int64_t index = read_index(site_of(s, block_name).block(), input);
        sched::BlockRV copy = sched::cache_read(s, block, index, "shared");
        sched::compute_at(s, copy, tiles[kReadReuseLevel - 1].back(), true);
        std::vector<double> uniform(cuda::kFetchVectorLengths.size(),
                                    1.0 / static_cast<double>(cuda::kFetchVectorLengths.size()));
        sched::ExprRV vector_length = sched::sample_categorical(s, cuda::kFetchVectorLengths, uniform);
        sched::annotate(s, sched::RV{sched::RVKind::Block, copy.id}, cuda::kCooperativeFetch, sched::Arg(vector_length));
      }
    });
    if (!ok) return {sch};
    // The elementwise epilogue runs on each thread's tile after its write-back;
    // when it cannot move there, auto-bind gives it a nest of its own.
    if (epilogue) {
      sched::Schedule fused = out;
      if (try_transform(fused, [&](sched::Schedule& s) {
            sched::reverse_compute_at(s, sched::get_block(s, *epilogue), thread_loop, true);
          }))
        return {fused};
    }
    return {out};
  }
};

const RegisterRule<CudaMultiLevelTiling> kRegister;

}  // namespace
}  // namespace weft::rules
