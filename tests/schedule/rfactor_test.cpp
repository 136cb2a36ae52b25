// rfactor: expected IR, unchanged results on matmul and library reductions,
// every recognised reducer, failure messages, replay.
#include "ir/workload.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/primitives_reduction.h"
#include "schedule/replay.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

namespace {

// Y[i] = op over k of X[i, k], written by hand to reach every reducer form.
ir::PrimFunc row_reduction(const std::string& init, const std::string& update) {
  return ir::parse_func(R"(func r(X: f32[4, 8], Y: f32[4]) {
  block root() {
    for i in range(4) {
      for k in range(8) {
        block Y(vi: spatial(0, 4) = i, vk: reduce(0, 8) = k) {
          reads(Y[vi], X[vi, vk])
          writes(Y[vi])
          init {
            Y[vi] = )" + init +
                            R"(
          }
          Y[vi] = )" + update +
                            R"(
        }
      }
    }
  }
}
)",
                        "row_reduction.ir");
}

}  // namespace

TEST(Rfactor, MatmulInnerReductionLoop) {
  ir::PrimFunc original = matmul_func(4, 6, 8);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  auto ks = split(sch, loops[2], {Arg(), Arg(4)});
  BlockRV rf = rfactor(sch, ks[1], 0);
  EXPECT_EQ(sch.block_name(rf), "C_rf");
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mm(A: f32[4, 8], B: f32[8, 6], C: f32[4, 6]) {
  block root() {
    alloc C_rf: f32[4, 4, 6]
    for i in range(4) {
      for j in range(6) {
        for k_0 in range(2) {
          for k_1 in range(4) {
            block C_rf(vk_1: spatial(0, 4) = k_1, vi: spatial(0, 4) = i, vj: spatial(0, 6) = j, vk_0: reduce(0, 2) = k_0) {
              reads(C_rf[vk_1, vi, vj], A[vi, vk_0 * 4 + vk_1], B[vk_0 * 4 + vk_1, vj])
              writes(C_rf[vk_1, vi, vj])
              init {
                C_rf[vk_1, vi, vj] = f32(0)
              }
              C_rf[vk_1, vi, vj] = C_rf[vk_1, vi, vj] + A[vi, vk_0 * 4 + vk_1] * B[vk_0 * 4 + vk_1, vj]
            }
          }
        }
      }
    }
    for wi in range(4) {
      for wj in range(6) {
        for wk in range(4) {
          block C(vi: spatial(0, 4) = wi, vj: spatial(0, 6) = wj, vk_1: reduce(0, 4) = wk) {
            reads(C[vi, vj], C_rf[vk_1, vi, vj])
            writes(C[vi, vj])
            init {
              C[vi, vj] = f32(0)
            }
            C[vi, vj] = C[vi, vj] + C_rf[vk_1, vi, vj]
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

TEST(Rfactor, WholeReductionLoopLeavesASpatialRfBlock) {
  ir::PrimFunc original = matmul_func(3, 5, 7);
  Schedule sch(original);
  auto loops = get_loops(sch, get_block(sch, "C"));
  rfactor(sch, loops[2], -1);  // after the last dimension of C
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mm(A: f32[3, 7], B: f32[7, 5], C: f32[3, 5]) {
  block root() {
    alloc C_rf: f32[3, 5, 7]
    for i in range(3) {
      for j in range(5) {
        for k in range(7) {
          block C_rf(vk: spatial(0, 7) = k, vi: spatial(0, 3) = i, vj: spatial(0, 5) = j) {
            reads(A[vi, vk], B[vk, vj])
            writes(C_rf[vi, vj, vk])
            C_rf[vi, vj, vk] = A[vi, vk] * B[vk, vj]
          }
        }
      }
    }
    for wi in range(3) {
      for wj in range(5) {
        for wk in range(7) {
          block C(vi: spatial(0, 3) = wi, vj: spatial(0, 5) = wj, vk: reduce(0, 7) = wk) {
            reads(C[vi, vj], C_rf[vi, vj, vk])
            writes(C[vi, vj])
            init {
              C[vi, vj] = f32(0)
            }
            C[vi, vj] = C[vi, vj] + C_rf[vi, vj, vk]
          }
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(Rfactor, LibraryReductions) {
  struct Case {
    const char* spec;
    int loop;  // which loop of the block to split
    int factor_axis;
    bool outer_part;  // rfactor the outer part of the split
  };
  for (Case c : {Case{"sum:A=3,B=4,C=8,axes=001", 2, 0, false}, Case{"sum:A=3,B=4,C=8,axes=001", 2, -1, true},
                 Case{"sum:A=6,B=4,C=5,axes=011", 1, 1, false}, Case{"max:A=4,B=3,C=16,axes=001", 2, 2, true},
                 Case{"mean:A=2,B=12,C=3,axes=010", 2, 1, false}, Case{"sum:A=2,B=3,C=4,axes=111", 0, 1, true}}) {
    ir::Workload w = ir::make_workload(c.spec);
    Schedule sch(w.func);
    BlockRV b = get_block(sch, w.op);
    auto loops = get_loops(sch, b);
    auto parts = split(sch, loops[c.loop], {Arg(2), Arg()});
    rfactor(sch, parts[c.outer_part ? 0 : 1], c.factor_axis);
    EXPECT_TRUE(same_results(w.func, sch.func())) << c.spec << " axis " << c.factor_axis;
    expect_replays(sch, w.func);
  }
}

TEST(Rfactor, SoftmaxReductions) {
  ir::Workload w = ir::make_workload("softmax:M=3,N=16");
  Schedule sch(w.func);
  for (const char* name : {"maxelem", "sumexp"}) {
    BlockRV b = get_block(sch, name);
    auto parts = split(sch, get_loops(sch, b)[1], {Arg(), Arg(4)});
    rfactor(sch, parts[1], 1);
  }
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("alloc X_max_rf: f32[3, 4]"), std::string::npos) << text;
  EXPECT_NE(text.find("alloc X_sum_rf: f32[3, 4]"), std::string::npos) << text;
  EXPECT_TRUE(same_results(w.func, sch.func()));
  expect_replays(sch, w.func);
}

TEST(Rfactor, EveryReducerFormAndAnyInit) {
  // max/min start partials from the init value; + and * from their identity, the
  // final reduction keeping the original init (here not an identity).
  for (auto [init, update] :
       {std::pair{"f32(0.5)", "Y[vi] + X[vi, vk]"}, std::pair{"f32(2)", "X[vi, vk] * Y[vi]"},
        std::pair{"f32(0.25)", "max(Y[vi], X[vi, vk])"}, std::pair{"f32(-0.25)", "min(X[vi, vk], Y[vi])"}}) {
    ir::PrimFunc original = row_reduction(init, update);
    Schedule sch(original);
    auto loops = get_loops(sch, get_block(sch, "Y"));
    auto parts = split(sch, loops[1], {Arg(2), Arg(4)});
    rfactor(sch, parts[1], 0);
    EXPECT_TRUE(same_results(original, sch.func())) << update;
  }
}

TEST(Rfactor, Errors) {
  Schedule sch(matmul_func(4, 4, 8));
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(rfactor(sch, loops[0], 0),
                        "rfactor: loop i feeds a spatial iterator of block 'C'; rfactor needs a reduction loop");
  EXPECT_SCHEDULE_ERROR(rfactor(sch, loops[2], 3), "factor_axis 3 is out of range for 'C' with 2 dimension(s)");
  EXPECT_SCHEDULE_ERROR(rfactor(sch, loops[2], -4), "factor_axis -4 is out of range");
  EXPECT_EQ(ir::to_text(sch.func()), before);

  Schedule both(ir::parse_func(R"(func r(X: f32[4, 8], Y: f32[4]) {
  block root() {
    for f in range(32) {
      block Y(vi: spatial(0, 4) = f // 8, vk: reduce(0, 8) = f % 8) {
        reads(Y[vi], X[vi, vk])
        writes(Y[vi])
        init {
          Y[vi] = f32(0)
        }
        Y[vi] = Y[vi] + X[vi, vk]
      }
    }
  }
}
)",
                               "fused.ir"));
  EXPECT_SCHEDULE_ERROR(rfactor(both, get_loops(both, get_block(both, "Y"))[0], 0),
                        "loop f feeds both spatial and reduction iterators");

  Schedule minus(row_reduction("f32(0)", "Y[vi] - X[vi, vk]"));
  EXPECT_SCHEDULE_ERROR(rfactor(minus, get_loops(minus, get_block(minus, "Y"))[1], 0),
                        "block 'Y' is not a reduction of a recognised form: its update is not W = W + x");
  Schedule self(row_reduction("f32(0)", "Y[vi] + Y[vi] * X[vi, vk]"));
  EXPECT_SCHEDULE_ERROR(rfactor(self, get_loops(self, get_block(self, "Y"))[1], 0), "the combined value reads 'Y' too");

  ir::PrimFunc shared = ir::parse_func(R"(func f(X: f32[4, 8], Y: f32[4], Z: f32[4]) {
  block root() {
    for i in range(4) {
      block copy(vi: spatial(0, 4) = i) {
        reads(X[vi, 0])
        writes(Z[vi])
        Z[vi] = X[vi, 0]
      }
      for k in range(8) {
        block acc(vi: spatial(0, 4) = i, vk: reduce(0, 8) = k) {
          reads(Y[vi], X[vi, vk])
          writes(Y[vi])
          init {
            Y[vi] = f32(0)
          }
          Y[vi] = Y[vi] + X[vi, vk]
        }
      }
    }
  }
}
)",
                                       "shared.ir");
  Schedule s2(shared);
  auto acc_loops = get_loops(s2, get_block(s2, "acc"));
  EXPECT_SCHEDULE_ERROR(rfactor(s2, acc_loops[0], 0), "loop i must hold exactly one block, it holds 2");
  EXPECT_SCHEDULE_ERROR(rfactor(s2, acc_loops[1], 0), "loop i holds other blocks besides 'acc'");

  Schedule s3(matmul_func(4, 4, 8));
  BlockRV c3 = get_block(s3, "C");
  auto l3 = get_loops(s3, c3);
  decompose_reduction(s3, c3, l3[0]);
  EXPECT_SCHEDULE_ERROR(rfactor(s3, l3[2], 0), "is not a reduction of a recognised form: it has no init");
}
