// Traces: text and JSON round trips, replay with recorded and overridden
// decisions, determinism, dead-instruction removal and errors.
#include "schedule/instruction.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/replay.h"
#include "schedule/sampling.h"
#include "schedule_test_util.h"

#include <set>

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

namespace {

// A small tiled schedule exercising every instruction of the core families.
Schedule tiled(uint64_t seed) {
  Schedule sch(matmul_func(16, 12, 8), seed);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  auto ti = sample_perfect_tile(sch, loops[0], 2, 8);
  auto tj = sample_perfect_tile(sch, loops[1], 2, 4);
  auto i = split(sch, loops[0], {Arg(ti[0]), Arg(ti[1])});
  auto j = split(sch, loops[1], {Arg(tj[0]), Arg(tj[1])});
  reorder(sch, {i[0], j[0], i[1], j[1]});
  LoopRV outer = fuse(sch, {i[0], j[0]});
  parallel(sch, outer);
  ExprRV unroll_steps = sample_categorical(sch, {0, 16, 64}, {0.2, 0.3, 0.5});
  annotate(sch, RV{RVKind::Loop, outer.id}, "unroll_max", Arg(int64_t{16}));
  annotate(sch, RV{RVKind::Block, c.id}, "note", Arg("tiled"));
  unannotate(sch, RV{RVKind::Block, c.id}, "note");
  vectorize(sch, j[1]);
  unroll(sch, loops[2]);
  (void)unroll_steps;
  get_child_blocks(sch, get_block(sch, "root"));
  return sch;
}

}  // namespace

TEST(Trace, TextRoundTripsExactly) {
  Schedule sch = tiled(7);
  std::string text = sch.trace().to_text();
  EXPECT_NE(text.find("b0 = get_block(\"C\")"), std::string::npos) << text;
  EXPECT_NE(text.find("l1, l2, l3 = get_loops(b0)"), std::string::npos) << text;
  EXPECT_NE(text.find("sample_perfect_tile(l1, n=2, max_innermost=8) -> ["), std::string::npos) << text;
  EXPECT_NE(text.find("sample_categorical(candidates=[0, 16, 64], probs=[0.20000000000000001, 0.29999999999999999, 0.5]) -> "),
            std::string::npos)
      << text;
  Trace parsed = Trace::parse_text(text, "t.trace");
  EXPECT_EQ(parsed.to_text(), text);
}

TEST(Trace, JsonRoundTripsExactly) {
  Schedule sch = tiled(7);
  std::string json = sch.trace().to_json();
  Trace parsed = Trace::parse_json(json, "t.json");
  EXPECT_EQ(parsed.to_json(), json);
  EXPECT_EQ(parsed.to_text(), sch.trace().to_text());
}

TEST(Trace, EveryRegisteredInstructionKindRoundTrips) {
  // One line per kind with representative arguments of every type; parse, print, parse.
  std::string text;
  for (const std::string& kind : instruction_kind_names()) {
    const InstructionKind& k = instruction_kind(kind);
    std::string line = (k.output_kind == RVKind::Block ? "bx_" : (k.output_kind == RVKind::Loop ? "lx_" : "vx_")) + kind +
                       " = " + kind + "(\"s\", 3, -2, 0.5, None, [1, [2]], key=\"v\")";
    if (k.sampling) line += " -> [4, 2]";
    text += line + "\n";
  }
  Trace t = Trace::parse_text(text, "all.trace");
  EXPECT_EQ(t.size(), instruction_kind_names().size());
  EXPECT_EQ(Trace::parse_text(t.to_text()).to_text(), t.to_text());
  EXPECT_EQ(Trace::parse_json(t.to_json()).to_text(), t.to_text());
}

TEST(Trace, SameSeedSameTraceDifferentSeedDifferentDecisions) {
  EXPECT_EQ(tiled(3).trace().to_text(), tiled(3).trace().to_text());
  std::set<std::string> traces;
  for (uint64_t s = 0; s < 8; ++s) traces.insert(tiled(s).trace().to_text());
  EXPECT_GT(traces.size(), 1u);
}

TEST(Replay, PrintedTraceGivesIdenticalIR) {
  Schedule sch = tiled(11);
  Trace parsed = Trace::parse_text(sch.trace().to_text());
  Schedule again = replay(parsed, matmul_func(16, 12, 8), 999);  // seed irrelevant: decisions recorded
  EXPECT_EQ(ir::to_text(again.func()), ir::to_text(sch.func()));
  EXPECT_EQ(again.trace().to_text(), sch.trace().to_text());
  EXPECT_TRUE(same_results(matmul_func(16, 12, 8), again.func()));
}

TEST(Replay, OverriddenDecisionChangesTheProgram) {
  Schedule sch = tiled(11);
  const auto& insts = sch.trace().instructions();
  size_t tile_index = 2;
  ASSERT_EQ(insts[tile_index].kind, "sample_perfect_tile");
  Trace changed = sch.trace().with_decision(tile_index, Arg(Arg::List{Arg(2), Arg(8)}));
  Schedule again = replay(changed, matmul_func(16, 12, 8));
  EXPECT_NE(ir::to_text(again.func()).find("for i_1 in range(8)"), std::string::npos) << ir::to_text(again.func());
  EXPECT_TRUE(same_results(matmul_func(16, 12, 8), again.func()));
  // An invalid decision is caught on replay.
  Trace bad = sch.trace().with_decision(tile_index, Arg(Arg::List{Arg(3), Arg(5)}));
  EXPECT_SCHEDULE_ERROR(replay(bad, matmul_func(16, 12, 8)), "decision [3, 5] is not 2 positive factors of 16");
  EXPECT_SCHEDULE_ERROR(sch.trace().with_decision(0, Arg(1)), "is not a sampling instruction");
}

TEST(Replay, OnAnotherWorkloadFailsClearly) {
  Schedule sch = tiled(5);
  EXPECT_SCHEDULE_ERROR(replay(sch.trace(), matmul_func(15, 12, 8)),
                        "replay failed at instruction 2 (sample_perfect_tile)");
  ir::PrimFunc other = ir::parse_func(
      "func f(A: f32[4]) {\n  block root() {\n    for i in range(4) {\n      block D(v: spatial(0, 4) = i) {\n"
      "        A[v] = f32(1)\n      }\n    }\n  }\n}\n");
  EXPECT_SCHEDULE_ERROR(replay(sch.trace(), other), "replay failed at instruction 0 (get_block): get_block: no block named 'C'");
}

TEST(Trace, DeadInstructionRemoval) {
  Schedule sch(matmul_func());
  BlockRV c = get_block(sch, "C");
  get_loops(sch, c);                               // unused: dead
  sample_categorical(sch, {1, 2}, {0.5, 0.5});     // unused: dead
  auto loops = get_loops(sch, c);
  split(sch, loops[0], {Arg(4), Arg()});
  Trace live = sch.trace().without_dead_instructions();
  EXPECT_EQ(live.size(), 3u) << live.to_text();
  EXPECT_EQ(ir::to_text(replay(live, matmul_func()).func()), ir::to_text(sch.func()));
}

TEST(Trace, ParseErrorsNamePositions) {
  auto expect_error = [](const std::string& text, const std::string& fragment) {
    try {
      Trace::parse_text(text, "hand.trace");
      ADD_FAILURE() << "expected a ParseError with " << fragment;
    } catch (const ParseError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_error("b0 = get_block(\"C\")\nl1 = split(l9, [2, 2])\n", "hand.trace:2:12: unknown handle 'l9'");
  expect_error("b0 = frobnicate(1)\n", "hand.trace:1:6: unknown instruction 'frobnicate'");
  expect_error("b0 = get_block(\"C\") -> 3\n", "get_block takes no decision");
  expect_error("b0 = get_block(\"C\"\n", "hand.trace:2:1: expected ')'");
  expect_error("b0 = get_block(\"C\")\nb0 = get_block(\"C\")\n", "handle 'b0' is defined twice");
  EXPECT_THROW(Trace::parse_json("{\"version\": 2, \"instructions\": []}"), ParseError);
  EXPECT_THROW(Trace::parse_json("{\"instructions\": [{\"kind\": 3}], \"version\": 1}"), ParseError);
  EXPECT_THROW(Trace::parse_json("not json"), ParseError);
}

TEST(Trace, HandWrittenNamesAndArgumentErrors) {
  Trace t = Trace::parse_text(
      "# a hand-written schedule\n"
      "blk = get_block(\"C\")\n"
      "i, j, k = get_loops(blk)\n"
      "io, ii = split(i, [None, 4])\n"
      "parallel(io)\n");
  Schedule sch = replay(t, matmul_func());
  EXPECT_NE(ir::to_text(sch.func()).find("for i_0 in range(4) parallel"), std::string::npos);
  Trace wrong = Trace::parse_text("blk = get_block(\"C\")\nparallel(blk)\n");
  EXPECT_SCHEDULE_ERROR(replay(wrong, matmul_func()), "parallel: argument 1 must be a loop, got block b0");
  Trace too_few = Trace::parse_text("blk = get_block(\"C\")\ni, j = get_loops(blk)\n");
  EXPECT_SCHEDULE_ERROR(replay(too_few, matmul_func()), "it produced 3 handle(s) but the trace names 2");
}

TEST(LoopKinds, ParallelOfAReductionLoopIsRejected) {
  Schedule sch(matmul_func());
  auto loops = get_loops(sch, get_block(sch, "C"));
  EXPECT_SCHEDULE_ERROR(parallel(sch, loops[2]), "parallel: loop k feeds reduction iterator 'vk' of block 'C'");
  EXPECT_SCHEDULE_ERROR(vectorize(sch, loops[2]), "vectorize: loop k feeds reduction iterator");
  EXPECT_SCHEDULE_ERROR(bind(sch, loops[0], "threadIdx.w"), "unknown thread axis 'threadIdx.w'");
  parallel(sch, loops[0]);
  EXPECT_SCHEDULE_ERROR(parallel(sch, loops[0]), "loop i is already parallel");
  unroll(sch, loops[2]);  // unrolling a reduction loop is fine
  EXPECT_TRUE(same_results(matmul_func(), sch.func()));
}

TEST(Sampling, PerfectTileRespectsTheLimitAndCoversTheExtent) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    Schedule sch(matmul_func(48, 12, 8), seed);
    auto loops = get_loops(sch, get_block(sch, "C"));
    auto t = sample_perfect_tile(sch, loops[0], 3, 4);
    int64_t p = 1;
    for (ExprRV e : t) p *= sch.expr_value(e);
    EXPECT_EQ(p, 48);
    EXPECT_LE(sch.expr_value(t[2]), 4);
  }
}

TEST(Sampling, PartialTileDecisionsAreChecked) {
  Schedule sch(matmul_func(50, 12, 8), 1);
  auto loops = get_loops(sch, get_block(sch, "C"));
  sample_partial_tile(sch, loops[0], 2, 1, 8, std::vector<int64_t>{9, 6});  // ceil(50 / 6) = 9
  EXPECT_SCHEDULE_ERROR(sample_partial_tile(sch, loops[0], 2, 1, 8, std::vector<int64_t>{8, 6}),
                        "decision [8, 6] is not 2 positive factors for loop i of extent 50");
  EXPECT_SCHEDULE_ERROR(sample_partial_tile(sch, loops[0], 2, 1, 4, std::vector<int64_t>{9, 6}),
                        "an innermost r in [1, 4]");
  EXPECT_SCHEDULE_ERROR(sample_partial_tile(sch, loops[0], 2, 7, 8, std::vector<int64_t>{9, 6}),
                        "an innermost r in [7, 8]");
  EXPECT_SCHEDULE_ERROR(sample_partial_tile(sch, loops[0], 1, 1, 8), "n must be at least 2");
  EXPECT_SCHEDULE_ERROR(sample_partial_tile(sch, loops[0], 2, 5, 4), "1 <= min_innermost <= max_innermost, got 5 and 4");
  EXPECT_SCHEDULE_ERROR(sample_partial_tile(sch, loops[0], 2, 0, 4), "got 0 and 4");
}

// Heights drawn between the bounds, not only divisors of the extent (50: 1, 2, 5),
// the outer tiles covering ceil(50 / height); a floor above 1 (a register tile's
// least rows) is in the trace; the trace replays to the same program. A loop shorter
// than the floor is one tile.
TEST(Sampling, PartialTileHeightsStayBetweenTheBoundsAndNeedNotDivideTheExtent) {
  for (auto [least, most] : {std::pair<int64_t, int64_t>{1, 6}, {4, 7}}) {
    std::set<int64_t> heights;
    for (uint64_t seed = 0; seed < 60; ++seed) {
      Schedule sch(matmul_func(50, 12, 8), seed);
      auto loops = get_loops(sch, get_block(sch, "C"));
      auto tile = sample_partial_tile(sch, loops[0], 3, least, most);
      int64_t outer = sch.expr_value(tile[0]) * sch.expr_value(tile[1]), height = sch.expr_value(tile[2]);
      EXPECT_GE(height, least);
      EXPECT_LE(height, most);
      EXPECT_EQ(outer, (50 + height - 1) / height);
      heights.insert(height);
      EXPECT_EQ(sch.trace().to_text().find("min_innermost") != std::string::npos, least > 1) << sch.trace().to_text();
      split(sch, loops[0], {Arg(tile[0]), Arg(tile[1]), Arg(tile[2])});
      EXPECT_TRUE(same_results(matmul_func(50, 12, 8), sch.func()));
      Schedule again = replay(Trace::parse_text(sch.trace().to_text()), matmul_func(50, 12, 8));
      EXPECT_EQ(ir::to_text(again.func()), ir::to_text(sch.func()));
    }
    EXPECT_EQ(static_cast<int64_t>(heights.size()), most - least + 1);
  }
  Schedule short_loop(matmul_func(3, 12, 8), 1);
  auto tile = sample_partial_tile(short_loop, get_loops(short_loop, get_block(short_loop, "C"))[0], 2, 4, 7);
  EXPECT_EQ(short_loop.expr_value(tile[1]), 3);
}
