// register-tiling (weft's CPU addition, before multi-level-tiling): the sketch of a
// hand-written GEMM micro-kernel for blocks with data reuse. The output tile of a
// register block (rows x columns, columns a multiple of the vector width) is
// accumulated over the whole reduction in a local cache that codegen keeps in
// registers, and written back (and its elementwise epilogue applied) per tile:
//
//   outer spatial loops, i0, j0, i1, reductions..., k1, i2, jv, jl
//
// j = the last spatial loop, split into j0, jv = v vectors of jl = the target's
// vector lanes; i = the spatial loop before it (sample_partial_tile: the register
// rows i2; i0 x i1 a perfect tile of the rest); k1 = the innermost reduction's
// inner factor (sample_perfect_tile, at most 8), unrolled, so that the
// micro-kernel's loop body holds k1 steps of FMAs: on a 2048 x 4096 x 1024 GEMM
// (2-core AVX2 EPYC) the kept 6 x 16 tile ran at 0.86-0.90x OpenBLAS with k1 = 1
// and at 1.02-1.03x with k1 = 8 unrolled. Everything else is fixed by
// construction, which is the point: multi-level-tiling's SSRSRS space holds this
// shape too, but one sample in a thousand lands on it (a 6 x 16 tile ran a 1024^3
// GEMM at 124-140 GFLOP/s on a 2-core AVX2 EPYC where the search's best SSRSRS
// samples reached about 100).
// The register file bounds the tile, so each vector count v (1 to 4, dividing the
// columns) is a sketch of its own and the rows are sampled between two bounds:
// at most (vector registers - 1) / v, so the rows x v accumulators and a
// broadcast fit in registers, and at least 8 / v, so 8 independent accumulators
// cover the FMA latency (4-5 cycles x 2 FMA pipes); at most 8 rows. With 16
// registers: v = 1: 8 rows, v = 2: 4-7, v = 3: 3-5, v = 4: 2-3. Sampled
// independently (rows 1-8, v a perfect tile of the columns, which puts v = 4 in
// nine samples of ten), a 1024^3 GEMM search met the 6 x 16 tile in none of its
// 64 trials and kept a 3 x 32 at 0.77x OpenBLAS; the 6 x 16 ran at 1.00x.
// The parallel postprocessor fuses the outer loops and i0 x j0 into an even split.
// Two states: that, and the same accumulator with the vectorized operand packed
// (cache_read into a contiguous K x columns panel) once per column panel:
//
//   outer spatial loops, j0, [pack the panel], i1, reductions..., k1, i2, jv, jl
//
// The panel loop is outside every row, so each panel is copied once (under a row
// block i0 a 2048 x 4096 x 1024 dense copied its 16-column panel of W, 16 KB
// apart per row, once per 36 rows and ran at 60 GFLOP/s; panel-outer ran at 100).
// In both states, an input the tile broadcasts (A of a GEMM) whose rows are a
// multiple of 4 KiB long is first copied whole, at the root, in blocks of the
// register rows (storage_block: A[i, k] stored as [i / rows][k][i % rows], the
// packed A panel of BLAS libraries). Read in place, the rows of one tile, read in
// step along k, all fall in one L1 set (64 sets of 64 bytes repeat every 4 KiB) and
// make as many prefetch streams; from the blocked copy the tile reads one
// contiguous stream. On a 2048 x 4096 x 1024 GEMM on one thread, the kept 6 x 16
// panel-outer record ran at 0.70x OpenBLAS reading A in place; copies with rows
// padded by 128 bytes and in blocks both lifted it to 0.8-0.9x (two threads:
// 0.84-0.97x), too close to tell apart on the test VM (bench/RESULTS.md). Blocks
// are kept as the general form: no pad constant, any row length, one stream. The
// copy is M x K of M x N x K work.
// The input state is returned first, untouched, so multi-level-tiling still adds
// its own.
#include "ir/dtype.h"
#include "rules/annotations.h"
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

constexpr const char* kStructure = "register";
constexpr int64_t kMaxRows = 8;
constexpr int64_t kMaxVectors = 4;
constexpr int64_t kMinAccumulators = 8;
constexpr int64_t kMaxReductionSteps = 8;  // the most reduction steps in the micro-kernel
constexpr int64_t kL1SetPeriodBytes = 4096;

class RegisterTiling : public ScheduleRule {
 public:
  std::string name() const override { return "register-tiling"; }
  std::string description() const override {
    return "CPU micro-kernel sketches, one per vector count (1-4): rows x vectors that fit the register file, "
           "accumulated over the whole reduction in a local cache, epilogue per tile, optional packing of the "
           "vectorized operand";
  }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch, const std::string& block_name,
                                     const Target& target) const override {
    sched::BlockSite site = site_of(sch, block_name);
    if (!needs_multi_level_tiling(site)) return {sch};
    const BlockNode& b = site.block();
    int64_t lanes = target.vector_bytes / std::max<int64_t>(1, dtype_bytes(b.writes[0].buffer->dtype));
    std::vector<size_t> spatial;
    for (size_t i = 0; i < b.iter_vars.size(); ++i)
      if (b.iter_vars[i].kind == IterKind::Spatial) spatial.push_back(i);
    if (lanes < 2 || spatial.size() < 2) return {sch};
    size_t rows = spatial[spatial.size() - 2], cols = spatial.back();
    int64_t col_extent = 0;
    if (!is_const_int(b.iter_vars[cols].dom.extent, &col_extent) || col_extent % lanes != 0) return {sch};

    std::vector<sched::Schedule> out = {sch};
    std::vector<std::string> aliased = row_aliased_broadcast_inputs(b, kL1SetPeriodBytes);
    std::vector<std::string> inputs = packable_inputs(b);
    sched::Schedule base = sch;
    for (int64_t vectors = 1; vectors <= kMaxVectors; ++vectors) {
      std::optional<Shape> shape = register_shape(vectors, col_extent / lanes, target);
      if (!shape) continue;
      sched::Schedule tiled = base.fork();
      if (try_transform(tiled, [&](sched::Schedule& s) {
            Tile t = tile(s, block_name, b, rows, cols, lanes, *shape, Layout::RowBlocks);
            block_rows(s, t, block_name, aliased);
          }))
        out.push_back(std::move(tiled));
      sched::Schedule packed = base.fork();
      if (!inputs.empty() && try_transform(packed, [&](sched::Schedule& s) {
            Tile t = tile(s, block_name, b, rows, cols, lanes, *shape, Layout::PanelOuter);
            block_rows(s, t, block_name, aliased);
            pack_inputs_at(s, t.block, block_name, inputs, t.j0, "global");
          }))
        out.push_back(std::move(packed));
    }
    return out;
  }

 private:
  // RowBlocks: outer, i0, j0, i1, k..., k1, i2, jv, jl. PanelOuter: outer, j0, i1,
  // k..., k1, i2, jv, jl (the rows in two factors: with the panel outside, a row
  // block would change nothing).
  enum class Layout { RowBlocks, PanelOuter };

  // The register tile of one sketch: `vectors` fixed, the rows sampled in [min_rows, max_rows].
  struct Shape {
    int64_t vectors, min_rows, max_rows;
  };

  // None when `vectors` does not divide the column vectors or leaves no register for a row.
  static std::optional<Shape> register_shape(int64_t vectors, int64_t column_vectors, const Target& target) {
    if (column_vectors % vectors != 0) return std::nullopt;
    int64_t max_rows = std::min<int64_t>(kMaxRows, (target.vector_registers - 1) / vectors);
    if (max_rows < 1) return std::nullopt;
    int64_t min_rows = std::min(max_rows, (kMinAccumulators + vectors - 1) / vectors);
    return Shape{vectors, min_rows, max_rows};
  }

  struct Tile {
    sched::BlockRV block;
    sched::LoopRV j0;    // the column panel loop
    sched::ExprRV rows;  // the register rows (sampled)
  };

  // Copies each of `inputs` at the root, stored in blocks of the tile's register
  // rows along its rows axis (the second-to-last).
  static void block_rows(sched::Schedule& s, const Tile& t, const std::string& block_name,
                         const std::vector<std::string>& inputs) {
    for (const std::string& input : inputs) {
      const BlockNode& b = site_of(s, block_name).block();
      int64_t index = read_index_of(b, input);
      int64_t axis = b.reads[index].buffer->ndim() - 2;
      sched::BlockRV copy = sched::cache_read(s, t.block, index, "global");
      sched::storage_block(s, copy, 0, axis, sched::Arg(t.rows));
    }
  }

  // Splits the last of `reductions` (of constant `extent`) into a perfect tile with
  // an inner factor of at most kMaxReductionSteps, unrolled; replaces it by the
  // outer loop and returns the inner one. Nullopt (nothing changed) for no
  // reduction or a variable extent.
  static std::optional<sched::LoopRV> split_innermost_reduction(sched::Schedule& s, const Expr& extent,
                                                                std::vector<sched::LoopRV>& reductions) {
    if (reductions.empty() || !is_const_int(extent)) return std::nullopt;
    std::vector<sched::ExprRV> steps = sched::sample_perfect_tile(s, reductions.back(), 2, kMaxReductionSteps);
    std::vector<sched::LoopRV> k =
        sched::split(s, reductions.back(), std::vector<sched::Arg>(steps.begin(), steps.end()));
    sched::unroll(s, k[1]);
    reductions.back() = k[0];
    return k[1];
  }

  // Splits and orders the loops, adds the accumulator and the epilogue under the
  // row tile.
  static Tile tile(sched::Schedule& s, const std::string& block_name, const BlockNode& b, size_t rows, size_t cols,
                   int64_t lanes, const Shape& shape, Layout layout) {
    sched::BlockRV block = sched::get_block(s, block_name);
    sched::annotate(s, sched::RV{sched::RVKind::Block, block.id}, ann::kTilingStructure, sched::Arg(kStructure));
    std::vector<sched::LoopRV> loops = sched::get_loops(s, block);
    int row_factors = layout == Layout::RowBlocks ? 3 : 2;
    std::vector<sched::ExprRV> row_tile_sizes =
        sched::sample_partial_tile(s, loops[rows], row_factors, shape.min_rows, shape.max_rows);
    std::vector<sched::LoopRV> i =
        sched::split(s, loops[rows], std::vector<sched::Arg>(row_tile_sizes.begin(), row_tile_sizes.end()));
    std::vector<sched::LoopRV> j_lanes = sched::split(s, loops[cols], {sched::Arg(), sched::Arg(lanes)});
    std::vector<sched::LoopRV> j = sched::split(s, j_lanes[0], {sched::Arg(), sched::Arg(shape.vectors)});
    sched::LoopRV row_tile = i[i.size() - 2], register_rows = i.back();
    std::vector<sched::LoopRV> order, reductions;
    Expr last_reduction_extent;
    for (size_t k = 0; k < loops.size(); ++k) {
      if (k == rows || k == cols) continue;
      bool spatial = b.iter_vars[k].kind == IterKind::Spatial;
      (spatial ? order : reductions).push_back(loops[k]);
      if (!spatial) last_reduction_extent = b.iter_vars[k].dom.extent;
    }
    if (layout == Layout::RowBlocks)
      order.insert(order.end(), {i[0], j[0], row_tile});
    else
      order.insert(order.end(), {j[0], row_tile});
    std::optional<sched::LoopRV> reduction_steps = split_innermost_reduction(s, last_reduction_extent, reductions);
    order.insert(order.end(), reductions.begin(), reductions.end());
    if (reduction_steps) order.push_back(*reduction_steps);
    order.insert(order.end(), {register_rows, j[1], j_lanes[1]});
    sched::reorder(s, order);
    std::optional<std::string> epilogue = elementwise_consumer(s, block_name);  // before the cache sits between
    sched::BlockRV write_back = sched::cache_write(s, block, 0, "local");
    sched::reverse_compute_at(s, write_back, row_tile, true);
    if (epilogue) sched::reverse_compute_at(s, sched::get_block(s, *epilogue), row_tile, true);
    return {block, j[0], row_tile_sizes.back()};
  }
};

const RegisterRule<RegisterTiling> kRegister;

}  // namespace
}  // namespace weft::rules
