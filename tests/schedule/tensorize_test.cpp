// tensorize and the intrinsic registry: expected IR, unchanged results (in the
// interpreter and compiled to vector code), failure messages, replay.
#include "codegen/cpp_emitter.h"
#include "ir/workload.h"
#include "runtime/cpu_builder.h"
#include "schedule/intrinsics.h"
#include "schedule/primitives_blockize.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/primitives_reduction.h"
#include "schedule/replay.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

namespace {

// Matmul loops i, j_0, k, j_1 with j_1 of extent 8: the shape cpu_fma_f32x8 matches.
struct Tiled {
  Schedule sch;
  LoopRV lanes;
};
Tiled tile_for_fma(const ir::PrimFunc& func) {
  Schedule sch(func);
  auto loops = get_loops(sch, get_block(sch, "C"));
  auto js = split(sch, loops[1], {Arg(), Arg(8)});
  reorder(sch, {loops[2], js[1]});
  return {sch, js[1]};
}

const char* const kFmaExpected = R"(func mm(A: f32[8, 4], B: f32[4, 16], C: f32[8, 16]) {
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
            for j in range(8) vectorized {
              C[vi, vj_o * 8 + j] = C[vi, vj_o * 8 + j] + A[vi, vk] * B[vk, vj_o * 8 + j]
            }
          }
        }
      }
    }
  }
}
)";

}  // namespace

TEST(Tensorize, IntrinsicRegistry) {
  EXPECT_TRUE(has_intrinsic("cpu_fma_f32x8"));
  EXPECT_TRUE(has_intrinsic("cpu_fma_f32x4x8"));
  const TensorIntrinsic& fma = get_intrinsic("cpu_fma_f32x4x8");
  EXPECT_EQ(fma.target, "cpu");
  ASSERT_EQ(fma.desc->params.size(), 3u);
  EXPECT_EQ(fma.desc->params[2]->shape, (std::vector<int64_t>{4, 8}));
  EXPECT_SCHEDULE_ERROR(get_intrinsic("no_such_intrinsic"),
                        "tensorize: unknown intrinsic 'no_such_intrinsic' (known: cpu_fma_f32x4x8, cpu_fma_f32x8");
  EXPECT_THROW(register_intrinsic("cpu_fma_f32x8", "cpu", [] { return IntrinsicFuncs{}; }), InternalError);
}

TEST(Tensorize, LoopWithFmaMicroKernel) {
  ir::PrimFunc original = matmul_func(8, 16, 4);
  Tiled t = tile_for_fma(original);
  tensorize(t.sch, t.lanes, "cpu_fma_f32x8");
  EXPECT_TRUE(ir_equals(t.sch.func(), kFmaExpected));
  EXPECT_TRUE(same_results(original, t.sch.func()));
  expect_replays(t.sch, original);
}

TEST(Tensorize, BlockizeThenTensorizeTheBlockIsTheSame) {
  ir::PrimFunc original = matmul_func(8, 16, 4);
  Tiled t = tile_for_fma(original);
  BlockRV outer = blockize(t.sch, t.lanes);
  tensorize(t.sch, outer, "cpu_fma_f32x8");
  EXPECT_TRUE(ir_equals(t.sch.func(), kFmaExpected));
  expect_replays(t.sch, original);
}

TEST(Tensorize, FourByEightKernelCompilesToVectorCode) {
  ir::PrimFunc original = matmul_func(12, 24, 5);
  Schedule sch(original);
  auto loops = get_loops(sch, get_block(sch, "C"));
  auto is = split(sch, loops[0], {Arg(), Arg(4)});
  auto js = split(sch, loops[1], {Arg(), Arg(8)});
  reorder(sch, {js[0], loops[2], is[1], js[1]});  // i_0, j_0, k, i_1, j_1
  tensorize(sch, is[1], "cpu_fma_f32x4x8");
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("for i in range(4) unrolled {"), std::string::npos) << text;
  EXPECT_NE(text.find("C[vi_o * 4 + i, vj_o * 8 + j] = C[vi_o * 4 + i, vj_o * 8 + j] + A[vi_o * 4 + i, vk] * "
                      "B[vk, vj_o * 8 + j]"),
            std::string::npos)
      << text;
  EXPECT_TRUE(same_results(original, sch.func()));

  std::string source = codegen::emit_cpp(sch.func(), "mm_fma");
  EXPECT_NE(source.find("// vectorized loop 'j'"), std::string::npos) << source;
  EXPECT_EQ(source.find("runs as scalar code"), std::string::npos) << source;
  auto module = runtime::CpuBuilder().build({{"mm", sch.func()}});
  runtime::CpuFunction fn = module->get_function("mm");
  Rng rng(3);
  std::vector<ir::NDArray> expected, actual;
  for (const ir::Buffer& p : original->params) expected.push_back(ir::NDArray::random(p->dtype, p->shape, rng));
  actual = expected;
  std::vector<ir::NDArray*> pe, pa;
  for (auto& a : expected) pe.push_back(&a);
  for (auto& a : actual) pa.push_back(&a);
  ir::interpret(original, pe);
  fn(pa);
  ir::Comparison c = ir::compare(expected[2], actual[2]);
  EXPECT_TRUE(c.ok) << c.message;
  expect_replays(sch, original);
}

TEST(Tensorize, AfterDecomposeReductionTheBlockHasNoInit) {
  ir::PrimFunc original = matmul_func(4, 16, 3);
  Tiled t = tile_for_fma(original);
  BlockRV outer = blockize(t.sch, t.lanes);
  decompose_reduction(t.sch, outer, get_loops(t.sch, outer)[0]);
  tensorize(t.sch, outer, "cpu_fma_f32x8");
  std::string text = ir::to_text(t.sch.func());
  EXPECT_EQ(text.find("init {"), std::string::npos) << text;
  EXPECT_NE(text.find("block C_o_init("), std::string::npos) << text;
  EXPECT_TRUE(same_results(original, t.sch.func()));
  expect_replays(t.sch, original);
}

TEST(Tensorize, Errors) {
  ir::PrimFunc original = matmul_func(8, 16, 4);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  auto js = split(sch, loops[1], {Arg(), Arg(4)});
  reorder(sch, {loops[2], js[1]});
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(tensorize(sch, js[1], "cpu_fma_f32x8"),
                        "tensorize: block 'C_o' does not match intrinsic 'cpu_fma_f32x8': loop j_1 has extent 4, the "
                        "description's loop j has 8");
  EXPECT_EQ(ir::to_text(sch.func()), before);  // the blockize inside tensorize is undone too
  EXPECT_SCHEDULE_ERROR(tensorize(sch, js[1], "cpu_fma_f64"), "unknown intrinsic 'cpu_fma_f64'");
  EXPECT_SCHEDULE_ERROR(tensorize(sch, c, "cpu_fma_f32x8"), "block 'C' does not match intrinsic 'cpu_fma_f32x8'");

  // The reduction under the lanes: the body has two loops where the description has one.
  Schedule s2(original);
  auto l2 = get_loops(s2, get_block(s2, "C"));
  auto j2 = split(s2, l2[1], {Arg(), Arg(8)});
  EXPECT_SCHEDULE_ERROR(tensorize(s2, j2[1], "cpu_fma_f32x8"), "does not match intrinsic 'cpu_fma_f32x8'");

  // B read transposed: its index follows the lanes in the wrong dimension.
  ir::PrimFunc transposed = ir::parse_func(R"(func mt(A: f32[4, 4], B: f32[16, 4], C: f32[4, 16]) {
  block root() {
    for i in range(4) {
      for j in range(16) {
        for k in range(4) {
          block C(vi: spatial(0, 4) = i, vj: spatial(0, 16) = j, vk: reduce(0, 4) = k) {
            reads(C[vi, vj], A[vi, vk], B[vj, vk])
            writes(C[vi, vj])
            init {
              C[vi, vj] = f32(0)
            }
            C[vi, vj] = C[vi, vj] + A[vi, vk] * B[vj, vk]
          }
        }
      }
    }
  }
}
)",
                                           "transposed.ir");
  Tiled t = tile_for_fma(transposed);
  EXPECT_SCHEDULE_ERROR(tensorize(t.sch, t.lanes, "cpu_fma_f32x8"),
                        "is not the description's index plus an offset independent of the matched loops");
}

// ---- pad_einsum: odd shapes padded so that they tile (and tensorize) ---------------------

TEST(PadEinsum, MatmulOddShapes) {
  ir::PrimFunc original = matmul_func(6, 10, 3);
  Schedule sch(original);
  pad_einsum(sch, get_block(sch, "C"), {4, 8, 1});
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mm(A: f32[6, 3], B: f32[3, 10], C: f32[6, 10]) {
  block root() {
    alloc C_pad: f32[8, 16]
    alloc A_pad: f32[8, 3]
    alloc B_pad: f32[3, 16]
    for ax0 in range(8) {
      for ax1 in range(3) {
        block A_pad(v0: spatial(0, 8) = ax0, v1: spatial(0, 3) = ax1) {
          reads(A[v0, v1])
          writes(A_pad[v0, v1])
          if (v0 < 6) {
            A_pad[v0, v1] = A[v0, v1]
          } else {
            A_pad[v0, v1] = f32(0)
          }
        }
      }
    }
    for ax0 in range(3) {
      for ax1 in range(16) {
        block B_pad(v0: spatial(0, 3) = ax0, v1: spatial(0, 16) = ax1) {
          reads(B[v0, v1])
          writes(B_pad[v0, v1])
          if (v1 < 10) {
            B_pad[v0, v1] = B[v0, v1]
          } else {
            B_pad[v0, v1] = f32(0)
          }
        }
      }
    }
    for i in range(8) {
      for j in range(16) {
        for k in range(3) {
          block C(vi: spatial(0, 8) = i, vj: spatial(0, 16) = j, vk: reduce(0, 3) = k) {
            reads(C_pad[vi, vj], A_pad[vi, vk], B_pad[vk, vj])
            writes(C_pad[vi, vj])
            init {
              C_pad[vi, vj] = f32(0)
            }
            C_pad[vi, vj] = C_pad[vi, vj] + A_pad[vi, vk] * B_pad[vk, vj]
          }
        }
      }
    }
    for ax0 in range(6) {
      for ax1 in range(10) {
        block C_unpad(v0: spatial(0, 6) = ax0, v1: spatial(0, 10) = ax1) {
          reads(C_pad[v0, v1])
          writes(C[v0, v1])
          C[v0, v1] = C_pad[v0, v1]
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
  expect_replays(sch, original);
}

TEST(PadEinsum, OddMatmulPaddedThenTensorized) {
  ir::PrimFunc original = matmul_func(5, 13, 7);  // N = 13 and K = 7 pad to 16 and 8
  Schedule sch(original);
  pad_einsum(sch, get_block(sch, "C"), {1, 8, 4});
  auto loops = get_loops(sch, get_block(sch, "C"));
  auto js = split(sch, loops[1], {Arg(), Arg(8)});
  reorder(sch, {loops[2], js[1]});
  tensorize(sch, js[1], "cpu_fma_f32x8");
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("for j in range(8) vectorized"), std::string::npos) << text;
  EXPECT_NE(text.find("alloc A_pad: f32[5, 8]"), std::string::npos) << text;
  EXPECT_NE(text.find("alloc B_pad: f32[8, 16]"), std::string::npos) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
  expect_replays(sch, original);
}

TEST(PadEinsum, LibraryOps) {
  struct Case {
    const char* spec;
    const char* block;
    std::vector<int64_t> padding;
  };
  for (const Case& c :
       {Case{"sum:A=3,B=5,C=7,axes=001", "sum", {2, 4, 4}}, Case{"mean:A=3,B=5,C=6,axes=011", "mean", {1, 8, 4}},
        Case{"softmax:M=3,N=5", "expsub", {4, 4}}, Case{"softmax:M=3,N=5", "sumexp", {2, 8}}}) {
    ir::Workload w = ir::make_workload(c.spec);
    Schedule sch(w.func);
    pad_einsum(sch, get_block(sch, c.block), c.padding);
    EXPECT_TRUE(same_results(w.func, sch.func())) << c.spec << " " << c.block;
    expect_replays(sch, w.func);
  }
}

TEST(PadEinsum, AccumulatingWithoutInitCopiesTheOutputIn) {
  ir::PrimFunc original = matmul_func(6, 5, 4);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  decompose_reduction(sch, c, get_loops(sch, c)[0]);
  pad_einsum(sch, c, {4, 4, 1});
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("block C_pad("), std::string::npos) << text;  // C's values brought into C_pad
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(PadEinsum, Errors) {
  Schedule sch(matmul_func(6, 10, 3));
  BlockRV c = get_block(sch, "C");
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(pad_einsum(sch, c, {4, 8}),
                        "pad_einsum: needs one padding per iterator of block 'C' (3), got 2");
  EXPECT_SCHEDULE_ERROR(pad_einsum(sch, c, {2, 5, 1}), "nothing to pad");
  EXPECT_SCHEDULE_ERROR(pad_einsum(sch, c, {0, 1, 1}), "padding 1 is 0; paddings must be positive");
  EXPECT_EQ(ir::to_text(sch.func()), before);
  split(sch, get_loops(sch, c)[0], {Arg(2), Arg(3)});
  EXPECT_SCHEDULE_ERROR(pad_einsum(sch, c, {4, 8, 1}),
                        "iterator 'vi' must be bound to a loop of its own with the iterator's extent, it is bound to "
                        "i_0 * 3 + i_1");

  ir::Workload max = ir::make_workload("max:A=3,B=4,C=5,axes=001");
  Schedule s2(max.func);
  EXPECT_SCHEDULE_ERROR(pad_einsum(s2, get_block(s2, "max"), {1, 1, 8}),
                        "padding reduction iterator 'vk' would fold in padded values");

  ir::PrimFunc shifted = ir::parse_func(R"(func s(A: f32[9], B: f32[8]) {
  block root() {
    for i in range(8) {
      block B(vi: spatial(0, 8) = i) {
        reads(A[vi + 1])
        writes(B[vi])
        B[vi] = A[vi + 1]
      }
    }
  }
}
)",
                                        "shifted.ir");
  Schedule s3(shifted);
  EXPECT_SCHEDULE_ERROR(pad_einsum(s3, get_block(s3, "B"), {16}),
                        "'A' is indexed by vi + 1, neither an iterator nor a constant");
}
