// split, fuse, reorder: expected IR, unchanged results, and failure messages.
#include "schedule/primitives_loops.h"
#include "schedule/primitives_lookup.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

TEST(Split, DivisibleSplitRewritesTheBinding) {
  Schedule sch(matmul_func(16, 12, 8));
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  auto parts = split(sch, loops[0], {Arg(4), Arg()});
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mm(A: f32[16, 8], B: f32[8, 12], C: f32[16, 12]) {
  block root() {
    for i_0 in range(4) {
      for i_1 in range(4) {
        for j in range(12) {
          for k in range(8) {
            block C(vi: spatial(0, 16) = i_0 * 4 + i_1, vj: spatial(0, 12) = j, vk: reduce(0, 8) = k) {
              reads(C[vi, vj], A[vi, vk], B[vk, vj])
              writes(C[vi, vj])
              init {
                C[vi, vj] = f32(0)
              }
              C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
            }
          }
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(matmul_func(16, 12, 8), sch.func()));
}

TEST(Split, NonDivisibleSplitAddsAPredicate) {
  Schedule sch(matmul_func(10, 12, 8));
  auto loops = get_loops(sch, get_block(sch, "C"));
  split(sch, loops[0], {Arg(), Arg(4)});
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("for i_0 in range(3)"), std::string::npos) << text;
  EXPECT_NE(text.find("where i_0 * 4 + i_1 < 10"), std::string::npos) << text;
  EXPECT_TRUE(same_results(matmul_func(10, 12, 8), sch.func()));
}

TEST(Split, Errors) {
  Schedule sch(matmul_func());
  auto loops = get_loops(sch, get_block(sch, "C"));
  EXPECT_SCHEDULE_ERROR(split(sch, loops[0], {Arg(), Arg()}), "split: at most one factor may be None");
  EXPECT_SCHEDULE_ERROR(split(sch, loops[0], {Arg(2), Arg(2)}), "factors multiply to 4, less than the loop extent 16");
  EXPECT_SCHEDULE_ERROR(split(sch, loops[0], {Arg(0), Arg()}), "factor 1 is 0; factors must be positive");
  EXPECT_SCHEDULE_ERROR(split(sch, loops[0], {Arg(4)}), "needs at least two factors");
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(split(sch, loops[0], {Arg("x"), Arg()}), "factor 1 must be an integer");
  EXPECT_EQ(ir::to_text(sch.func()), before);  // a failed primitive changes nothing
  split(sch, loops[0], {Arg(4), Arg(4)});
  EXPECT_SCHEDULE_ERROR(split(sch, loops[0], {Arg(4), Arg(4)}), "loop l1 (i) no longer exists");
}

TEST(Fuse, FusesAndSplitsBackToTheSameProgram) {
  ir::PrimFunc original = matmul_func(6, 10, 4);
  Schedule sch(original);
  auto loops = get_loops(sch, get_block(sch, "C"));
  LoopRV f = fuse(sch, {loops[0], loops[1]});
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("for i_j_fused in range(60)"), std::string::npos) << text;
  EXPECT_NE(text.find("vi: spatial(0, 6) = i_j_fused // 10, vj: spatial(0, 10) = i_j_fused % 10"), std::string::npos)
      << text;
  EXPECT_TRUE(same_results(original, sch.func()));
  split(sch, f, {Arg(6), Arg(10)});
  EXPECT_TRUE(ir_equals(sch.func(), ir::to_text(original)));  // binding simplifies back to i_0 and i_1
}

TEST(Fuse, Errors) {
  Schedule sch(matmul_func());
  auto loops = get_loops(sch, get_block(sch, "C"));
  EXPECT_SCHEDULE_ERROR(fuse(sch, {loops[0], loops[2]}), "loop k is not the only statement in the body of loop i");
  EXPECT_SCHEDULE_ERROR(fuse(sch, {loops[1], loops[0]}), "perfectly nested loops, outermost first");
  EXPECT_SCHEDULE_ERROR(fuse(sch, {loops[0]}), "needs at least two loops");
  EXPECT_SCHEDULE_ERROR(fuse(sch, {loops[1], loops[2]}),
                        "fuse: the loops feed both spatial and reduction iterators of block 'C'");
}

TEST(Reorder, PermutesAChainAndKeepsOtherLoops) {
  ir::PrimFunc original = matmul_func();
  Schedule sch(original);
  auto loops = get_loops(sch, get_block(sch, "C"));
  reorder(sch, {loops[2], loops[0]});
  std::string text = ir::to_text(sch.func());
  size_t k = text.find("for k in"), j = text.find("for j in"), i = text.find("for i in");
  EXPECT_TRUE(k < j && j < i) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(Reorder, Errors) {
  Schedule sch(matmul_func());
  auto loops = get_loops(sch, get_block(sch, "C"));
  EXPECT_SCHEDULE_ERROR(reorder(sch, {loops[0], loops[0]}), "loop i is given twice");
}
