// register-tiling: the micro-kernel sketches' loop order and extents, one pair
// (row blocks, packed panel) per vector count with rows the register file holds,
// the local accumulator and the epilogue under the row tile, where it does not
// apply, its states against the interpreter, and realized samples compiled and run
// by the CPU runtime.
#include <array>
#include <map>
#include <stdexcept>

#include "ir/printer.h"
#include "ir/storage_align.h"
#include "rule_test_util.h"
#include "rules/annotations.h"
#include "rules/rule_util.h"
#include "runtime/evaluate.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "search/space.h"

using namespace weft;
using namespace weft::rules::testing;

namespace {

int64_t extent(const ir::Stmt& loop) {
  int64_t e = -1;
  ir::is_const_int(loop.as<ir::ForNode>()->extent, &e);
  return e;
}

bool is_register_tiled(const sched::Schedule& s, const std::string& block) {
  const auto& ann = sched::find_block(s.func(), block)->block().annotations;
  auto it = ann.find(rules::ann::kTilingStructure);
  return it != ann.end() && std::get<std::string>(it->second) == "register";
}

// The sample_partial_tile of the register rows in a register-tiling state.
const sched::Instruction& partial_tile_of(const sched::Schedule& s) {
  for (const sched::Instruction& inst : s.trace().instructions())
    if (inst.kind == "sample_partial_tile") return inst;
  throw std::runtime_error("no sample_partial_tile in\n" + s.trace().to_text());
}

// The register rows the state sampled: the last factor of its sample_partial_tile.
int64_t sampled_register_rows(const sched::Schedule& s) {
  return std::get<int64_t>(std::get<sched::Arg::List>(partial_tile_of(s).decision->value).back().value);
}

// The states after the untouched one come in pairs per vector count v (1, 2, 4
// for 64 / 8 = 8 column vectors): row blocks, then the packed panel. With 16 AVX2
// registers the rows are 8 for v = 1, 4-7 for v = 2, 2-3 for v = 4.
TEST(RegisterTiling, GemmLoopsAreOuterTilesRowTileWholeReductionThenTheRegisterTile) {
  ir::Workload w = ir::make_workload("matmul:M=30,N=64,K=20");
  const std::vector<std::array<int64_t, 3>> shapes = {{1, 8, 8}, {2, 4, 7}, {4, 2, 3}};  // v, least and most rows
  for (uint64_t seed : {1, 2, 3, 4, 5}) {
    auto states = apply_rule("register-tiling", w.func, "C", seed);
    ASSERT_EQ(states.size(), 1 + 2 * shapes.size());
    EXPECT_TRUE(states[0].trace().instructions().empty());  // untouched, for multi-level-tiling
    for (size_t k = 1; k < states.size(); ++k) {
      const sched::Schedule& s = states[k];
      const auto [v, least_rows, most_rows] = shapes[(k - 1) / 2];
      const bool packed = k % 2 == 0;
      ASSERT_TRUE(is_register_tiled(s, "C")) << s.trace().to_text();
      auto compute = *sched::find_block(s.func(), "C");
      // Row blocks: i0 j0 i1 | k0 k1 | i2 jv jl; packed: j0 i1 | k0 k1 | i2 jv jl
      // (the init block is split off by codegen later, not here).
      size_t tile = packed ? 1 : 2;  // the row tile's position
      ASSERT_EQ(compute.loops.size(), tile + 6) << ir::to_text(s.func());
      int64_t i0 = packed ? 1 : extent(compute.loops[0]), j0 = extent(compute.loops[tile - 1]);
      int64_t i1 = extent(compute.loops[tile]), i2 = extent(compute.loops[tile + 3]);
      // The whole reduction inside the row tile, its inner factor (at most 8) unrolled.
      int64_t k0 = extent(compute.loops[tile + 1]), k1 = extent(compute.loops[tile + 2]);
      EXPECT_EQ(k0 * k1, 20);
      EXPECT_LE(k1, 8);
      EXPECT_EQ(compute.loops[tile + 2].as<ir::ForNode>()->for_kind, ir::ForKind::Unrolled);
      EXPECT_EQ(extent(compute.loops[tile + 4]), v);
      EXPECT_EQ(extent(compute.loops[tile + 5]), 8);  // one AVX2 vector of f32
      EXPECT_GE(i2, least_rows);
      EXPECT_LE(i2, most_rows);
      EXPECT_EQ(i0 * i1, (30 + i2 - 1) / i2);
      EXPECT_EQ(j0 * v * 8, 64);
      // The accumulator is written back under the row tile: its block shares the loops down to it.
      auto write_back = *sched::find_block(s.func(), "C_local");
      ASSERT_EQ(write_back.loops.size(), tile + 3) << ir::to_text(s.func());
      for (size_t l = 0; l <= tile; ++l)
        EXPECT_TRUE(write_back.loops[l].same_as(compute.loops[l])) << ir::to_text(s.func());
      EXPECT_EQ(count_kind(s.trace(), "cache_read"), packed ? 1 : 0);
      if (!packed) continue;
      // The packed panel of B is copied under j0, outside every row: a K x (v x 8) panel.
      auto copy = *sched::find_block(s.func(), "B_global");
      ASSERT_EQ(copy.loops.size(), 3u) << ir::to_text(s.func());
      EXPECT_TRUE(copy.loops[0].same_as(compute.loops[0]));
      EXPECT_EQ(extent(copy.loops[1]), 20);
      EXPECT_EQ(extent(copy.loops[2]) * extent(compute.loops[0]), 64);
    }
    expect_states_correct(states, w.func);
  }
}

// The rows' bounds as the trace records them, per vector count, for 16 registers
// of 8 floats (AVX2) and 32 of 16 (AVX-512): at most (registers - 1) / v rows (and
// 8), at least 8 / v; v = 3 only where it divides the column vectors. Rows shorter
// than the floor are one tile.
TEST(RegisterTiling, EachVectorCountIsASketchWithRowsTheRegisterFileHolds) {
  Target avx512 = cpu_target(4, 64);
  avx512.arch = "x86_64-avx512";
  avx512.vector_registers = 32;
  struct Case {
    const char* spec;
    Target target;
    std::map<int64_t, std::pair<int64_t, int64_t>> rows;  // v -> least and most rows
  };
  for (const Case& c : {Case{"matmul:M=50,N=96,K=8", cpu_target(), {{1, {8, 8}}, {2, {4, 7}}, {3, {3, 5}}, {4, {2, 3}}}},
                        Case{"matmul:M=50,N=64,K=8", cpu_target(), {{1, {8, 8}}, {2, {4, 7}}, {4, {2, 3}}}},
                        Case{"matmul:M=50,N=192,K=8", avx512, {{1, {8, 8}}, {2, {4, 8}}, {3, {3, 8}}, {4, {2, 7}}}}}) {
    ir::Workload w = ir::make_workload(c.spec);
    std::map<int64_t, std::pair<int64_t, int64_t>> seen;
    for (uint64_t seed : {1, 2, 3}) {
      auto states = apply_rule("register-tiling", w.func, "C", seed, c.target);
      ASSERT_EQ(states.size(), 1 + 2 * c.rows.size()) << c.spec;
      for (size_t k = 1; k < states.size(); ++k) {
        auto compute = *sched::find_block(states[k].func(), "C");
        size_t n = compute.loops.size();
        int64_t v = extent(compute.loops[n - 2]), rows = extent(compute.loops[n - 3]);
        ASSERT_TRUE(c.rows.count(v)) << c.spec << ": " << v << " vectors";
        const sched::Instruction& sample = partial_tile_of(states[k]);
        sched::ArgReader attrs(sample.kind, sample.inputs, sample.attrs);
        seen[v] = {attrs.attr_int("min_innermost", 1), attrs.attr_int("max_innermost")};
        EXPECT_EQ(seen[v], c.rows.at(v)) << c.spec << "\n" << states[k].trace().to_text();
        EXPECT_GE(rows, seen[v].first);
        EXPECT_LE(rows, seen[v].second);
      }
    }
    EXPECT_EQ(seen.size(), c.rows.size()) << c.spec;
  }
  ir::Workload short_rows = ir::make_workload("matmul:M=3,N=16,K=8");
  for (const sched::Schedule& s : apply_rule("register-tiling", short_rows.func, "C", 1))
    if (!s.trace().instructions().empty())
      EXPECT_EQ(sampled_register_rows(s), 3);
}

TEST(RegisterTiling, DenseEpilogueRunsPerRowTile) {
  ir::Workload w = ir::make_workload("dense_bias_gelu:M=13,N=32,K=9");
  auto states = apply_rule("register-tiling", w.func, "matmul", 3);
  ASSERT_EQ(states.size(), 7u);  // 1, 2 and 4 vectors, each with rows in blocks and packed
  for (size_t k = 1; k < states.size(); ++k) {
    auto compute = *sched::find_block(states[k].func(), "matmul");
    auto epilogue = *sched::find_block(states[k].func(), "bias_gelu");
    size_t shared = k % 2 == 1 ? 3 : 2;  // i0 j0 i1, or j0 i1
    ASSERT_GE(epilogue.loops.size(), shared) << ir::to_text(states[k].func());
    for (size_t l = 0; l < shared; ++l)
      EXPECT_TRUE(epilogue.loops[l].same_as(compute.loops[l])) << ir::to_text(states[k].func());
  }
  expect_states_correct(states, w.func);
}

TEST(RegisterTiling, BatchMatmulAndConvKeepTheirOuterLoopsOutside) {
  for (const char* spec : {"batch_matmul:B=3,M=12,N=16,K=10", "conv2d:N=1,H=6,W=6,C=4,K=8,R=3,S=3,pad=1",
                           "conv2d:N=2,H=7,W=5,C=3,K=16,R=3,S=2,stride=2"}) {
    ir::Workload w = ir::make_workload(spec);
    std::string block = sched::all_block_names(w.func).back();
    for (const std::string& name : sched::all_block_names(w.func))
      if (name != "root" && rules::needs_multi_level_tiling(*sched::find_block(w.func, name))) block = name;
    for (uint64_t seed : {1, 2}) {
      auto states = apply_rule("register-tiling", w.func, block, seed);
      ASSERT_GE(states.size(), 3u) << spec;
      for (size_t k = 1; k < states.size(); ++k) {
        auto compute = *sched::find_block(states[k].func(), block);
        // The batch (n, h for conv) loops stay outermost, untouched.
        size_t outer = std::string(spec).rfind("conv2d", 0) == 0 ? 2 : 1;
        for (size_t l = 0; l < outer; ++l)
          EXPECT_EQ(extent(compute.loops[l]), extent(sched::find_block(w.func, block)->loops[l])) << spec;
        EXPECT_EQ(extent(compute.loops.back()), 8) << spec;
      }
      expect_states_correct(states, w.func);
    }
  }
}

// Rows a multiple of 4 KiB long (K = 1024 f32) would put a tile's rows in one L1 set:
// every state copies the broadcast operand whole, at the root, in blocks of its
// register rows. The vectorized operand B and short rows (the first test's K = 20)
// get no such copy.

TEST(RegisterTiling, BroadcastRowsOfFourKibAreCopiedInBlocksOfTheRegisterRowsAtTheRoot) {
  for (const char* spec : {"matmul:M=12,N=16,K=1024", "batch_matmul:B=2,M=6,N=16,K=1024"}) {
    ir::Workload w = ir::make_workload(spec);
    const std::string block = std::string(spec).rfind("matmul", 0) == 0 ? "C" : sched::all_block_names(w.func).back();
    auto states = apply_rule("register-tiling", w.func, block, 2);
    ASSERT_EQ(states.size(), 5u) << spec;  // 1 and 2 vectors
    for (size_t k = 1; k < states.size(); ++k) {
      const sched::Schedule& s = states[k];
      auto copy = sched::find_block(s.func(), "A_global");
      ASSERT_TRUE(copy) << spec << "\n" << ir::to_text(s.func());
      // Its own loops only, so not under any loop of the tile: a whole copy at the root.
      EXPECT_EQ(copy->loops.size(), static_cast<size_t>(w.func->params[0]->ndim())) << ir::to_text(s.func());
      const auto& ann = copy->block().annotations;
      auto it = ann.find(ir::storage_block_key("A_global"));
      ASSERT_NE(it, ann.end()) << ir::to_text(s.func());
      std::string expected =
          std::to_string(w.func->params[0]->ndim() - 2) + "," + std::to_string(sampled_register_rows(s));
      EXPECT_EQ(std::get<std::string>(it->second), expected);
      EXPECT_NE(s.trace().to_text().find("storage_block(b"), std::string::npos) << s.trace().to_text();
      auto b_copy = sched::find_block(s.func(), "B_global");
      EXPECT_EQ(b_copy.has_value(), k % 2 == 0) << "only the packed states copy B";
      if (b_copy) EXPECT_FALSE(b_copy->block().annotations.count(ir::storage_block_key("B_global")));
      // Compiled with the blocked layout, run, and checked against the interpreter.
      runtime::EvalOptions options;
      options.runner.repeats = 1;
      runtime::EvalResult r = runtime::evaluate_cpu(w, s.func(), options);
      EXPECT_EQ(r.check, "pass") << spec << ": " << r.check_message;
    }
    expect_states_correct(states, w.func);
  }
}

TEST(RegisterTiling, DoesNotApplyWithoutReuseOrWithColumnsNotAVectorMultiple) {
  for (const char* spec : {"matmul:M=8,N=12,K=8", "matmul:M=8,N=1,K=8"}) {
    ir::Workload w = ir::make_workload(spec);
    auto states = apply_rule("register-tiling", w.func, "C", 1);
    ASSERT_EQ(states.size(), 1u) << spec;
    EXPECT_TRUE(states[0].trace().instructions().empty()) << spec;
  }
  ir::Workload relu = ir::make_workload("relu:M=4,N=64");
  std::string block = sched::all_block_names(relu.func).back();
  EXPECT_EQ(apply_rule("register-tiling", relu.func, block, 1).size(), 1u);
  // Already tiled: multi-level-tiling leaves it alone, and so does register-tiling.
  ir::Workload w = ir::make_workload("matmul:M=16,N=16,K=8");
  auto states = apply_rule("register-tiling", w.func, "C", 1);
  EXPECT_EQ(rules::find_rule("register-tiling").apply(states[1], "C", cpu_target()).size(), 1u);
  EXPECT_EQ(rules::find_rule("multi-level-tiling").apply(states[1], "C", cpu_target()).size(), 1u);
}

// Through the whole CPU path: the design space ends with the register sketches
// (1, 2 and 4 vectors, rows in blocks and packed); fresh samples realize (the
// register tile's vectors vectorized, a parallel loop outside: with N / 8 >= 8
// there are at least two j0 tiles), equal the interpreter, and compile and run
// (one sample of each sketch).
TEST(RegisterTiling, RealizedSamplesCompileAndRunCorrectly) {
  int compiled = 0;
  for (const char* spec : {"matmul:M=37,N=64,K=32", "dense_bias_gelu:M=16,N=64,K=24"}) {
    ir::Workload w = ir::make_workload(spec);
    std::vector<sched::Trace> space = search::generate_design_space(w.func, cpu_target(2), 7);
    ASSERT_GE(space.size(), 6u);
    for (size_t k = space.size() - 6; k < space.size(); ++k) {
      ASSERT_NE(space[k].to_text().find("\"register\""), std::string::npos) << space[k].to_text();
      for (uint64_t seed : {21, 22, 23}) {
        sched::Schedule s = search::realize(search::without_decisions(space[k]), w.func, cpu_target(2), seed);
        std::string text = ir::to_text(s.func());
        EXPECT_NE(text.find(") vectorized {"), std::string::npos) << spec << "\n" << text;
        EXPECT_NE(text.find(") parallel {"), std::string::npos) << spec << "\n" << text;
        EXPECT_TRUE(sched::testing::same_results(w.func, s.func(), seed)) << spec << "\n" << s.trace().to_text();
        if (seed != 21) continue;
        runtime::EvalOptions options;
        options.runner.repeats = 1;
        runtime::EvalResult r = runtime::evaluate_cpu(w, s.func(), options);
        EXPECT_EQ(r.check, "pass") << spec << ": " << r.check_message << "\n" << text;
        ++compiled;
      }
    }
  }
  EXPECT_EQ(compiled, 12);
}

}  // namespace
