// blockize: expected IR, unchanged results, failure messages, replay.
#include "ir/workload.h"
#include "schedule/primitives_blockize.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/primitives_reduction.h"
#include "schedule/replay.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

TEST(Blockize, InnerTileOfAReductionLiftsTheInit) {
  ir::PrimFunc original = matmul_func(8, 16, 4);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  auto js = split(sch, loops[1], {Arg(), Arg(8)});
  reorder(sch, {loops[2], js[1]});  // i, j_0, k, j_1
  BlockRV outer = blockize(sch, js[1]);
  EXPECT_EQ(sch.block_name(outer), "C_o");
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mm(A: f32[8, 4], B: f32[4, 16], C: f32[8, 16]) {
  block root() {
    for i in range(8) {
      for j_0 in range(2) {
        for k in range(4) {
          block C_o(vi: spatial(0, 8) = i, vj_o: spatial(0, 2) = j_0, vk: reduce(0, 4) = k) {
            reads(C[vi, vj_o * 8:+8], A[vi, vk], B[vk, vj_o * 8:+8])
            writes(C[vi, vj_o * 8:+8])
            init {
              for j_1_init in range(8) {
                block C_init(vj_i_init: spatial(0, 8) = j_1_init) {
                  writes(C[vi, vj_o * 8 + vj_i_init])
                  C[vi, vj_o * 8 + vj_i_init] = f32(0)
                }
              }
            }
            for j_1 in range(8) {
              block C(vj_i: spatial(0, 8) = j_1) {
                reads(C[vi, vj_o * 8 + vj_i], A[vi, vk], B[vk, vj_o * 8 + vj_i])
                writes(C[vi, vj_o * 8 + vj_i])
                C[vi, vj_o * 8 + vj_i] = C[vi, vj_o * 8 + vj_i] + A[vi, vk] * B[vk, vj_o * 8 + vj_i]
              }
            }
          }
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
  expect_replays(sch, original);
}

TEST(Blockize, WholeReductionInsideKeepsTheInitInTheInnerBlock) {
  ir::PrimFunc original = matmul_func(8, 6, 5);
  Schedule sch(original);
  auto loops = get_loops(sch, get_block(sch, "C"));
  auto is = split(sch, loops[0], {Arg(2), Arg(4)});
  blockize(sch, is[1]);  // i_1, j, k inside: vi divides, vj and vk stay inner
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mm(A: f32[8, 5], B: f32[5, 6], C: f32[8, 6]) {
  block root() {
    for i_0 in range(2) {
      block C_o(vi_o: spatial(0, 2) = i_0) {
        reads(C[vi_o * 4:+4, 0:+6], A[vi_o * 4:+4, 0:+5], B[0:+5, 0:+6])
        writes(C[vi_o * 4:+4, 0:+6])
        for i_1 in range(4) {
          for j in range(6) {
            for k in range(5) {
              block C(vi_i: spatial(0, 4) = i_1, vj: spatial(0, 6) = j, vk: reduce(0, 5) = k) {
                reads(C[vi_o * 4 + vi_i, vj], A[vi_o * 4 + vi_i, vk], B[vk, vj])
                writes(C[vi_o * 4 + vi_i, vj])
                init {
                  C[vi_o * 4 + vi_i, vj] = f32(0)
                }
                C[vi_o * 4 + vi_i, vj] = C[vi_o * 4 + vi_i, vj] + A[vi_o * 4 + vi_i, vk] * B[vk, vj]
              }
            }
          }
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
  expect_replays(sch, original);
}

TEST(Blockize, OutermostLoopGivesAnOuterBlockWithoutIterators) {
  ir::Workload w = ir::make_workload("softmax:M=3,N=5");
  Schedule sch(w.func);
  BlockRV outer = blockize(sch, get_loops(sch, get_block(sch, "expsub"))[0]);
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("block expsub_o() {"), std::string::npos) << text;
  EXPECT_NE(text.find("writes(X_exp[0:+3, 0:+5])"), std::string::npos) << text;
  EXPECT_TRUE(get_loops(sch, outer).empty());
  EXPECT_TRUE(same_results(w.func, sch.func()));
}

TEST(Blockize, NonDivisibleSplitKeepsThePredicateInside) {
  ir::PrimFunc original = matmul_func(10, 4, 3);
  Schedule sch(original);
  auto loops = get_loops(sch, get_block(sch, "C"));
  auto is = split(sch, loops[0], {Arg(), Arg(4)});
  blockize(sch, is[1]);
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("block C_o(vi_o: spatial(0, 3) = i_0)"), std::string::npos) << text;
  EXPECT_NE(text.find("where i_0 * 4 + i_1 < 10"), std::string::npos) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(Blockize, PredicateOnOuterLoopsMovesToTheOuterBlock) {
  ir::PrimFunc original = matmul_func(10, 8, 3);
  Schedule sch(original);
  auto loops = get_loops(sch, get_block(sch, "C"));
  split(sch, loops[0], {Arg(), Arg(4)});
  blockize(sch, loops[1]);  // j, k inside; the predicate only reads i_0, i_1
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("block C_o(vi: spatial(0, 10) = i_0 * 4 + i_1) where i_0 * 4 + i_1 < 10 {"), std::string::npos)
      << text;
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(Blockize, TwiceNests) {
  ir::PrimFunc original = matmul_func(8, 8, 8);
  Schedule sch(original);
  auto loops = get_loops(sch, get_block(sch, "C"));
  auto is = split(sch, loops[0], {Arg(2), Arg(4)});
  auto ks = split(sch, loops[2], {Arg(2), Arg(4)});
  reorder(sch, {ks[0], is[1]});  // i_0, k_0, i_1, j, k_1
  blockize(sch, ks[1]);
  blockize(sch, is[1]);
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("block C_o_o("), std::string::npos) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
  expect_replays(sch, original);
}

TEST(Blockize, Errors) {
  Schedule sch(matmul_func(8, 12, 4));
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  decompose_reduction(sch, c, loops[2]);  // j now holds C_init and the k loop
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(blockize(sch, loops[1]), "blockize: loop j must hold exactly one block, it holds 2");
  EXPECT_EQ(ir::to_text(sch.func()), before);

  Schedule s2(matmul_func(8, 12, 4));
  auto l2 = get_loops(s2, get_block(s2, "C"));
  LoopRV f = fuse(s2, {l2[0], l2[1]});
  auto parts = split(s2, f, {Arg(), Arg(8)});
  EXPECT_SCHEDULE_ERROR(blockize(s2, parts[1]), "cannot divide iterator 'vi' of block 'C'");

  ir::Workload softmax = ir::make_workload("softmax:M=4,N=6");
  Schedule s3(softmax.func);
  auto l3 = get_loops(s3, get_block(s3, "sumexp"));
  auto ks = split(s3, l3[1], {Arg(), Arg(4)});  // 2 x 4 for 6: a predicate on k
  reorder(s3, {ks[0], l3[0]});                  // k_0, i, k_1
  EXPECT_SCHEDULE_ERROR(blockize(s3, l3[0]), "has a predicate on the loops under i; its init cannot move");
}
