// decompose_reduction: expected IR, unchanged results, failure messages, replay.
#include "ir/workload.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/primitives_reduction.h"
#include "schedule/replay.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

TEST(DecomposeReduction, AtTheOutermostLoop) {
  ir::PrimFunc original = matmul_func(16, 12, 8);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  BlockRV init = decompose_reduction(sch, c, loops[0]);
  EXPECT_EQ(sch.block_name(init), "C_init");
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mm(A: f32[16, 8], B: f32[8, 12], C: f32[16, 12]) {
  block root() {
    for i_init in range(16) {
      for j_init in range(12) {
        block C_init(vi_init: spatial(0, 16) = i_init, vj_init: spatial(0, 12) = j_init) {
          writes(C[vi_init, vj_init])
          C[vi_init, vj_init] = f32(0)
        }
      }
    }
    for i in range(16) {
      for j in range(12) {
        for k in range(8) {
          block C(vi: spatial(0, 16) = i, vj: spatial(0, 12) = j, vk: reduce(0, 8) = k) {
            reads(C[vi, vj], A[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
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

TEST(DecomposeReduction, AtTheReductionLoopKeepsTheInitInsideTheSpatialLoops) {
  ir::PrimFunc original = matmul_func(4, 6, 5);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  decompose_reduction(sch, c, loops[2]);
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mm(A: f32[4, 5], B: f32[5, 6], C: f32[4, 6]) {
  block root() {
    for i in range(4) {
      for j in range(6) {
        block C_init(vi_init: spatial(0, 4) = i, vj_init: spatial(0, 6) = j) {
          writes(C[vi_init, vj_init])
          C[vi_init, vj_init] = f32(0)
        }
        for k in range(5) {
          block C(vi: spatial(0, 4) = i, vj: spatial(0, 6) = j, vk: reduce(0, 5) = k) {
            reads(C[vi, vj], A[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
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

TEST(DecomposeReduction, SkipsReductionLoopsAndKeepsLoopKinds) {
  // Loops i, k, j: decomposing at i copies i and j (the spatial loops) but not k.
  ir::PrimFunc original = matmul_func(4, 8, 3);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  reorder(sch, {loops[2], loops[1]});
  parallel(sch, loops[0]);
  decompose_reduction(sch, c, loops[0]);
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mm(A: f32[4, 3], B: f32[3, 8], C: f32[4, 8]) {
  block root() {
    for i_init in range(4) parallel {
      for j_init in range(8) {
        block C_init(vi_init: spatial(0, 4) = i_init, vj_init: spatial(0, 8) = j_init) {
          writes(C[vi_init, vj_init])
          C[vi_init, vj_init] = f32(0)
        }
      }
    }
    for i in range(4) parallel {
      for k in range(3) {
        for j in range(8) {
          block C(vi: spatial(0, 4) = i, vj: spatial(0, 8) = j, vk: reduce(0, 3) = k) {
            reads(C[vi, vj], A[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vk, vj]
          }
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(DecomposeReduction, NonDivisibleSplitCarriesThePredicate) {
  ir::PrimFunc original = matmul_func(10, 4, 6);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  auto rows = split(sch, loops[0], {Arg(), Arg(4)});
  auto red = split(sch, loops[2], {Arg(), Arg(4)});  // k: 2 x 4 for 6, a predicate on k too
  decompose_reduction(sch, c, rows[0]);
  std::string text = ir::to_text(sch.func());
  // The init takes the spatial part of the predicate; the k part holds at k = 0.
  EXPECT_NE(text.find("block C_init(vi_init: spatial(0, 10) = i_0_init * 4 + i_1_init, vj_init: spatial(0, 4) = "
                      "j_init) where i_0_init * 4 + i_1_init < 10 {"),
            std::string::npos)
      << text;
  EXPECT_TRUE(same_results(original, sch.func()));
  expect_replays(sch, original);
}

TEST(DecomposeReduction, OnLibraryOps) {
  for (const char* spec : {"sum:A=3,B=5,C=7,axes=011", "max:A=4,B=6,C=5,axes=101", "mean:A=2,B=3,C=9,axes=001"}) {
    ir::Workload w = ir::make_workload(spec);
    Schedule sch(w.func);
    BlockRV b = get_block(sch, w.op);
    auto loops = get_loops(sch, b);
    decompose_reduction(sch, b, loops[0]);
    EXPECT_TRUE(same_results(w.func, sch.func())) << spec;
    expect_replays(sch, w.func);
  }
  ir::Workload softmax = ir::make_workload("softmax:M=4,N=10");
  Schedule sch(softmax.func);
  for (const char* name : {"maxelem", "sumexp"}) {
    BlockRV b = get_block(sch, name);
    decompose_reduction(sch, b, get_loops(sch, b)[1]);
  }
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("block maxelem_init("), std::string::npos) << text;
  EXPECT_NE(text.find("block sumexp_init("), std::string::npos) << text;
  EXPECT_TRUE(same_results(softmax.func, sch.func()));
  expect_replays(sch, softmax.func);
}

TEST(DecomposeReduction, Errors) {
  Schedule sch(matmul_func(8, 8, 8));
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  reorder(sch, {loops[2], loops[1]});  // i, k, j
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(decompose_reduction(sch, c, loops[1]),
                        "decompose_reduction: loop k lies above loop j and feeds a reduction iterator");
  EXPECT_SCHEDULE_ERROR(decompose_reduction(sch, c, loops[1]), "block C:");  // prints the block
  EXPECT_EQ(ir::to_text(sch.func()), before);                                // a failed primitive changes nothing

  decompose_reduction(sch, c, loops[0]);
  EXPECT_SCHEDULE_ERROR(decompose_reduction(sch, c, loops[0]),
                        "block 'C' has no init (it is not a reduction, or its init was already decomposed)");

  ir::Workload softmax = ir::make_workload("softmax:M=4,N=6");
  Schedule s2(softmax.func);
  BlockRV expsub = get_block(s2, "expsub");
  BlockRV maxelem = get_block(s2, "maxelem");
  EXPECT_SCHEDULE_ERROR(decompose_reduction(s2, expsub, get_loops(s2, expsub)[0]), "block 'expsub' has no init");
  EXPECT_SCHEDULE_ERROR(decompose_reduction(s2, maxelem, get_loops(s2, expsub)[0]),
                        "loop i is not above block 'maxelem'");
}
