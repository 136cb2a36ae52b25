// CUDA emission: readable structure (signature, thread indices, shared memory,
// barriers, wide copies, launch shape) and the BuildErrors for unsound programs.
#include <gtest/gtest.h>

#include "codegen/cuda_emitter.h"
#include "codegen/cuda_schedules.h"
#include "codegen/cuda_test_util.h"
#include "support/error.h"

namespace weft::test {
namespace {

using namespace ir;
using codegen::CudaKernel;
using codegen::emit_cuda;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string build_error(const PrimFunc& f) {
  try {
    emit_cuda(f, "k");
  } catch (const BuildError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CudaEmit, UnboundProgramIsASingleThreadKernel) {
  CudaKernel k = emit_cuda(make_workload("matmul:M=4,N=8,K=16").func, "mm");
  EXPECT_EQ(k.name, "mm");
  EXPECT_EQ(k.launch.grid, (std::array<int64_t, 3>{1, 1, 1}));
  EXPECT_EQ(k.launch.block, (std::array<int64_t, 3>{1, 1, 1}));
  EXPECT_TRUE(has(k.source, "extern \"C\" __global__ void __launch_bounds__(1) mm(float* __restrict__ b_A, "
                            "float* __restrict__ b_B, float* __restrict__ b_C)"))
      << k.source;
  EXPECT_FALSE(has(k.source, "threadIdx")) << k.source;
  EXPECT_FALSE(has(k.source, "#include")) << k.source;  // no f16: no headers
}

TEST(CudaEmit, HalfTypesUseCudaFp16) {
  CudaKernel k = emit_cuda(make_workload("add:M=4,N=8,dtype=f16").func, "add_f16");
  EXPECT_TRUE(has(k.source, "#include <cuda_fp16.h>")) << k.source;
  EXPECT_TRUE(has(k.source, "__half* __restrict__ b_A")) << k.source;
  CudaKernel b = emit_cuda(make_workload("gelu:M=4,N=8,dtype=bf16").func, "gelu_bf16");
  EXPECT_TRUE(has(b.source, "__nv_bfloat16* __restrict__ b_X")) << b.source;
}

TEST(CudaEmit, TiledMatmulHasThreadsSharedTilesBarriersAndWideCopies) {
  PrimFunc f = scheduled("matmul:M=64,N=64,K=64", kMatmulTiled);
  CudaKernel k = emit_cuda(f, "mm_tiled");
  EXPECT_EQ(k.launch.grid, (std::array<int64_t, 3>{2, 4, 1})) << k.source;
  EXPECT_EQ(k.launch.block, (std::array<int64_t, 3>{8, 8, 1})) << k.source;
  EXPECT_EQ(k.launch.dynamic_shared_bytes, 0);
  EXPECT_TRUE(has(k.source, "__launch_bounds__(64) mm_tiled(")) << k.source;
  EXPECT_TRUE(has(k.source, "= (int64_t)blockIdx.y;")) << k.source;
  EXPECT_TRUE(has(k.source, "= (int64_t)threadIdx.x;")) << k.source;
  EXPECT_TRUE(has(k.source, "__shared__ __align__(16) float b_C_local[512];")) << k.source;  // promoted 16 x 32
  EXPECT_TRUE(has(k.source, "__shared__ __align__(16) float b_A_shared[128];")) << k.source;  // 16 x 8 tile
  EXPECT_TRUE(has(k.source, "__shared__ __align__(16) float b_B_shared[256];")) << k.source;  // 8 x 32 tile
  EXPECT_TRUE(has(k.source, "__syncthreads();")) << k.source;
  EXPECT_TRUE(has(k.source, "*reinterpret_cast<uint4*>(")) << k.source;
  EXPECT_TRUE(has(k.source, "#pragma unroll")) << k.source;
  EXPECT_TRUE(has(k.source, " < 2)")) << k.source;  // the A fetch uses 2 of 8 threads along x
}

TEST(CudaEmit, DynamicSharedMemoryIsSlicedWithOffsets) {
  PrimFunc f = scheduled("matmul:M=64,N=64,K=64", std::string(kMatmulTiled) + R"(b34 = get_block("A_shared")
set_scope(b34, 0, "shared.dyn")
b35 = get_block("B_shared")
set_scope(b35, 0, "shared.dyn")
)");
  CudaKernel k = emit_cuda(f, "mm_dyn");
  EXPECT_EQ(k.launch.dynamic_shared_bytes, (128 + 256) * 4) << k.source;
  EXPECT_TRUE(has(k.source, "extern __shared__ __align__(16) unsigned char weft_dynamic_shared[];")) << k.source;
  EXPECT_TRUE(has(k.source, "reinterpret_cast<float*>(weft_dynamic_shared + 0)")) << k.source;
  EXPECT_TRUE(has(k.source, "reinterpret_cast<float*>(weft_dynamic_shared + 512)")) << k.source;
}

TEST(CudaEmit, StoresOutsideThreadLoopsRunInThreadZero) {
  CudaKernel k = emit_cuda(scheduled("softmax:M=8,N=64", gpu_schedules()[3].trace), "softmax_rows");
  EXPECT_TRUE(has(k.source, "if (threadIdx.x == 0)")) << k.source;
  EXPECT_TRUE(has(k.source, "promoted to shared memory")) << k.source;
  EXPECT_EQ(k.launch.grid[0], 8);
  EXPECT_EQ(k.launch.block[0], 64);
}

TEST(CudaEmit, NonDivisibleTilesArePredicated) {
  CudaKernel k = emit_cuda(scheduled("matmul:M=30,N=30,K=30", gpu_schedules()[2].trace), "mm30");
  EXPECT_EQ(k.launch.grid, (std::array<int64_t, 3>{4, 2, 1})) << k.source;
  EXPECT_EQ(k.launch.block, (std::array<int64_t, 3>{8, 16, 1})) << k.source;
  EXPECT_TRUE(has(k.source, "< 30")) << k.source;
}

TEST(CudaEmit, ThreadBindingErrorsNameTheLoop) {
  auto bound = [](const std::string& outer_tag, int64_t outer, const std::string& inner_tag, int64_t inner) {
    Buffer a = make_buffer("A", DType::f32, {outer * inner});
    Var i = make_var("i"), j = make_var("j"), v = make_var("v");
    Stmt body = make_block_realize({var_expr(i) * int_imm(inner) + var_expr(j)}, bool_imm(true),
                                   make_block("set", {{v, {int_imm(0), int_imm(outer * inner)}, IterKind::Spatial}}, {},
                                              {full_region(a)}, store(a, float_imm(1), {var_expr(v)})));
    body = make_for(j, int_imm(inner), ForKind::ThreadBinding, body, inner_tag);
    body = make_for(i, int_imm(outer), ForKind::ThreadBinding, body, outer_tag);
    return make_func_with_root("f", {a}, body);
  };
  EXPECT_TRUE(has(build_error(bound("threadIdx.x", 4, "threadIdx.x", 4)), "loop 'j' bound to threadIdx.x is nested in loop 'i'"));
  EXPECT_TRUE(has(build_error(bound("threadIdx.x", 4, "blockIdx.x", 4)), "blockIdx loops must enclose threadIdx loops"));
  EXPECT_TRUE(has(build_error(bound("threadIdx.x", 64, "threadIdx.y", 32)), "2048 threads per block"));
  EXPECT_TRUE(has(build_error(bound("blockIdx.x", 4, "threadIdx.z", 128)), "over the device limit of 64"));
  EXPECT_EQ(build_error(bound("blockIdx.x", 4, "threadIdx.x", 256)), "(no error)");
}

TEST(CudaEmit, CrossBlockDependencesAreBuildErrors) {
  // Two grids inside one top-level serial loop are one kernel: block i of the
  // second reads what block 3 - i of the first wrote. (Top-level nests bound
  // separately become separate kernels instead: cuda_split_kernels_test.cpp.)
  Buffer a = make_buffer("A", DType::f32, {4});
  Buffer out = make_buffer("B", DType::f32, {4});
  Buffer tmp = make_buffer("T", DType::f32, {4});
  auto grid = [&](const std::string& name, const Buffer& dst, const Buffer& src, bool reversed) {
    Var i = make_var("i"), v = make_var("v");
    Expr at = reversed ? int_imm(3) - var_expr(v) : var_expr(v);
    Stmt body = make_block_realize(
        {var_expr(i)}, bool_imm(true),
        make_block(name, {{v, {int_imm(0), int_imm(4)}, IterKind::Spatial}}, {full_region(src)}, {full_region(dst)},
                   store(dst, load(src, {at}), {var_expr(v)})));
    return make_for(i, int_imm(4), ForKind::ThreadBinding, body, "blockIdx.x");
  };
  Var t = make_var("t");
  Stmt both = make_for(t, int_imm(2), ForKind::Serial, seq({grid("first", tmp, a, false), grid("second", out, tmp, true)}));
  PrimFunc f = make_func_with_root("f", {a, out}, both, {tmp});
  EXPECT_TRUE(has(build_error(f), "outside the blockIdx.x loop that uses it")) << build_error(f);
}

}  // namespace
}  // namespace weft::test
