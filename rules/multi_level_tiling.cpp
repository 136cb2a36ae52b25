// multi-level-tiling: MetaSchedule's MultiLevelTiling for a block with data reuse
// (see needs_multi_level_tiling). The structure string, "SSRSRS" on CPU, names the
// tile levels outermost first: each spatial loop is split by sample_perfect_tile
// into as many tiles as there are S's, each reduction loop into as many as R's
// (innermost tile at most max_innermost), and the tiles are reordered level by
// level. On the CPU the rows of the register tile (the spatial loop before the
// vectorized last one) take sample_partial_tile: any height up to 8, guarded when
// it does not divide the extent (codegen partitions the guard out of the tile). Write reuse ("may"): one state keeps the block writing its output
// directly; for each reuse level L, another computes into a cache_write buffer
// of the given scope whose write-back is reverse_compute_at the last loop of tile
// level L (CPU: levels 1 and 2, the two outer spatial levels), so the cache holds
// one tile of the output.
// Epilogue fusion (weft's addition, for EVT-style fused kernels): when the block's
// only consumer is a spatial elementwise block (a bias, an activation), further
// states reverse_compute_at that consumer at the end of tile level L, after the
// write-back when there is one, so the epilogue runs on the tile while it is hot
// and the intermediate shrinks to a tile (codegen's buffer compaction).
// Read reuse ("packing", weft's CPU addition): for each write-cache state (with
// the epilogue fused at its level when there is one), one more state copies every
// packable input (rule_util.h: the operand indexed innermost by the vectorized
// spatial axis, e.g. matmul's B[k, j]) with cache_read into a "global" buffer
// computed at the last loop of each read-reuse level (CPU: level 1, the outer
// spatial tile, where it holds a K x tile-of-j panel reused by every row tile
// below). Compaction makes the copy a contiguous panel per tile; the inputs that
// need no panel (A[i, k], read along k) stay where they are. Only the cached
// states get a packed twin, so a GEMM has 5 sketches, not 6.
#include <map>
#include <optional>

#include "rules/annotations.h"
#include "rules/rule.h"
#include "rules/rule_util.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_cache.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/sampling.h"
#include "support/error.h"

namespace weft::rules {
namespace {

using namespace ir;

struct WriteReuse {
  bool enabled = true;
  std::vector<int> levels;  // 1-based tile levels of the structure
  std::string scope;
};

struct ReadReuse {
  std::vector<int> levels;  // 1-based tile levels of the structure; empty: no packing
  std::string scope;
};

class MultiLevelTiling : public ScheduleRule {
 public:
  MultiLevelTiling(std::string rule_name, std::string structure, int64_t max_innermost, int64_t max_row_tile,
                   WriteReuse reuse, ReadReuse read_reuse)
      : name_(std::move(rule_name)), structure_(std::move(structure)), max_innermost_(max_innermost),
        max_row_tile_(max_row_tile), reuse_(std::move(reuse)), read_reuse_(std::move(read_reuse)) {
    for (size_t i = 0; i < structure_.size(); ++i) {
      if (structure_[i] == 'S') s_levels_.push_back(static_cast<int>(i));
      else if (structure_[i] == 'R') r_levels_.push_back(static_cast<int>(i));
      else throw InternalError("multi-level-tiling: structure '" + structure_ + "' may only hold S and R");
    }
    if (s_levels_.empty() || r_levels_.empty())
      throw InternalError("multi-level-tiling: structure '" + structure_ + "' needs an S and an R level");
    for (int level : reuse_.levels)
      if (level < 1 || level > static_cast<int>(structure_.size()))
        throw InternalError("multi-level-tiling: write-reuse level " + std::to_string(level) + " is outside '" +
                            structure_ + "'");
    for (int level : read_reuse_.levels)
      if (level < 1 || level > static_cast<int>(structure_.size()))
        throw InternalError("multi-level-tiling: read-reuse level " + std::to_string(level) + " is outside '" +
                            structure_ + "'");
  }

  std::string name() const override { return name_; }
  std::string description() const override {
    auto join = [](const std::vector<int>& levels) {
      std::string out;
      for (int l : levels) out += (out.empty() ? "" : ",") + std::to_string(l);
      return out;
    };
    std::string text = "tile blocks with data reuse as \"" + structure_ + "\" (innermost tile <= " +
                       std::to_string(max_innermost_) + "), optional " + reuse_.scope + " write cache at level " +
                       join(reuse_.levels);
    if (!read_reuse_.levels.empty())
      text += ", optional " + read_reuse_.scope + " packing of the vectorized operand at level " +
              join(read_reuse_.levels);
    return text;
  }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch, const std::string& block_name,
                                     const Target&) const override {
    sched::BlockSite site = site_of(sch, block_name);
    if (!needs_multi_level_tiling(site)) return {sch};
    const BlockNode& b = site.block();
    sched::Schedule tiled = sch;
    sched::BlockRV block;
    std::vector<std::vector<sched::LoopRV>> tiles;
    bool ok = try_transform(tiled, [&](sched::Schedule& s) {
      block = sched::get_block(s, block_name);
      sched::annotate(s, sched::RV{sched::RVKind::Block, block.id}, ann::kTilingStructure, sched::Arg(structure_));
      tiles = tile_by_structure(s, block, b, structure_, max_innermost_, max_row_tile_);
    });
    if (!ok) return {sch};
    if (!reuse_.enabled) return {tiled};
    return add_write_reuse(tiled, block, tiles);
  }

 private:
  // "may" reuse: the state without a cache, then one per level with it; then the
  // same states with the elementwise epilogue fused at that level.
  std::vector<sched::Schedule> add_write_reuse(sched::Schedule& tiled, sched::BlockRV block,
                                               const std::vector<std::vector<sched::LoopRV>>& tiles) const {
    std::vector<sched::Schedule> out;
    out.push_back(tiled.fork());
    std::optional<std::string> epilogue = elementwise_consumer(tiled, tiled.block_name(block));
    auto fuse_epilogue = [&](const sched::Schedule& base, int level) {
      sched::Schedule state = base;
      if (try_transform(state, [&](sched::Schedule& s) {
            sched::reverse_compute_at(s, sched::get_block(s, *epilogue), tiles[level - 1].back(), true);
          }))
        out.push_back(std::move(state));
    };
    // Cached states by level, the epilogue fused in when it could be: the bases of packing.
    std::map<int, sched::Schedule> pack_bases;
    std::vector<std::pair<int, sched::Schedule>> cached_states;
    sched::Schedule cached = tiled;
    sched::BlockRV write_back;
    if (try_transform(cached, [&](sched::Schedule& s) { write_back = sched::cache_write(s, block, 0, reuse_.scope); })) {
      for (int level : reuse_.levels) {
        const std::vector<sched::LoopRV>& loops = tiles[level - 1];
        if (loops.empty()) continue;
        sched::Schedule state = cached.fork();
        if (try_transform(state, [&](sched::Schedule& s) { sched::reverse_compute_at(s, write_back, loops.back(), true); })) {
          out.push_back(state);
          pack_bases.insert_or_assign(level, state);
          cached_states.emplace_back(level, std::move(state));
        }
      }
    }
    if (epilogue) {
      for (int level : reuse_.levels)
        if (!tiles[level - 1].empty()) fuse_epilogue(tiled.fork(), level);
      // With a write cache, the epilogue follows the write-back in the same tile loop.
      for (auto& [level, state] : cached_states) {
        size_t before = out.size();
        fuse_epilogue(state.fork(), level);
        if (out.size() > before) pack_bases.insert_or_assign(level, out.back());
      }
    }
    add_read_reuse(out, pack_bases, block, tiles);
    return out;
  }

  // One packed twin per base state and read-reuse level: every packable input is
  // cache_read into read_reuse_.scope and computed at the last loop of the level.
  void add_read_reuse(std::vector<sched::Schedule>& out, std::map<int, sched::Schedule>& bases,
                      sched::BlockRV block, const std::vector<std::vector<sched::LoopRV>>& tiles) const {
    if (read_reuse_.levels.empty() || bases.empty()) return;
    const sched::Schedule& any = bases.begin()->second;
    std::string block_name = any.block_name(block);
    std::vector<std::string> inputs = packable_inputs(site_of(any, block_name).block());
    if (inputs.empty()) return;
    for (auto& [write_level, base] : bases) {
      (void)write_level;
      for (int level : read_reuse_.levels) {
        if (tiles[level - 1].empty()) continue;
        sched::Schedule state = base.fork();
        if (try_transform(state, [&](sched::Schedule& s) {
              pack_inputs_at(s, block, block_name, inputs, tiles[level - 1].back(), read_reuse_.scope);
            }))
          out.push_back(std::move(state));
      }
    }
  }

  std::string name_, structure_;
  int64_t max_innermost_, max_row_tile_;
  WriteReuse reuse_;
  ReadReuse read_reuse_;
  std::vector<int> s_levels_, r_levels_;
};

// The CPU default (MetaSchedule's, with the write cache in local scope), plus
// packing of the vectorized operand at the outer spatial tile, and register-tile
// rows of any height up to 8 (sample_partial_tile): with 16 vector registers of 8
// floats, a 6 x 16 tile (12 accumulators) ran a 1032 x 1024 x 1024 GEMM at 122
// GFLOP/s against 91 for the 4 x 16 tile on a 2-core AVX2 EPYC, and 6 divides
// neither 1024 nor most other extents.
struct CpuMultiLevelTiling : MultiLevelTiling {
  CpuMultiLevelTiling()
      : MultiLevelTiling("multi-level-tiling", "SSRSRS", 64, 8, WriteReuse{true, {1, 2}, "local"},
                         ReadReuse{{1}, "global"}) {}
};

const RegisterRule<CpuMultiLevelTiling> kRegister;

}  // namespace
}  // namespace weft::rules
