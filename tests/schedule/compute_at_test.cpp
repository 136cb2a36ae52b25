// compute_at and reverse_compute_at: expected IR, unchanged results, replay, and
// failure messages.
#include "ir/workload.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_loops.h"
#include "schedule/primitives_lookup.h"
#include "schedule/replay.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

namespace {

// B[j] = P[j] + P[j+1] + P[j+2] over a zero-padded copy P of A (n elements).
ir::PrimFunc stencil_func(int n) {
  std::string N = std::to_string(n), P = std::to_string(n + 2), last = std::to_string(n + 1);
  return ir::parse_func("func stencil(A: f32[" + N + "], B: f32[" + N + "]) {\n"
                        "  block root() {\n"
                        "    alloc P: f32[" + P + "]\n"
                        "    for i in range(" + P + ") {\n"
                        "      block pad(vi: spatial(0, " + P + ") = i) {\n"
                        "        reads(A[vi - 1])\n"
                        "        writes(P[vi])\n"
                        "        P[vi] = select(vi >= 1 && vi < " + last + ", A[vi - 1], f32(0))\n"
                        "      }\n"
                        "    }\n"
                        "    for j in range(" + N + ") {\n"
                        "      block sum3(vj: spatial(0, " + N + ") = j) {\n"
                        "        reads(P[vj:+3])\n"
                        "        writes(B[vj])\n"
                        "        B[vj] = P[vj] + P[vj + 1] + P[vj + 2]\n"
                        "      }\n"
                        "    }\n"
                        "  }\n"
                        "}\n",
                        "stencil.ir");
}

// The stencil with the consumer's loop split by 4 and the padding computed at the
// outer tile loop.
Schedule stencil_at_tile(int n) {
  Schedule sch(stencil_func(n));
  BlockRV sum3 = get_block(sch, "sum3");
  auto tiles = split(sch, get_loops(sch, sum3)[0], {Arg(), Arg(4)});
  compute_at(sch, get_block(sch, "pad"), tiles[0]);
  return sch;
}

}  // namespace

TEST(ComputeAt, PaddingUnderTiledConsumer) {
  Schedule sch = stencil_at_tile(8);
  EXPECT_TRUE(ir_equals(sch.func(), R"(func stencil(A: f32[8], B: f32[8]) {
  block root() {
    alloc P: f32[10]
    for j_0 in range(2) {
      for ax0 in range(6) {
        block pad(vi: spatial(0, 10) = j_0 * 4 + ax0) {
          reads(A[vi - 1])
          writes(P[vi])
          P[vi] = select(vi >= 1 && vi < 9, A[vi - 1], f32(0))
        }
      }
      for j_1 in range(4) {
        block sum3(vj: spatial(0, 8) = j_0 * 4 + j_1) {
          reads(P[vj:+3])
          writes(B[vj])
          B[vj] = P[vj] + P[vj + 1] + P[vj + 2]
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(stencil_func(8), sch.func()));
  EXPECT_EQ(ir::to_text(replay(sch.trace(), stencil_func(8)).func()), ir::to_text(sch.func()));
}

TEST(ComputeAt, NonDivisibleTileGetsAPredicate) {
  Schedule sch = stencil_at_tile(7);
  EXPECT_TRUE(ir_equals(sch.func(), R"(func stencil(A: f32[7], B: f32[7]) {
  block root() {
    alloc P: f32[9]
    for j_0 in range(2) {
      for ax0 in range(6) {
        block pad(vi: spatial(0, 9) = j_0 * 4 + ax0) where j_0 * 4 + ax0 < 9 {
          reads(A[vi - 1])
          writes(P[vi])
          P[vi] = select(vi >= 1 && vi < 8, A[vi - 1], f32(0))
        }
      }
      for j_1 in range(4) {
        block sum3(vj: spatial(0, 7) = j_0 * 4 + j_1) where j_0 * 4 + j_1 < 7 {
          reads(P[vj:+3])
          writes(B[vj])
          B[vj] = P[vj] + P[vj + 1] + P[vj + 2]
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(stencil_func(7), sch.func()));
  Trace parsed = Trace::parse_text(sch.trace().to_text());
  EXPECT_EQ(ir::to_text(replay(parsed, stencil_func(7)).func()), ir::to_text(sch.func()));
}

TEST(ComputeAt, InnerLoopComputesTheWindow) {
  Schedule sch(stencil_func(8));
  compute_at(sch, get_block(sch, "pad"), get_loops(sch, get_block(sch, "sum3"))[0]);
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("for ax0 in range(3)"), std::string::npos) << text;
  EXPECT_NE(text.find("block pad(vi: spatial(0, 10) = ax0 + j)"), std::string::npos) << text;
  EXPECT_TRUE(same_results(stencil_func(8), sch.func()));
}

TEST(ComputeAt, ReductionProducerRecomputesItsReduction) {
  ir::PrimFunc original = ir::make_workload("dense_bias_relu:M=4,N=6,K=3").func;
  Schedule sch(original);
  auto loops = get_loops(sch, get_block(sch, "bias_relu"));
  compute_at(sch, get_block(sch, "matmul"), loops[0]);
  EXPECT_TRUE(ir_equals(sch.func(), R"(func dense_bias_relu(X: f32[4, 3], W: f32[3, 6], b: f32[6], Y: f32[4, 6]) {
  block root() {
    alloc T: f32[4, 6]
    for i in range(4) {
      for ax0 in range(6) {
        for ax1 in range(3) {
          block matmul(vi: spatial(0, 4) = i, vj: spatial(0, 6) = ax0, vk: reduce(0, 3) = ax1) {
            reads(T[vi, vj], X[vi, vk], W[vk, vj])
            writes(T[vi, vj])
            init {
              T[vi, vj] = f32(0)
            }
            T[vi, vj] = T[vi, vj] + X[vi, vk] * W[vk, vj]
          }
        }
      }
      for j in range(6) {
        block bias_relu(vi_1: spatial(0, 4) = i, vj_1: spatial(0, 6) = j) {
          reads(T[vi_1, vj_1], b[vj_1])
          writes(Y[vi_1, vj_1])
          Y[vi_1, vj_1] = max(T[vi_1, vj_1] + b[vj_1], f32(0))
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
  EXPECT_EQ(ir::to_text(replay(sch.trace(), original).func()), ir::to_text(sch.func()));
}

TEST(ComputeAt, PreserveUnitLoops) {
  ir::PrimFunc original = ir::make_workload("dense_bias_relu:M=4,N=6,K=3").func;
  Schedule sch(original);
  auto loops = get_loops(sch, get_block(sch, "bias_relu"));
  compute_at(sch, get_block(sch, "matmul"), loops[1], /*preserve_unit_loops=*/true);
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("for ax0 in range(1)"), std::string::npos) << text;
  EXPECT_NE(text.find("vi: spatial(0, 4) = ax0 + i, vj: spatial(0, 6) = ax1 + j"), std::string::npos) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
  EXPECT_NE(sch.trace().to_text().find("compute_at(b3, l2, preserve_unit_loops=1)"), std::string::npos)
      << sch.trace().to_text();
  EXPECT_EQ(ir::to_text(replay(sch.trace(), original).func()), text);
}

TEST(ComputeAt, ChainKeepsProducersBeforeConsumers) {
  // X -> scale -> shift -> out: both stages move under the output's loop, each
  // placed before the block that reads it.
  ir::PrimFunc original = ir::parse_func(R"(func chain(X: f32[6], Y: f32[6]) {
  block root() {
    alloc S: f32[6]
    alloc T: f32[6]
    for a in range(6) {
      block scale(va: spatial(0, 6) = a) {
        reads(X[va])
        writes(S[va])
        S[va] = X[va] * f32(3)
      }
    }
    for b in range(6) {
      block shift(vb: spatial(0, 6) = b) {
        reads(S[vb])
        writes(T[vb])
        T[vb] = S[vb] + f32(1)
      }
    }
    for c in range(6) {
      block out(vc: spatial(0, 6) = c) {
        reads(T[vc])
        writes(Y[vc])
        Y[vc] = T[vc] * T[vc]
      }
    }
  }
}
)",
                                         "chain.ir");
  Schedule sch(original);
  LoopRV c = get_loops(sch, get_block(sch, "out"))[0];
  compute_at(sch, get_block(sch, "shift"), c);
  compute_at(sch, get_block(sch, "scale"), c);
  EXPECT_TRUE(ir_equals(sch.func(), R"(func chain(X: f32[6], Y: f32[6]) {
  block root() {
    alloc S: f32[6]
    alloc T: f32[6]
    for c in range(6) {
      block scale(va: spatial(0, 6) = c) {
        reads(X[va])
        writes(S[va])
        S[va] = X[va] * f32(3)
      }
      block shift(vb: spatial(0, 6) = c) {
        reads(S[vb])
        writes(T[vb])
        T[vb] = S[vb] + f32(1)
      }
      block out(vc: spatial(0, 6) = c) {
        reads(T[vc])
        writes(Y[vc])
        Y[vc] = T[vc] * T[vc]
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
  EXPECT_EQ(ir::to_text(replay(sch.trace(), original).func()), ir::to_text(sch.func()));
}

TEST(ComputeAt, Errors) {
  Schedule sch(stencil_func(8));
  BlockRV pad = get_block(sch, "pad"), sum3 = get_block(sch, "sum3");
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(compute_at(sch, pad, get_loops(sch, pad)[0]), "compute_at: block 'pad' is already under loop i");
  EXPECT_SCHEDULE_ERROR(compute_at(sch, sum3, get_loops(sch, pad)[0]),
                        "block 'sum3' writes 'B', a parameter of the function");
  EXPECT_EQ(ir::to_text(sch.func()), before);

  // Every consumer must be under the loop: softmax's exp feeds the sum and the norm.
  Schedule soft(ir::make_workload("softmax:M=4,N=8").func);
  EXPECT_SCHEDULE_ERROR(compute_at(soft, get_block(soft, "expsub"), get_loops(soft, get_block(soft, "sumexp"))[0]),
                        "block 'norm' reads 'X_exp' but is not under loop i; every consumer of block 'expsub' must be");
  // A loop that holds no consumer.
  EXPECT_SCHEDULE_ERROR(compute_at(soft, get_block(soft, "maxelem"), get_loops(soft, get_block(soft, "sumexp"))[0]),
                        "block 'expsub' reads 'X_max' but is not under loop i;");
}

TEST(ReverseComputeAt, EpilogueUnderMatmulTile) {
  ir::PrimFunc original = ir::make_workload("dense_bias_gelu:M=8,N=12,K=4").func;
  Schedule sch(original);
  BlockRV matmul = get_block(sch, "matmul");
  auto tiles = split(sch, get_loops(sch, matmul)[0], {Arg(), Arg(4)});
  reverse_compute_at(sch, get_block(sch, "bias_gelu"), tiles[0]);
  EXPECT_TRUE(ir_equals(sch.func(), R"(func dense_bias_gelu(X: f32[8, 4], W: f32[4, 12], b: f32[12], Y: f32[8, 12]) {
  block root() {
    alloc T: f32[8, 12]
    for i_0 in range(2) {
      for i_1 in range(4) {
        for j in range(12) {
          for k in range(4) {
            block matmul(vi: spatial(0, 8) = i_0 * 4 + i_1, vj: spatial(0, 12) = j, vk: reduce(0, 4) = k) {
              reads(T[vi, vj], X[vi, vk], W[vk, vj])
              writes(T[vi, vj])
              init {
                T[vi, vj] = f32(0)
              }
              T[vi, vj] = T[vi, vj] + X[vi, vk] * W[vk, vj]
            }
          }
        }
      }
      for ax0 in range(4) {
        for ax1 in range(12) {
          block bias_gelu(vi_1: spatial(0, 8) = i_0 * 4 + ax0, vj_1: spatial(0, 12) = ax1) {
            reads(T[vi_1, vj_1], b[vj_1])
            writes(Y[vi_1, vj_1])
            Y[vi_1, vj_1] = f32(0.5) * (T[vi_1, vj_1] + b[vj_1]) * (f32(1) + erf((T[vi_1, vj_1] + b[vj_1]) * f32(0.70710677)))
          }
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
  EXPECT_EQ(ir::to_text(replay(sch.trace(), original).func()), ir::to_text(sch.func()));
  Trace parsed = Trace::parse_json(sch.trace().to_json());
  EXPECT_EQ(ir::to_text(replay(parsed, original).func()), ir::to_text(sch.func()));
}

TEST(ReverseComputeAt, NonDivisibleTile) {
  ir::PrimFunc original = ir::make_workload("dense_bias_gelu:M=10,N=6,K=3").func;
  Schedule sch(original);
  BlockRV matmul = get_block(sch, "matmul");
  auto loops = get_loops(sch, matmul);
  auto rows = split(sch, loops[0], {Arg(), Arg(4)});
  auto cols = split(sch, loops[1], {Arg(), Arg(4)});
  reorder(sch, {rows[0], cols[0], rows[1], cols[1]});
  reverse_compute_at(sch, get_block(sch, "bias_gelu"), cols[0]);
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("vi_1: spatial(0, 10) = i_0 * 4 + ax0, vj_1: spatial(0, 6) = j_0 * 4 + ax1) where "),
            std::string::npos)
      << text;
  EXPECT_TRUE(same_results(original, sch.func()));
  EXPECT_EQ(ir::to_text(replay(sch.trace(), original).func()), text);
}

TEST(ReverseComputeAt, ReductionConsumerNeedsWholeRows) {
  ir::PrimFunc original = ir::make_workload("softmax:M=4,N=8").func;
  Schedule sch(original);
  BlockRV expsub = get_block(sch, "expsub"), sumexp = get_block(sch, "sumexp");
  auto loops = get_loops(sch, expsub);
  auto cols = split(sch, loops[1], {Arg(2), Arg(4)});
  EXPECT_SCHEDULE_ERROR(reverse_compute_at(sch, sumexp, cols[0]),
                        "reverse_compute_at: loop j_0 splits the reduction over 'vk' of block 'sumexp'");
  reverse_compute_at(sch, sumexp, loops[0]);
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("block sumexp(vi_2: spatial(0, 4) = i_1, vk_1: reduce(0, 8) = ax0)"), std::string::npos) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(ReverseComputeAt, Errors) {
  Schedule sch(ir::make_workload("dense_bias_gelu:M=4,N=6,K=3").func);
  BlockRV matmul = get_block(sch, "matmul"), epilogue = get_block(sch, "bias_gelu");
  auto mm_loops = get_loops(sch, matmul);
  auto ep_loops = get_loops(sch, epilogue);
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(reverse_compute_at(sch, epilogue, ep_loops[0]),
                        "reverse_compute_at: block 'bias_gelu' is already under loop i\n");
  EXPECT_SCHEDULE_ERROR(reverse_compute_at(sch, matmul, ep_loops[0]),
                        "block 'matmul' comes before loop i in program order");
  EXPECT_SCHEDULE_ERROR(reverse_compute_at(sch, matmul, ep_loops[0]), "block matmul(vi: spatial(0, 4) = i");
  EXPECT_EQ(ir::to_text(sch.func()), before);
  (void)mm_loops;

  // An in-place update may not be repeated for overlapping regions.
  Schedule acc(ir::parse_func(R"(func acc(X: f32[4], Y: f32[4]) {
  block root() {
    alloc T: f32[4]
    for i in range(4) {
      block copy(vi: spatial(0, 4) = i) {
        reads(X[vi])
        writes(T[vi])
        T[vi] = X[vi]
      }
    }
    for j in range(4) {
      block accumulate(vj: spatial(0, 4) = j) {
        reads(Y[vj], T[vj])
        writes(Y[vj])
        Y[vj] = Y[vj] + T[vj]
      }
    }
  }
}
)",
                              "acc.ir"));
  EXPECT_SCHEDULE_ERROR(reverse_compute_at(acc, get_block(acc, "accumulate"), get_loops(acc, get_block(acc, "copy"))[0]),
                        "block 'accumulate' reads its own output 'Y'; repeating it for overlapping regions would not "
                        "be idempotent");
}
