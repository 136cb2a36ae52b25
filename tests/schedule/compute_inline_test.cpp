// compute_inline and reverse_compute_inline: expected IR, unchanged results,
// replay, and failure messages.
#include "ir/workload.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"
#include "schedule/replay.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

namespace {

// An elementwise producer (As = A * 2) feeding a matmul.
const char* kScaledMatmul = R"(func mm(A: f32[16, 8], B: f32[8, 12], C: f32[16, 12]) {
  block root() {
    alloc As: f32[16, 8]
    for p in range(16) {
      for q in range(8) {
        block scale(vp: spatial(0, 16) = p, vq: spatial(0, 8) = q) {
          reads(A[vp, vq])
          writes(As[vp, vq])
          As[vp, vq] = A[vp, vq] * f32(2)
        }
      }
    }
    for i in range(16) {
      for j in range(12) {
        for k in range(8) {
          block C(vi: spatial(0, 16) = i, vj: spatial(0, 12) = j, vk: reduce(0, 8) = k) {
            reads(C[vi, vj], As[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            init {
              C[vi, vj] = f32(0)
            }
            C[vi, vj] = C[vi, vj] + As[vi, vk] * B[vk, vj]
          }
        }
      }
    }
  }
}
)";

// Two elementwise stages: a bias add into an intermediate, then relu.
const char* kBiasRelu = R"(func bias_relu(X: f32[6, 10], bias: f32[10], Y: f32[6, 10]) {
  block root() {
    alloc T: f32[6, 10]
    for i in range(6) {
      for j in range(10) {
        block add(vi: spatial(0, 6) = i, vj: spatial(0, 10) = j) {
          reads(X[vi, vj], bias[vj])
          writes(T[vi, vj])
          T[vi, vj] = X[vi, vj] + bias[vj]
        }
      }
    }
    for a in range(6) {
      for c in range(10) {
        block relu(va: spatial(0, 6) = a, vc: spatial(0, 10) = c) {
          reads(T[va, vc])
          writes(Y[va, vc])
          Y[va, vc] = max(T[va, vc], f32(0))
        }
      }
    }
  }
}
)";

ir::PrimFunc parse(const char* text) { return ir::parse_func(text, "test.ir"); }

}  // namespace

TEST(ComputeInline, ElementwiseProducerIntoMatmul) {
  ir::PrimFunc original = parse(kScaledMatmul);
  Schedule sch(original);
  compute_inline(sch, get_block(sch, "scale"));
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mm(A: f32[16, 8], B: f32[8, 12], C: f32[16, 12]) {
  block root() {
    for i in range(16) {
      for j in range(12) {
        for k in range(8) {
          block C(vi: spatial(0, 16) = i, vj: spatial(0, 12) = j, vk: reduce(0, 8) = k) {
            reads(C[vi, vj], A[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            init {
              C[vi, vj] = f32(0)
            }
            C[vi, vj] = C[vi, vj] + A[vi, vk] * f32(2) * B[vk, vj]
          }
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
  EXPECT_EQ(sch.trace().to_text(), "b0 = get_block(\"scale\")\ncompute_inline(b0)\n");
  EXPECT_EQ(ir::to_text(replay(sch.trace(), original).func()), ir::to_text(sch.func()));
}

TEST(ComputeInline, PaddingIntoConvolution) {
  ir::PrimFunc original = ir::make_workload("conv2d:N=1,H=5,W=5,C=2,K=3,R=3,S=3,pad=1").func;
  Schedule sch(original);
  compute_inline(sch, get_block(sch, "pad"));
  std::string text = ir::to_text(sch.func());
  EXPECT_EQ(text.find("data_pad"), std::string::npos) << text;
  EXPECT_EQ(text.find("block pad"), std::string::npos) << text;
  // The consumer now reads the unpadded input, guarded by the padding's condition.
  EXPECT_NE(text.find("reads(out[vn, vh, vw, vk], data[vn, vh + vr - 1, vw + vs - 1, vc], weight[vr, vs, vc, vk])"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("out[vn, vh, vw, vk] + select(vh + vr >= 1 && vh + vr < 6 && (vw + vs >= 1 && vw + vs < 6), "
                      "data[vn, vh + vr - 1, vw + vs - 1, vc], f32(0)) * weight[vr, vs, vc, vk]"),
            std::string::npos)
      << text;
  EXPECT_TRUE(same_results(original, sch.func()));
  EXPECT_EQ(ir::to_text(replay(sch.trace(), original).func()), text);
}

TEST(ComputeInline, ChainOfElementwiseStages) {
  // softmax's exp stage inlines into the sum and the normalisation alike.
  ir::PrimFunc original = ir::make_workload("softmax:M=4,N=8").func;
  Schedule sch(original);
  compute_inline(sch, get_block(sch, "expsub"));
  std::string text = ir::to_text(sch.func());
  EXPECT_EQ(text.find("X_exp"), std::string::npos) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(ComputeInline, Errors) {
  Schedule sch(parse(kScaledMatmul));
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(compute_inline(sch, get_block(sch, "C")),
                        "compute_inline: block 'C' is a reduction; only a spatial block");
  EXPECT_SCHEDULE_ERROR(compute_inline(sch, get_block(sch, "C")), "block C(vi: spatial(0, 16) = i");
  EXPECT_EQ(ir::to_text(sch.func()), before);

  Schedule out(parse(kBiasRelu));
  EXPECT_SCHEDULE_ERROR(compute_inline(out, get_block(out, "relu")),
                        "block 'relu' writes 'Y', a parameter of the function; only intermediate buffers can be inlined");

  Schedule dense(ir::make_workload("dense_bias_relu:M=4,N=4,K=4").func);
  EXPECT_SCHEDULE_ERROR(compute_inline(dense, get_block(dense, "matmul")), "block 'matmul' is a reduction");
}

TEST(ComputeInline, RejectsTransposedOrRepeatedIndices) {
  ir::PrimFunc f = parse(R"(func f(A: f32[4, 4], B: f32[4, 4]) {
  block root() {
    alloc T: f32[4, 4]
    for i in range(4) {
      block diag(vi: spatial(0, 4) = i) {
        reads(A[vi, vi])
        writes(T[vi, vi])
        T[vi, vi] = A[vi, vi]
      }
    }
    for x in range(4) {
      for y in range(4) {
        block use(vx: spatial(0, 4) = x, vy: spatial(0, 4) = y) {
          reads(T[vx, vy])
          writes(B[vx, vy])
          B[vx, vy] = T[vx, vy]
        }
      }
    }
  }
}
)");
  Schedule sch(f);
  EXPECT_SCHEDULE_ERROR(compute_inline(sch, get_block(sch, "diag")),
                        "block 'diag' stores to T[vi, vi]; inlining needs each index to be a distinct iterator");
}

TEST(ReverseComputeInline, ReluIntoBiasAdd) {
  ir::PrimFunc original = parse(kBiasRelu);
  Schedule sch(original);
  reverse_compute_inline(sch, get_block(sch, "relu"));
  EXPECT_TRUE(ir_equals(sch.func(), R"(func bias_relu(X: f32[6, 10], bias: f32[10], Y: f32[6, 10]) {
  block root() {
    for i in range(6) {
      for j in range(10) {
        block add(vi: spatial(0, 6) = i, vj: spatial(0, 10) = j) {
          reads(X[vi, vj], bias[vj])
          writes(Y[vi, vj])
          Y[vi, vj] = max(X[vi, vj] + bias[vj], f32(0))
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
  EXPECT_EQ(ir::to_text(replay(sch.trace(), original).func()), ir::to_text(sch.func()));
  EXPECT_EQ(ir::to_text(replay(Trace::parse_text(sch.trace().to_text()), original).func()), ir::to_text(sch.func()));
}

TEST(ReverseComputeInline, TransposingConsumer) {
  // The consumer writes the transpose: its store indices follow the producer's iterators.
  ir::PrimFunc original = parse(R"(func t(X: f32[3, 5], Y: f32[5, 3]) {
  block root() {
    alloc T: f32[3, 5]
    for i in range(3) {
      for j in range(5) {
        block twice(vi: spatial(0, 3) = i, vj: spatial(0, 5) = j) {
          reads(X[vi, vj])
          writes(T[vi, vj])
          T[vi, vj] = X[vi, vj] * f32(2)
        }
      }
    }
    for a in range(3) {
      for c in range(5) {
        block transpose(va: spatial(0, 3) = a, vc: spatial(0, 5) = c) {
          reads(T[va, vc])
          writes(Y[vc, va])
          Y[vc, va] = T[va, vc] + f32(1)
        }
      }
    }
  }
}
)");
  Schedule sch(original);
  reverse_compute_inline(sch, get_block(sch, "transpose"));
  EXPECT_TRUE(ir_equals(sch.func(), R"(func t(X: f32[3, 5], Y: f32[5, 3]) {
  block root() {
    for i in range(3) {
      for j in range(5) {
        block twice(vi: spatial(0, 3) = i, vj: spatial(0, 5) = j) {
          reads(X[vi, vj])
          writes(Y[vj, vi])
          Y[vj, vi] = X[vi, vj] * f32(2) + f32(1)
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(ReverseComputeInline, RejectsReductionProducer) {
  Schedule sch(ir::make_workload("dense_bias_gelu:M=4,N=6,K=3").func);
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(reverse_compute_inline(sch, get_block(sch, "bias_gelu")),
                        "reverse_compute_inline: cannot inline block 'bias_gelu' into reduction block 'matmul'");
  EXPECT_SCHEDULE_ERROR(reverse_compute_inline(sch, get_block(sch, "bias_gelu")), "block matmul(vi: spatial(0, 4)");
  EXPECT_EQ(ir::to_text(sch.func()), before);
}

TEST(ReverseComputeInline, Errors) {
  Schedule sch(parse(kBiasRelu));
  EXPECT_SCHEDULE_ERROR(reverse_compute_inline(sch, get_block(sch, "add")),
                        "block 'add' reads nothing another block of its scope produces");

  // A consumer reading a shifted element cannot take over the producer's iterations.
  Schedule shifted(parse(R"(func s(X: f32[8], Y: f32[7]) {
  block root() {
    alloc T: f32[8]
    for i in range(8) {
      block copy(vi: spatial(0, 8) = i) {
        reads(X[vi])
        writes(T[vi])
        T[vi] = X[vi]
      }
    }
    for j in range(7) {
      block next(vj: spatial(0, 7) = j) {
        reads(T[vj + 1])
        writes(Y[vj])
        Y[vj] = T[vj + 1]
      }
    }
  }
}
)"));
  EXPECT_SCHEDULE_ERROR(reverse_compute_inline(shifted, get_block(shifted, "next")),
                        "block 'next' reads T[vj + 1]; its loads of the producer's output must index exactly its "
                        "iterators");

  // Two consumers of the intermediate: neither may take it over.
  Schedule two(parse(R"(func two(X: f32[4], Y: f32[4], Z: f32[4]) {
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
      block first(vj: spatial(0, 4) = j) {
        reads(T[vj])
        writes(Y[vj])
        Y[vj] = T[vj]
      }
    }
    for k in range(4) {
      block second(vk: spatial(0, 4) = k) {
        reads(T[vk])
        writes(Z[vk])
        Z[vk] = T[vk] + f32(1)
      }
    }
  }
}
)"));
  EXPECT_SCHEDULE_ERROR(reverse_compute_inline(two, get_block(two, "first")),
                        "block 'second' also reads 'T'; block 'first' must be its only consumer");
  // compute_inline handles several consumers.
  ir::PrimFunc before = two.func();
  compute_inline(two, get_block(two, "copy"));
  EXPECT_TRUE(same_results(before, two.func()));
}
