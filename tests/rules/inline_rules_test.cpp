// auto-inline and inline-constant-scalars: what they inline and what they leave.
#include "ir/parser.h"
#include "ir/printer.h"
#include "rule_test_util.h"
#include "schedule/ir_nav.h"

using namespace weft;
using namespace weft::rules::testing;

namespace {

// relu(A) into an intermediate, consumed by a matmul.
const char* kReluMatmul = R"(func f(A: f32[8, 4], B: f32[4, 6], C: f32[8, 6]) {
  block root() {
    alloc R: f32[8, 4]
    for p in range(8) {
      for q in range(4) {
        block relu(vp: spatial(0, 8) = p, vq: spatial(0, 4) = q) {
          reads(A[vp, vq])
          writes(R[vp, vq])
          R[vp, vq] = max(A[vp, vq], f32(0))
        }
      }
    }
    for i in range(8) {
      for j in range(6) {
        for k in range(4) {
          block C(vi: spatial(0, 8) = i, vj: spatial(0, 6) = j, vk: reduce(0, 4) = k) {
            reads(C[vi, vj], R[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            init {
              C[vi, vj] = f32(0)
            }
            C[vi, vj] = C[vi, vj] + R[vi, vk] * B[vk, vj]
          }
        }
      }
    }
  }
}
)";

// A transpose into an intermediate, then an elementwise exp: neither is inlined
// (the transpose reads out of order, the exp is costly to recompute).
const char* kTransposeExp = R"(func g(A: f32[4, 6], E: f32[6, 4], Y: f32[6, 4]) {
  block root() {
    alloc T: f32[6, 4]
    alloc X: f32[6, 4]
    for i in range(6) {
      for j in range(4) {
        block transpose(vi: spatial(0, 6) = i, vj: spatial(0, 4) = j) {
          reads(A[vj, vi])
          writes(T[vi, vj])
          T[vi, vj] = A[vj, vi]
        }
      }
    }
    for i in range(6) {
      for j in range(4) {
        block expo(vi: spatial(0, 6) = i, vj: spatial(0, 4) = j) {
          reads(T[vi, vj])
          writes(X[vi, vj])
          X[vi, vj] = exp(T[vi, vj])
        }
      }
    }
    for i in range(6) {
      for j in range(4) {
        block out(vi: spatial(0, 6) = i, vj: spatial(0, 4) = j) {
          reads(X[vi, vj], E[vi, vj])
          writes(Y[vi, vj])
          Y[vi, vj] = X[vi, vj] + E[vi, vj]
        }
      }
    }
  }
}
)";

// A constant scalar block feeding an elementwise block.
const char* kConstScalar = R"(func h(A: f32[5], Y: f32[5]) {
  block root() {
    alloc c: f32[]
    block constant() {
      reads()
      writes(c[])
      c[] = f32(0.5)
    }
    for i in range(5) {
      block scale(vi: spatial(0, 5) = i) {
        reads(A[vi], c[])
        writes(Y[vi])
        Y[vi] = A[vi] * c[]
      }
    }
  }
}
)";

TEST(AutoInline, InlinesAnElementwiseProducerIntoAGemm) {
  ir::PrimFunc f = ir::parse_func(kReluMatmul, "relu_matmul.ir");
  auto states = apply_rule("auto-inline", f, "relu");
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(kinds(states[0].trace()), (std::vector<std::string>{"get_block", "compute_inline"}));
  EXPECT_FALSE(sched::find_block(states[0].func(), "relu"));
  expect_states_correct(states, f);
  // The consumer (an output) is not inlined anywhere.
  auto c = apply_rule("auto-inline", f, "C");
  EXPECT_EQ(c[0].trace().size(), 0u);
}

TEST(AutoInline, LeavesTransposesExpAndOutputs) {
  ir::PrimFunc f = ir::parse_func(kTransposeExp, "transpose_exp.ir");
  for (const char* block : {"transpose", "expo", "out", "root"}) {
    auto states = apply_rule("auto-inline", f, block);
    ASSERT_EQ(states.size(), 1u);
    EXPECT_EQ(states[0].trace().size(), 0u) << block << "\n" << states[0].trace().to_text();
  }
}

TEST(AutoInline, LeavesPaddingWithSelect) {
  ir::Workload w = ir::make_workload("conv2d:N=1,H=5,W=5,C=2,K=2,R=3,S=3,pad=1");
  auto states = apply_rule("auto-inline", w.func, "pad");
  EXPECT_EQ(states[0].trace().size(), 0u);
}

TEST(InlineConstantScalars, InlinesAConstantScalarOnly) {
  ir::PrimFunc f = ir::parse_func(kConstScalar, "const.ir");
  auto states = apply_rule("inline-constant-scalars", f, "constant");
  ASSERT_EQ(states.size(), 1u);
  EXPECT_EQ(kinds(states[0].trace()), (std::vector<std::string>{"get_block", "compute_inline"}));
  EXPECT_FALSE(sched::find_block(states[0].func(), "constant")) << ir::to_text(states[0].func());
  expect_states_correct(states, f);
  // Not a constant scalar: nothing happens.
  EXPECT_EQ(apply_rule("inline-constant-scalars", f, "scale")[0].trace().size(), 0u);
  ir::PrimFunc g = ir::parse_func(kReluMatmul, "relu_matmul.ir");
  EXPECT_EQ(apply_rule("inline-constant-scalars", g, "relu")[0].trace().size(), 0u);
}

}  // namespace
