#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "feature_test_util.h"
#include "ir/workload.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_cache.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/primitives_reduction.h"
#include "schedule/replay.h"

namespace weft::costmodel::testing {
namespace {

using namespace weft::sched;

ir::PrimFunc matmul64() { return ir::make_workload("matmul:M=64,N=64,K=64").func; }

// The row of the store that is not an init (the GEMM update).
const StoreFeatures& update_row(const ProgramFeatures& rows) {
  for (const StoreFeatures& r : rows)
    if (value(r, "loop.is_init_store") == 0 && value(r, "arith.float_mul") > 0) return r;
  throw UsageError("no update store");
}

TEST(Features, VersionAndLayoutArePinned) {
  // Saved models and database records carry the version: a change of the layout
  // must bump it (and this test) together.
  EXPECT_EQ(kFeatureVersion, 1);
  EXPECT_EQ(num_features(), 167);
  std::vector<std::string> names = feature_names();
  ASSERT_EQ(static_cast<int>(names.size()), num_features());
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size()) << "names must be unique";
  EXPECT_EQ(names.front(), "arith.float_add_sub");
  EXPECT_EQ(names.back(), "outer_prod.10");
}

TEST(Features, UnscheduledMatmulCountsFlopsOverTheWholeNest) {
  ProgramFeatures rows = extract_features(matmul64());
  ASSERT_EQ(rows.size(), 2u);  // the init store and the update store
  const StoreFeatures& init = rows[0];
  const StoreFeatures& update = rows[1];
  const double mnk = 64.0 * 64 * 64;
  EXPECT_FLOAT_EQ(value(update, "arith.float_mul"), log_scaled(mnk));
  EXPECT_FLOAT_EQ(value(update, "arith.float_add_sub"), log_scaled(mnk));
  EXPECT_FLOAT_EQ(value(update, "arith.float_fma"), log_scaled(mnk));
  EXPECT_FLOAT_EQ(value(update, "arith.float_flops"), log_scaled(2 * mnk));
  EXPECT_FLOAT_EQ(value(update, "arith.float_div"), 0);
  EXPECT_FLOAT_EQ(value(update, "loop.trip_count"), log_scaled(mnk));
  EXPECT_FLOAT_EQ(value(update, "loop.num_loops"), log_scaled(3));
  EXPECT_FLOAT_EQ(value(update, "loop.num_reduce_loops"), log_scaled(1));
  // The init runs once per output element: the k loop does not repeat it.
  EXPECT_FLOAT_EQ(value(init, "loop.is_init_store"), 1);
  EXPECT_FLOAT_EQ(value(init, "loop.trip_count"), log_scaled(64 * 64));
  EXPECT_FLOAT_EQ(value(init, "loop.num_loops"), log_scaled(2));
  EXPECT_FLOAT_EQ(value(init, "arith.float_mul"), 0);
  // Whole nest: 2*64^3 flops over the 3 * 64*64 * 4 bytes of A, B and C.
  EXPECT_FLOAT_EQ(value(update, "intensity.9"), log_scaled(2 * mnk / (3 * 64 * 64 * 4.0)));
  // One execution: 2 flops over 3 elements (C read and written at one address).
  EXPECT_FLOAT_EQ(value(update, "intensity.0"), log_scaled(2 / 12.0));
  EXPECT_FLOAT_EQ(value(update, "outer_prod.1"), log_scaled(64));
  EXPECT_FLOAT_EQ(value(update, "outer_prod.2"), log_scaled(64 * 64));
  EXPECT_FLOAT_EQ(value(update, "outer_prod.10"), log_scaled(mnk));
}

TEST(Features, BufferAccessesOfTheMatmul) {
  const StoreFeatures& row = update_row(extract_features(matmul64()));
  const double mnk = 64.0 * 64 * 64;
  // C is read and written (most bytes: slot 0), then A and B in order of access.
  EXPECT_FLOAT_EQ(value(row, "buf0.is_read_write"), 1);
  EXPECT_FLOAT_EQ(value(row, "buf0.bytes"), log_scaled(2 * mnk * 4));
  EXPECT_FLOAT_EQ(value(row, "buf0.unique_bytes"), log_scaled(64 * 64 * 4));
  EXPECT_FLOAT_EQ(value(row, "buf0.is_broadcast"), 1);  // k, the innermost loop, does not move C
  EXPECT_FLOAT_EQ(value(row, "buf0.reuse_loop"), 1);
  EXPECT_FLOAT_EQ(value(row, "buf0.reuse_count"), log_scaled(64));
  EXPECT_FLOAT_EQ(value(row, "buf0.reuse_dist_iter"), log_scaled(1));
  EXPECT_FLOAT_EQ(value(row, "buf1.is_read"), 1);
  EXPECT_FLOAT_EQ(value(row, "buf1.is_contiguous"), 1);  // A[i, k] along k
  EXPECT_FLOAT_EQ(value(row, "buf1.stride"), log_scaled(1));
  EXPECT_FLOAT_EQ(value(row, "buf1.unique_lines"), log_scaled(64 * 4));  // 64 rows of 256 bytes
  // A[i, k] does not depend on j: reused across j, every 64 iterations of k.
  EXPECT_FLOAT_EQ(value(row, "buf1.reuse_loop"), 1);
  EXPECT_FLOAT_EQ(value(row, "buf1.reuse_dist_iter"), log_scaled(64));
  EXPECT_FLOAT_EQ(value(row, "buf1.reuse_dist_bytes"), log_scaled(64 * 4));
  EXPECT_FLOAT_EQ(value(row, "buf2.stride"), log_scaled(64));  // B[k, j] along k jumps a row
  EXPECT_FLOAT_EQ(value(row, "buf2.is_contiguous"), 0);
  EXPECT_FLOAT_EQ(value(row, "buf2.is_global"), 1);
  EXPECT_FLOAT_EQ(value(row, "buf3.bytes"), 0);  // only three buffers
}

TEST(Features, ReorderMakesBContiguous) {
  Schedule sch(matmul64());
  BlockRV c = get_block(sch, "C");
  std::vector<LoopRV> l = get_loops(sch, c);
  reorder(sch, {l[0], l[2], l[1]});  // i, k, j
  const StoreFeatures& row = update_row(extract_features(sch.func()));
  EXPECT_FLOAT_EQ(value(row, "buf2.is_contiguous"), 1);  // B[k, j] along j
  EXPECT_FLOAT_EQ(value(row, "buf1.is_broadcast"), 1);   // A[i, k] does not move with j
}

TEST(Features, VectorizingTheInnerLoopShowsUp) {
  Schedule sch(matmul64());
  BlockRV c = get_block(sch, "C");
  std::vector<LoopRV> l = get_loops(sch, c);
  std::vector<LoopRV> j = split(sch, l[1], {Arg(), Arg(16)});
  reorder(sch, {l[0], j[0], l[2], j[1]});
  decompose_reduction(sch, c, l[2]);
  const StoreFeatures before = update_row(extract_features(sch.func()));
  EXPECT_FLOAT_EQ(value(before, "vectorized.count"), 0);
  vectorize(sch, j[1]);
  const StoreFeatures after = update_row(extract_features(sch.func()));
  EXPECT_FLOAT_EQ(value(after, "vectorized.count"), log_scaled(1));
  EXPECT_FLOAT_EQ(value(after, "vectorized.extent_product"), log_scaled(16));
  EXPECT_FLOAT_EQ(value(after, "vectorized.inner_extent"), log_scaled(16));
  EXPECT_FLOAT_EQ(value(after, "vectorized.is_innermost"), 1);
  EXPECT_FLOAT_EQ(value(after, "vectorized.is_outermost"), 0);
  EXPECT_FLOAT_EQ(value(after, "vectorized.depth"), log_scaled(4));
  // Everything else about the store is unchanged.
  int changed = 0;
  for (int f = 0; f < num_features(); ++f) changed += before[f] != after[f];
  EXPECT_EQ(changed, 5);
}

TEST(Features, ParallelOuterLoopAndUnrollShowUp) {
  Schedule sch(matmul64());
  BlockRV c = get_block(sch, "C");
  std::vector<LoopRV> l = get_loops(sch, c);
  parallel(sch, l[0]);
  unroll(sch, l[2]);
  annotate(sch, RV{RVKind::Loop, l[0].id}, "pragma_auto_unroll_max_step", Arg(int64_t{64}));
  for (const StoreFeatures& row : extract_features(sch.func())) {
    EXPECT_FLOAT_EQ(value(row, "parallel.count"), log_scaled(1));
    EXPECT_FLOAT_EQ(value(row, "parallel.is_outermost"), 1);
    EXPECT_FLOAT_EQ(value(row, "parallel.extent_product"), log_scaled(64));
    EXPECT_FLOAT_EQ(value(row, "parallel.depth"), log_scaled(1));
    EXPECT_FLOAT_EQ(value(row, "gpu.auto_unroll_max_step"), log_scaled(64));
  }
  const StoreFeatures& update = update_row(extract_features(sch.func()));
  EXPECT_FLOAT_EQ(value(update, "unrolled.is_innermost"), 1);
  EXPECT_FLOAT_EQ(value(update, "unrolled.inner_extent"), log_scaled(64));
}

TEST(Features, CacheWriteAddsAStoreAndALocalAllocation) {
  Schedule sch(matmul64());
  BlockRV c = get_block(sch, "C");
  std::vector<LoopRV> l = get_loops(sch, c);
  BlockRV w = cache_write(sch, c, 0, "local");
  reverse_compute_at(sch, w, l[1]);
  ProgramFeatures rows = extract_features(sch.func());
  ASSERT_EQ(rows.size(), 3u);  // init, update, write-back
  for (const StoreFeatures& row : rows) {
    EXPECT_FLOAT_EQ(value(row, "alloc.local_bytes"), log_scaled(64 * 64 * 4));
    EXPECT_FLOAT_EQ(value(row, "alloc.count"), log_scaled(1));
  }
  const StoreFeatures& update = update_row(rows);
  EXPECT_FLOAT_EQ(value(update, "buf0.is_global"), 0);  // the update now goes to C_local
  const StoreFeatures& copy = rows[2];
  EXPECT_FLOAT_EQ(value(copy, "arith.float_flops"), 0);
  EXPECT_FLOAT_EQ(value(copy, "loop.trip_count"), log_scaled(64 * 64));
}

TEST(Features, NonDivisibleSplitSetsThePredicateFlag) {
  Schedule sch(ir::make_workload("matmul:M=10,N=8,K=8").func);
  std::vector<LoopRV> l = get_loops(sch, get_block(sch, "C"));
  split(sch, l[0], {Arg(), Arg(4)});
  const StoreFeatures& row = update_row(extract_features(sch.func()));
  EXPECT_FLOAT_EQ(value(row, "loop.has_predicate"), 1);
  EXPECT_FLOAT_EQ(value(row, "loop.trip_count"), log_scaled(12 * 8 * 8));  // 3 x 4 rows, 2 padded
}

TEST(Features, MathCallsAreCounted) {
  ProgramFeatures rows = extract_features(ir::make_workload("dense_bias_gelu:M=8,N=8,K=8").func);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_FLOAT_EQ(value(rows[2], "arith.float_exp_like"), log_scaled(64));  // one erf per element
  EXPECT_FLOAT_EQ(value(rows[2], "arith.float_mul"), log_scaled(3 * 64));
}

// Every op of the library, unscheduled and replayed from a schedule: finite,
// non-negative, of the declared width and the same on every extraction.
TEST(Features, FiniteAndDeterministicOnEveryWorkload) {
  const std::vector<std::string> specs = {
      "matmul:M=13,N=7,K=5",        "batch_matmul:B=2,M=8,N=8,K=4", "conv2d:N=1,H=6,W=6,C=3,K=4,R=3,S=3",
      "dense_bias_gelu:M=8,N=16,K=4", "softmax:M=4,N=9",             "layernorm:M=4,N=8",
      "sum:A=4,B=5,C=6,axes=010",   "relu:M=3,N=5",
  };
  for (const std::string& spec : specs) {
    ir::Workload w = ir::make_workload(spec);
    ProgramFeatures a = extract_features(w.func);
    ASSERT_FALSE(a.empty()) << spec;
    for (const StoreFeatures& row : a) {
      ASSERT_EQ(static_cast<int>(row.size()), num_features()) << spec;
      for (int f = 0; f < num_features(); ++f) {
        EXPECT_TRUE(std::isfinite(row[f])) << spec << " " << feature_names()[f];
        EXPECT_GE(row[f], 0) << spec << " " << feature_names()[f];
      }
    }
    EXPECT_EQ(a, extract_features(w.func)) << spec;
    EXPECT_EQ(a, extract_features(ir::make_workload(spec).func)) << spec << ": a rebuilt program differs";
  }
}

TEST(Features, ReplayedScheduleGivesTheSameFeatures) {
  Schedule sch(matmul64());
  BlockRV c = get_block(sch, "C");
  std::vector<LoopRV> l = get_loops(sch, c);
  std::vector<LoopRV> i = split(sch, l[0], {Arg(), Arg(8)});
  std::vector<LoopRV> j = split(sch, l[1], {Arg(), Arg(16)});
  reorder(sch, {i[0], j[0], l[2], i[1], j[1]});
  decompose_reduction(sch, c, l[2]);
  vectorize(sch, j[1]);
  Schedule again = replay(Trace::parse_text(sch.trace().to_text()), matmul64());
  EXPECT_EQ(extract_features(sch.func()), extract_features(again.func()));
  EXPECT_NE(extract_features(sch.func()), extract_features(matmul64()));
}

}  // namespace
}  // namespace weft::costmodel::testing
