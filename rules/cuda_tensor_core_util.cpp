#include "rules/cuda_tensor_core_util.h"

#include <algorithm>

#include "rules/rule_util.h"
#include "schedule/error.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_blockize.h"
#include "schedule/primitives_cache.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/primitives_reduction.h"
#include "schedule/sampling.h"

namespace weft::rules::cuda {

using namespace ir;

namespace {

constexpr int64_t kTileM = 16, kTileN = 8, kTileK = 16;
constexpr int64_t kLanes = 32;
constexpr int64_t kCopyVector = 8;  // halves in one 16-byte copy
// Caps, in 16-element units (see the header).
constexpr int64_t kMaxBlockTilesM = 8, kMaxWarpTilesM = 4;
constexpr int64_t kMaxBlockTilesN = 4, kMaxWarpTilesN = 2;
constexpr int64_t kMaxKTiles = 4;

// The region indexes the given iterators one element each, in this order.
bool indexes(const BufferRegion& r, const std::vector<const VarNode*>& vars) {
  if (r.region.size() != vars.size()) return false;
  for (size_t d = 0; d < vars.size(); ++d) {
    int64_t extent = 0;
    if (r.region[d].min.get() != vars[d] || !is_const_int(r.region[d].extent, &extent) || extent != 1) return false;
  }
  return true;
}

int64_t extent_of(const IterVar& iv) {
  int64_t e = 0;
  return is_const_int(iv.dom.extent, &e) ? e : 0;
}

int64_t read_index(const BlockNode& b, const std::string& buffer) {
  for (size_t i = 0; i < b.reads.size(); ++i)
    if (b.reads[i].buffer->name == buffer) return static_cast<int64_t>(i);
  throw sched::ScheduleError("cuda-tensor-core-tiling: block '" + b.name + "' does not read '" + buffer + "'");
}

// Two nested sample_perfect_tile splits of `loop`: [outer, block tile] with the
// block tile <= max_block, then the block tile into [warps, warp tile] with the
// warp tile <= max_warp. Returns the three loops.
std::vector<sched::LoopRV> split_block_warp(sched::Schedule& s, sched::LoopRV loop, int64_t max_block,
                                            int64_t max_warp, const std::optional<std::vector<int64_t>>& block,
                                            const std::optional<std::vector<int64_t>>& warp) {
  std::vector<sched::ExprRV> b = sched::sample_perfect_tile(s, loop, 2, max_block, block);
  std::vector<sched::LoopRV> outer = sched::split(s, loop, {b[0], b[1]});
  std::vector<sched::ExprRV> w = sched::sample_perfect_tile(s, outer[1], 2, max_warp, warp);
  std::vector<sched::LoopRV> inner = sched::split(s, outer[1], {w[0], w[1]});
  return {outer[0], inner[0], inner[1]};
}

// A warp's copy of its tile: the two copy loops become [rounds, 32 lanes, 8-vector],
// the lanes bound to threadIdx.x, the vector loop one 16-byte (cp.async) copy.
void spread_copy_over_lanes(sched::Schedule& s, sched::BlockRV copy, bool async_copy) {
  std::vector<sched::LoopRV> loops = sched::get_loops(s, copy);
  sched::LoopRV rows = loops[loops.size() - 2], cols = loops.back();
  std::vector<sched::LoopRV> c = sched::split(s, cols, {sched::Arg(), kCopyVector});
  sched::LoopRV fused = sched::fuse(s, {rows, c[0]});
  std::vector<sched::LoopRV> f = sched::split(s, fused, {sched::Arg(), kLanes});
  sched::bind(s, f[1], "threadIdx.x");
  sched::unroll(s, f[0]);
  sched::vectorize(s, c[1]);
  if (async_copy) sched::annotate(s, sched::RV{sched::RVKind::Loop, c[1].id}, "async_copy", sched::Arg(int64_t{1}));
}

}  // namespace

std::optional<TensorCoreGemm> tensor_core_gemm(const sched::BlockSite& site) {
  const BlockNode& b = site.block();
  if (is_root(site) || !has_trivial_binding(site) || b.writes.size() != 1 || !b.init) return std::nullopt;
  size_t n = b.iter_vars.size();
  if (n < 3) return std::nullopt;
  for (size_t d = 0; d + 1 < n; ++d)
    if (b.iter_vars[d].kind != IterKind::Spatial) return std::nullopt;
  if (b.iter_vars[n - 1].kind != IterKind::Reduce) return std::nullopt;
  const IterVar &i = b.iter_vars[n - 3], &j = b.iter_vars[n - 2], &k = b.iter_vars[n - 1];
  int64_t M = extent_of(i), N = extent_of(j), K = extent_of(k);
  if (M <= 0 || N <= 0 || K <= 0 || M % kTileM || N % (2 * kTileN) || K % kTileK) return std::nullopt;
  std::vector<const VarNode*> lead;
  for (size_t d = 0; d + 3 < n; ++d) lead.push_back(b.iter_vars[d].var.get());
  auto with_lead = [&](const Var& x, const Var& y) {
    std::vector<const VarNode*> v = lead;
    v.push_back(x.get());
    v.push_back(y.get());
    return v;
  };
  const BufferRegion& c = b.writes[0];
  if (c.buffer->dtype != DType::f32 || !indexes(c, with_lead(i.var, j.var))) return std::nullopt;
  TensorCoreGemm g;
  g.lead = lead.size();
  for (const BufferRegion& r : b.reads) {
    if (r.buffer == c.buffer) continue;
    if (indexes(r, with_lead(i.var, k.var)) && g.a.empty()) g.a = r.buffer->name;
    else if (indexes(r, with_lead(k.var, j.var)) && g.b.empty()) g.b = r.buffer->name;
    else return std::nullopt;
  }
  if (g.a.empty() || g.b.empty()) return std::nullopt;
  DType ta = DType::f32, tb = DType::f32;
  for (const BufferRegion& r : b.reads) {
    if (r.buffer->name == g.a) ta = r.buffer->dtype;
    if (r.buffer->name == g.b) tb = r.buffer->dtype;
  }
  if (ta != tb || (ta != DType::f16 && ta != DType::bf16)) return std::nullopt;
  g.input_dtype = ta == DType::f16 ? "f16" : "bf16";
  return g;
}

void schedule_tensor_core_gemm(sched::Schedule& s, const std::string& block_name, const TensorCoreGemm& gemm,
                               const TensorCoreDecisions& d, const std::optional<std::string>& epilogue) {
  const std::string& t = gemm.input_dtype;
  sched::BlockRV block = sched::get_block(s, block_name);
  std::vector<sched::LoopRV> loops = sched::get_loops(s, block);
  std::vector<sched::LoopRV> lead(loops.begin(), loops.begin() + static_cast<long>(gemm.lead));
  sched::LoopRV li = loops[gemm.lead], lj = loops[gemm.lead + 1], lk = loops[gemm.lead + 2];
  // i: [bm, wm, tm] x 16; j: [bn, wn, tn] x [2, 8]; k: [k0, k1] x 16.
  std::vector<sched::LoopRV> i16 = sched::split(s, li, {sched::Arg(), kTileM});
  std::vector<sched::LoopRV> is =
      split_block_warp(s, i16[0], kMaxBlockTilesM, kMaxWarpTilesM, d.m_block, d.m_warp);
  std::vector<sched::LoopRV> j16 = sched::split(s, lj, {sched::Arg(), 2 * kTileN});
  std::vector<sched::LoopRV> js =
      split_block_warp(s, j16[0], kMaxBlockTilesN, kMaxWarpTilesN, d.n_block, d.n_warp);
  std::vector<sched::LoopRV> j8 = sched::split(s, j16[1], {2, kTileN});
  std::vector<sched::LoopRV> k16 = sched::split(s, lk, {sched::Arg(), kTileK});
  std::vector<sched::ExprRV> kf = sched::sample_perfect_tile(s, k16[0], 2, kMaxKTiles, d.k_split);
  std::vector<sched::LoopRV> ks = sched::split(s, k16[0], {kf[0], kf[1]});
  sched::reorder(s, {is[0], js[0], is[1], js[1], ks[0], ks[1], is[2], js[2], j8[0], i16[1], j8[1], k16[1]});
  if (!lead.empty()) sched::bind(s, lead.size() > 1 ? sched::fuse(s, lead) : lead[0], "blockIdx.z");
  sched::bind(s, is[0], "blockIdx.y");
  sched::bind(s, js[0], "blockIdx.x");
  sched::LoopRV warp = sched::fuse(s, {is[1], js[1]});
  sched::bind(s, warp, "threadIdx.y");
  sched::LoopRV k0 = ks[0], k1 = ks[1];
  // The warp's 16 x 16 tiles as one loop (never of extent 1), so the fill nest that
  // decompose_reduction copies has the same loops whatever the tile decisions
  // (it drops unit loops) and the trace replays with fresh decisions.
  sched::LoopRV warp_tiles = sched::fuse(s, {is[2], js[2], j8[0]});

  // Cache stages: the accumulator, the shared tiles, the fragments.
  sched::BlockRV write_back = sched::cache_write(s, block, 0, "frag.accumulator");
  sched::reverse_compute_at(s, write_back, warp);
  // A fused epilogue reads the warp's output tile back: stage it in shared memory
  // (one slice per warp).
  if (epilogue) sched::set_scope(s, write_back, 0, "shared");
  sched::BlockRV a_shared = sched::cache_read(s, block, read_index(site_of(s, block_name).block(), gemm.a), "shared");
  sched::compute_at(s, a_shared, k0);
  sched::BlockRV b_shared = sched::cache_read(s, block, read_index(site_of(s, block_name).block(), gemm.b), "shared");
  sched::compute_at(s, b_shared, k0);
  sched::BlockRV a_frag =
      sched::cache_read(s, block, read_index(site_of(s, block_name).block(), gemm.a + "_shared"), "frag.matrix_a");
  sched::compute_at(s, a_frag, k1);
  sched::BlockRV b_frag =
      sched::cache_read(s, block, read_index(site_of(s, block_name).block(), gemm.b + "_shared"), "frag.matrix_b");
  sched::compute_at(s, b_frag, k1);
  sched::BlockRV init = sched::decompose_reduction(s, block, k0);

  spread_copy_over_lanes(s, a_shared, d.async_copy);
  spread_copy_over_lanes(s, b_shared, d.async_copy);
  if (d.async_copy) {
    // The fetches of later k0 steps overlap the mma of this one (TVM's
    // software_pipeline_stage/order, reduced to a depth).
    std::optional<int64_t> choice;
    if (d.pipeline_depth) {
      auto at = std::find(kPipelineDepths.begin(), kPipelineDepths.end(), *d.pipeline_depth);
      if (at == kPipelineDepths.end())
        throw sched::ScheduleError("cuda-tensor-core-tiling: pipeline depth " + std::to_string(*d.pipeline_depth) +
                                   " is not one of 1, 2, 3");
      choice = at - kPipelineDepths.begin();
    }
    std::vector<double> uniform(kPipelineDepths.size(), 1.0 / static_cast<double>(kPipelineDepths.size()));
    sched::ExprRV depth = sched::sample_categorical(s, kPipelineDepths, uniform, choice);
    sched::annotate(s, sched::RV{sched::RVKind::Loop, k0.id}, "software_pipeline_depth", sched::Arg(depth));
  }

  // A fragment: [rows / 16] x 16 x 16 tiles, one ldmatrix.x4 each.
  std::vector<sched::LoopRV> fa = sched::get_loops(s, a_frag);
  std::vector<sched::LoopRV> fa_rows = sched::split(s, fa[fa.size() - 2], {sched::Arg(), kTileM});
  sched::unroll(s, fa_rows[0]);
  sched::tensorize(s, fa_rows[1], "cuda_ldmatrix_a_" + t);
  // B fragment: 16 x [cols / 8] x 8 tiles, one ldmatrix.x2.trans each.
  std::vector<sched::LoopRV> fb = sched::get_loops(s, b_frag);
  sched::LoopRV fb_rows = fb[fb.size() - 2];
  std::vector<sched::LoopRV> fb_cols = sched::split(s, fb.back(), {sched::Arg(), kTileN});
  sched::reorder(s, {fb_cols[0], fb_rows});
  sched::unroll(s, fb_cols[0]);
  sched::tensorize(s, fb_rows, "cuda_ldmatrix_b_" + t);
  // Accumulator fill: the loops below the warp, the 16 x 8 tile innermost.
  std::vector<sched::LoopRV> fi = sched::get_loops(s, init);
  sched::unroll(s, fi[fi.size() - 3]);
  sched::tensorize(s, fi[fi.size() - 2], "cuda_mma_fill_f32");
  // The mma tile.
  sched::unroll(s, k1);
  sched::unroll(s, warp_tiles);
  sched::tensorize(s, i16[1], "cuda_mma_m16n8k16_" + t + t + "f32");
  // Write-back: [rows / 16] x [cols / 8] tiles of 16 x 8.
  std::vector<sched::LoopRV> wb = sched::get_loops(s, write_back);
  std::vector<sched::LoopRV> wr = sched::split(s, wb[wb.size() - 2], {sched::Arg(), kTileM});
  std::vector<sched::LoopRV> wc = sched::split(s, wb.back(), {sched::Arg(), kTileN});
  sched::reorder(s, {wr[0], wc[0], wr[1]});
  sched::unroll(s, wr[0]);
  sched::unroll(s, wc[0]);
  sched::tensorize(s, wr[1], "cuda_mma_store_f32");

  if (!epilogue) return;
  // The epilogue's elements of the warp's tile, spread over the lanes.
  sched::BlockRV epi = sched::get_block(s, *epilogue);
  sched::reverse_compute_at(s, epi, warp);
  std::vector<sched::LoopRV> el = sched::get_loops(s, epi);
  sched::LoopRV fused = sched::fuse(s, {el[el.size() - 2], el.back()});
  std::vector<sched::LoopRV> lanes = sched::split(s, fused, {sched::Arg(), kLanes});
  sched::bind(s, lanes[1], "threadIdx.x");
}

}  // namespace weft::rules::cuda
