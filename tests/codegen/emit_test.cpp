// The generated source: its shape per construct, vector code versus scalar
// fallback, and the errors code generation raises.
#include <gtest/gtest.h>

#include "codegen/codegen_test_util.h"
#include "codegen/cpp_emitter.h"
#include "codegen/cpp_prelude.h"
#include "codegen/hand_built.h"
#include "codegen/vector_emitter.h"
#include "support/error.h"

namespace weft::test {
namespace {

using namespace ir;

std::string source_of(const std::string& name) { return codegen::emit_cpp(hand_built(name).func, "weft_test_fn"); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

int count(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t p = text.find(part); p != std::string::npos; p = text.find(part, p + 1)) ++n;
  return n;
}

TEST(Emit, SignatureAndRestrictPointers) {
  std::string src = source_of("add_2d");
  EXPECT_TRUE(contains(src, "extern \"C\" int weft_test_fn(void** args)")) << src;
  EXPECT_TRUE(contains(src, "float* __restrict__ b_A = static_cast<float*>(args[0]);")) << src;
  EXPECT_TRUE(contains(src, "float* __restrict__ b_C = static_cast<float*>(args[2]);")) << src;
  EXPECT_TRUE(contains(src, "return 0;")) << src;
}

TEST(Emit, ReductionInitRunsAtFirstReductionIteration) {
  std::string src = source_of("matmul_init");
  EXPECT_TRUE(contains(src, "if (v_vk == 0L)")) << src;
}

TEST(Emit, PredicateGuardsTheBlock) {
  std::string src = source_of("predicate_split");
  EXPECT_TRUE(contains(src, "if ((((v_io * 4L) + v_ii) < 10L))")) << src;
}

TEST(Emit, LargeAllocationsGoToTheHeapSmallOnesToTheStack) {
  EXPECT_TRUE(contains(source_of("alloc_root_heap"), "wrt::heap_array<float>"));
  std::string src = source_of("alloc_block_stack");
  EXPECT_TRUE(contains(src, "alignas(64) float b_R[64];")) << src;
  EXPECT_FALSE(contains(src, "heap_array")) << src;
}

TEST(Emit, OnlyTheOutermostParallelLoopGetsAPragma) {
  std::string src = source_of("parallel_nested");
  EXPECT_EQ(count(src, "#pragma omp parallel for"), 1) << src;
  EXPECT_TRUE(contains(src, "inside a parallel region: runs serially")) << src;
}

TEST(Emit, UnrolledLoopsGetAnUnrollPragma) {
  EXPECT_TRUE(contains(source_of("unrolled"), "#pragma GCC unroll 4"));
}

TEST(Emit, NamesArePrefixedAndUnique) {
  std::string src = source_of("awkward_names");
  EXPECT_TRUE(contains(src, "b_int")) << src;
  EXPECT_TRUE(contains(src, "b_return")) << src;
  EXPECT_TRUE(contains(src, "int64_t v_for = 0")) << src;
  EXPECT_TRUE(contains(src, "int64_t v_for_1 = 0")) << src;
  EXPECT_TRUE(contains(src, "const int64_t v_i = v_for;")) << src;
  EXPECT_TRUE(contains(src, "const int64_t v_i_1 = v_for_1;")) << src;
}

TEST(Emit, ContiguousVectorLoopUsesVectorTypesWithoutFallback) {
  std::string src = source_of("vec_add");
  // f32 values: 8 lanes, one 32-byte (AVX2) vector (kVectorBytes).
  EXPECT_TRUE(contains(src, "wrt::f32x8")) << src;
  EXPECT_TRUE(contains(src, "wrt::loadu<wrt::f32x8>(b_A + ")) << src;
  EXPECT_TRUE(contains(src, "wrt::storeu(b_C + ")) << src;
  EXPECT_FALSE(contains(src, "runs as scalar code")) << src;
  EXPECT_FALSE(contains(src, "gather")) << src;
  // The prelude declares the type.
  EXPECT_TRUE(contains(codegen::cpp_prelude(), "typedef float f32x16 __attribute__((vector_size(64)));"));
}

TEST(Emit, LaneInvariantLoadIsBroadcast) {
  std::string src = source_of("vec_broadcast");
  EXPECT_TRUE(contains(src, "wrt::bcast<wrt::f32x8>(b_s[")) << src;
  EXPECT_FALSE(contains(src, "runs as scalar code")) << src;
}

TEST(Emit, StridedLoadIsGathered) {
  std::string src = source_of("vec_gather");
  EXPECT_TRUE(contains(src, "wrt::gather<wrt::f32x8>(b_A, ")) << src;
  EXPECT_TRUE(contains(src, "wrt::storeu(b_C + ")) << src;
  EXPECT_TRUE(contains(source_of("vec_strided"), "wrt::scatter(b_D, "));
}

TEST(Emit, NonPowerOfTwoExtentGetsAScalarTail) {
  std::string src = source_of("vec_tail");
  EXPECT_TRUE(contains(src, "1 x 8 lanes + 5 scalar")) << src;
  std::string long_src = source_of("vec_long");
  EXPECT_TRUE(contains(long_src, "4 x 8 lanes + 1 scalar")) << long_src;
  // A few chunks are unrolled so that each keeps its own registers.
  EXPECT_TRUE(contains(long_src, "#pragma GCC unroll 4")) << long_src;
}

TEST(Emit, LaneVaryingPredicateIsMasked) {
  std::string src = source_of("vec_predicate");
  EXPECT_TRUE(contains(src, "if (wrt::all(")) << src;
  EXPECT_TRUE(contains(src, "run the chunk lane by lane")) << src;
}

TEST(Emit, VectorReductionWithInitVectorizes) {
  std::string src = source_of("matmul_vec_j");
  EXPECT_FALSE(contains(src, "runs as scalar code")) << src;
  EXPECT_TRUE(contains(src, "wrt::loadu<wrt::f32x8>(b_C + ")) << src;
}

TEST(Emit, SafeSelectVectorizesUnsafeOneFallsBack) {
  std::string relu = source_of("vec_select_relu");
  EXPECT_FALSE(contains(relu, "runs as scalar code")) << relu;
  std::string pad = source_of("vec_pad_fallback");
  EXPECT_TRUE(contains(pad, "runs as scalar code: a lane-varying '&&' guards a load") ||
              contains(pad, "runs as scalar code: a select whose condition varies by lane guards a load"))
      << pad;
  std::string nonlinear = source_of("vec_nonlinear");
  EXPECT_FALSE(contains(nonlinear, "runs as scalar code")) << nonlinear;
  EXPECT_TRUE(contains(nonlinear, "wrt::gather")) << nonlinear;
}

TEST(Emit, ReductionAlongTheVectorLoopFallsBack) {
  std::string src = source_of("vec_reduce_fallback");
  EXPECT_TRUE(contains(src, "runs as scalar code: every lane stores to the same element")) << src;
}

TEST(Emit, EveryStorageTypeVectorizes) {
  std::string src = source_of("vec_dtypes");
  EXPECT_FALSE(contains(src, "runs as scalar code")) << src;
  // Lanes follow the widest value computed: f16 computes in float (8 lanes),
  // integers, bools and f64 in 8 bytes (4 lanes).
  for (const char* type : {"wrt::u16x8", "wrt::u8x4", "wrt::i32x4", "wrt::i8x4", "wrt::f64x4", "wrt::i64x4"})
    EXPECT_TRUE(contains(src, type)) << type;
}

TEST(Emit, VectorizeFailureExplainsItself) {
  const auto& root = hand_built("vec_reduce_fallback").func->root_block();
  const auto* outer = root.body.as<ForNode>();
  ASSERT_NE(outer, nullptr);
  const auto* inner = outer->body.as<ForNode>();
  ASSERT_NE(inner, nullptr);
  EXPECT_NE(codegen::vectorize_failure(*inner).find("same element"), std::string::npos);
  const auto* vec_outer = hand_built("vec_add").func->root_block().body.as<ForNode>();
  EXPECT_EQ(codegen::vectorize_failure(*vec_outer->body.as<ForNode>()), "");
}

TEST(Emit, ThreadBoundLoopsAreRejected) {
  Buffer a = make_buffer("A", DType::f32, {32});
  Var tx = make_var("tx"), v = make_var("v");
  Block b = make_block("A", {{v, {0, 32}, IterKind::Spatial}}, {}, {full_region(a)},
                       store(a, float_imm(1.0), {ve(v)}));
  Stmt s = make_for(tx, 32, ForKind::ThreadBinding, make_block_realize({ve(tx)}, bool_imm(true), b), "threadIdx.x");
  PrimFunc f = make_func_with_root("gpu_only", {a}, s);
  try {
    codegen::emit_cpp(f, "k");
    FAIL() << "expected BuildError";
  } catch (const BuildError& e) {
    std::string msg = e.what();
    EXPECT_TRUE(contains(msg, "'tx'")) << msg;
    EXPECT_TRUE(contains(msg, "threadIdx.x")) << msg;
    EXPECT_TRUE(contains(msg, "GPU")) << msg;
    EXPECT_TRUE(contains(msg, "gpu_only")) << msg;
  }
}

TEST(Emit, BadSymbolNamesAreRejected) {
  const PrimFunc& f = hand_built("add_2d").func;
  for (const char* bad : {"int", "1abc", "a-b", "", "wrt"}) EXPECT_THROW(codegen::emit_cpp(f, bad), BuildError) << bad;
}

TEST(Emit, UndefinedVariablesAndBuffersAreBuildErrors) {
  Buffer a = make_buffer("A", DType::f32, {4}), stray = make_buffer("Stray", DType::f32, {4});
  Var free_var = make_var("n");
  PrimFunc f1 = make_func_with_root("free_var", {a}, store(a, float_imm(0.0), {ve(free_var)}));
  EXPECT_THROW(codegen::emit_cpp(f1, "k"), BuildError);
  PrimFunc f2 = make_func_with_root("stray", {a}, store(stray, float_imm(0.0), {0}));
  try {
    codegen::emit_cpp(f2, "k");
    FAIL() << "expected BuildError";
  } catch (const BuildError& e) {
    EXPECT_TRUE(contains(e.what(), "'Stray'")) << e.what();
  }
}

TEST(Emit, ModuleHasOnePreludeAndEveryFunction) {
  std::string src = codegen::emit_cpp_module({{"f1", hand_built("add_2d").func}, {"f2", hand_built("vec_add").func}});
  EXPECT_EQ(count(src, "==== weft CPU prelude ===="), 1);
  EXPECT_TRUE(contains(src, "int f1(void** args)"));
  EXPECT_TRUE(contains(src, "int f2(void** args)"));
}

TEST(Emit, FloatLiteralsAreExact) {
  EXPECT_EQ(codegen::float_literal(1.5, DType::f32), "0x1.8p+0f");
  EXPECT_EQ(codegen::float_literal(-0.0, DType::f64), "(-0x0p+0)");
  EXPECT_EQ(codegen::float_literal(1.0 / 0.0, DType::f32), "__builtin_inff()");
  EXPECT_EQ(codegen::int_literal(INT64_MIN), "(-9223372036854775807L - 1)");
  EXPECT_EQ(codegen::int_literal(-3), "(-3L)");
}

}  // namespace
}  // namespace weft::test
