// mutate-tile-size: one decision changes, the product of a perfect tile stays, the
// innermost limits hold, partial tiles (the CPU register tile's rows) get new
// heights, and the mutated trace replays and realizes correctly.
#include <optional>
#include <set>

#include "schedule/instruction.h"
#include "schedule/replay.h"
#include "search/mutator.h"
#include "search/space.h"
#include "space_test_util.h"

using namespace weft;
using namespace weft::search;
using namespace weft::search::testing;

namespace {

// The decisions of the tile instructions of `kind` ("": both kinds).
std::vector<std::vector<int64_t>> tiles_of(const sched::Trace& t, const std::string& kind = "") {
  std::vector<std::vector<int64_t>> out;
  for (const auto& inst : t.instructions()) {
    bool is_tile = inst.kind == "sample_perfect_tile" || inst.kind == "sample_partial_tile";
    if (!is_tile || (!kind.empty() && inst.kind != kind)) continue;
    std::vector<int64_t> tile;
    for (const auto& f : std::get<sched::Arg::List>(inst.decision->value)) tile.push_back(std::get<int64_t>(f.value));
    out.push_back(tile);
  }
  return out;
}

int64_t product(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (int64_t x : v) p *= x;
  return p;
}

// A trace whose tiles cannot change: only register rows of a single allowed
// height (one vector: 8 rows, or fewer when the loop is shorter) with no factor to
// move between outer tiles (one outer tile, or all of extent 1).
bool only_fixed_heights(const sched::Trace& t) {
  for (const auto& inst : t.instructions()) {
    if (inst.kind == "sample_perfect_tile") return false;
    if (inst.kind != "sample_partial_tile") continue;
    sched::ArgReader attrs(inst.kind, inst.inputs, inst.attrs);
    if (attrs.attr_int("min_innermost", 1) != attrs.attr_int("max_innermost")) return false;
    std::vector<int64_t> tile;
    for (const auto& f : std::get<sched::Arg::List>(inst.decision->value)) tile.push_back(std::get<int64_t>(f.value));
    tile.pop_back();
    if (tile.size() >= 2 && product(tile) > 1) return false;
  }
  return true;
}

TEST(MutateTileSize, KeepsProductsAndLimitsAndReplaysOnManySeeds) {
  auto mutator = make_mutate_tile_size();
  for (const char* spec : {"matmul:M=64,N=64,K=64", "matmul:M=12,N=18,K=30", "sum:A=2,B=1,C=256,axes=001",
                           "conv2d:N=1,H=6,W=6,C=4,K=8,R=3,S=3,pad=1"}) {
    ir::Workload w = ir::make_workload(spec);
    for (const sched::Trace& sketch : generate_design_space(w.func, cpu_target(), 1)) {
      if (tiles_of(sketch).empty()) continue;
      if (only_fixed_heights(sketch)) {
        Rng rng(1);
        EXPECT_FALSE(mutator->apply(sketch, w.func, rng)) << sketch.to_text();
        continue;
      }
      sched::Trace current = sketch;
      for (uint64_t seed = 0; seed < 40; ++seed) {
        Rng rng(seed);
        std::optional<sched::Trace> next = mutator->apply(current, w.func, rng);
        ASSERT_TRUE(next.has_value()) << spec;
        auto before = tiles_of(current), after = tiles_of(*next);
        ASSERT_EQ(before.size(), after.size());
        int changed = 0;
        for (size_t i = 0; i < before.size(); ++i) changed += before[i] != after[i];
        EXPECT_EQ(changed, 1) << spec;
        auto perfect_before = tiles_of(current, "sample_perfect_tile"), perfect = tiles_of(*next, "sample_perfect_tile");
        for (size_t i = 0; i < perfect.size(); ++i) {
          EXPECT_EQ(product(perfect_before[i]), product(perfect[i]));
          EXPECT_LE(perfect[i].back(), 64);
        }
        for (const auto& partial : tiles_of(*next, "sample_partial_tile")) EXPECT_LE(partial.back(), 8);
        // Only decisions change: same instruction kinds and arguments.
        ASSERT_EQ(next->size(), current.size());
        for (size_t i = 0; i < current.size(); ++i) {
          EXPECT_EQ(next->instructions()[i].kind, current.instructions()[i].kind);
          EXPECT_EQ(next->instructions()[i].inputs, current.instructions()[i].inputs);
        }
        sched::Schedule s = realize(*next, w.func, cpu_target());
        if (seed % 8 == 0) EXPECT_TRUE(sched::testing::same_results(w.func, s.func())) << next->to_text();
        current = *next;  // walk: mutations compose
      }
    }
  }
}

TEST(MutateTileSize, PartialTilesTryHeightsThatDoNotDivideTheRows) {
  // M = 50: the rows of the register tile take heights up to 8; the outer tiles
  // follow the height (ceil(50 / r)), which the trace does not record.
  ir::Workload w = ir::make_workload("matmul:M=50,N=32,K=16");
  auto mutator = make_mutate_tile_size();
  sched::Trace t = generate_design_space(w.func, cpu_target(), 1)[0];
  std::set<int64_t> heights;
  for (uint64_t seed = 0; seed < 120; ++seed) {
    Rng rng(seed);
    auto next = mutator->apply(t, w.func, rng);
    ASSERT_TRUE(next);
    auto rows = tiles_of(*next, "sample_partial_tile");
    ASSERT_EQ(rows.size(), 1u);
    int64_t r = rows[0].back(), outer = product(rows[0]) / r;
    EXPECT_EQ(outer, (50 + r - 1) / r) << next->to_text();
    heights.insert(r);
    if (seed % 20 == 0) EXPECT_TRUE(sched::testing::same_results(w.func, realize(*next, w.func, cpu_target()).func()));
    t = *next;
  }
  for (int64_t r : {3, 6, 7}) EXPECT_TRUE(heights.count(r)) << "height " << r << " never drawn";
}

// The register tile of two vectors (AVX2) samples 4-7 rows: new heights stay
// there and reach every one of them.
TEST(MutateTileSize, NewHeightsStayBetweenTheBoundsOfTheSample) {
  ir::Workload w = ir::make_workload("matmul:M=50,N=32,K=16");
  auto mutator = make_mutate_tile_size();
  std::optional<sched::Trace> t;
  for (const sched::Trace& sketch : generate_design_space(w.func, cpu_target(), 1))
    if (!t && sketch.to_text().find("max_innermost=7, min_innermost=4") != std::string::npos) t = sketch;
  ASSERT_TRUE(t) << "no register sketch of two vectors";
  std::set<int64_t> heights;
  for (uint64_t seed = 0; seed < 120; ++seed) {
    Rng rng(seed);
    auto next = mutator->apply(*t, w.func, rng);
    ASSERT_TRUE(next);
    auto rows = tiles_of(*next, "sample_partial_tile");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_GE(rows[0].back(), 4) << next->to_text();
    EXPECT_LE(rows[0].back(), 7) << next->to_text();
    heights.insert(rows[0].back());
    t = *next;
  }
  EXPECT_EQ(heights, (std::set<int64_t>{4, 5, 6, 7}));
}

TEST(MutateTileSize, RespectsTheInnermostLimit) {
  // K = 128 = 2^7 with max_innermost 64: the innermost never reaches 128.
  ir::Workload w = ir::make_workload("matmul:M=4,N=128,K=4");
  auto mutator = make_mutate_tile_size();
  sched::Trace t = generate_design_space(w.func, cpu_target())[0];
  for (uint64_t seed = 0; seed < 200; ++seed) {
    Rng rng(seed);
    auto next = mutator->apply(t, w.func, rng);
    ASSERT_TRUE(next);
    for (const auto& tile : tiles_of(*next)) EXPECT_LE(tile.back(), 64);
    t = *next;
  }
}

TEST(MutateTileSize, NothingToMutateWithoutTiles) {
  ir::Workload w = ir::make_workload("relu:M=7,N=9");
  auto mutator = make_mutate_tile_size();
  Rng rng(0);
  for (const auto& t : generate_design_space(w.func, cpu_target())) EXPECT_FALSE(mutator->apply(t, w.func, rng));
}

}  // namespace
