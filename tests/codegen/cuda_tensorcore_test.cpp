// Tensor-core code generation (codegen/cuda_tensorcore.h): the hand-written GEMM
// schedule of cuda_tensorcore_schedule.h emits mma.sync / ldmatrix code that NVRTC
// compiles for sm_80 and sm_90 without spills; warp-mode errors; and, on a GPU, the
// kernel's result against a float64 reference.
#include <gtest/gtest.h>

#include <cmath>

#include "codegen/cuda_emitter.h"
#include "codegen/cuda_tensorcore.h"
#include "codegen/cuda_tensorcore_schedule.h"
#include "codegen/cuda_test_util.h"
#include "ir/ndarray.h"
#include "runtime/cuda_device.h"
#include "runtime/cuda_driver.h"
#include "runtime/cuda_measure.h"
#include "schedule/intrinsics.h"
#include "support/error.h"

namespace weft::test {
namespace {

using namespace ir;

PrimFunc tensor_core_gemm(const TensorCoreTiles& t) {
  return scheduled(tensor_core_spec(t), tensor_core_trace(t));
}

TensorCoreTiles tiles(const std::string& dtype, bool async_copy = false) {
  TensorCoreTiles t;
  t.dtype = dtype;
  t.async_copy = async_copy;
  return t;
}

bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

TEST(CudaTensorCore, EveryCudaIntrinsicHasAnEmitter) {
  for (const std::string& name : sched::intrinsic_names())
    if (sched::get_intrinsic(name).target == "cuda") EXPECT_TRUE(codegen::is_known_tensor_intrinsic(name)) << name;
  EXPECT_STREQ(codegen::kTensorIntrinKey, sched::kTensorIntrinAnnotation);
}

TEST(CudaTensorCore, GemmEmitsWarpCode) {
  for (const std::string dtype : {"f16", "bf16"}) {
    codegen::CudaKernel k = codegen::emit_cuda(tensor_core_gemm(tiles(dtype)), "tc_gemm");
    const std::string& src = k.source;
    // 256 / 64 thread blocks per side, 4 warps of 32 lanes.
    EXPECT_EQ(k.launch.grid, (std::array<int64_t, 3>{4, 4, 1}));
    EXPECT_EQ(k.launch.block, (std::array<int64_t, 3>{32, 4, 1}));
    EXPECT_TRUE(contains(src, "mma.sync.aligned.m16n8k16.row.col.f32." + dtype + "." + dtype + ".f32")) << src;
    EXPECT_TRUE(contains(src, "wtc::mma_m16n8k16_" + dtype + "(")) << src;
    EXPECT_TRUE(contains(src, "wtc::ldmatrix_x4(")) << src;
    EXPECT_TRUE(contains(src, "wtc::ldmatrix_x2_trans(")) << src;
    // Fragments are per-lane registers: a 32 x 32 f32 accumulator is 32 floats a lane,
    // a 32 x 16 A fragment 8 packed pairs.
    EXPECT_TRUE(contains(src, "float b_C_frag_accumulator[32];")) << src;
    EXPECT_TRUE(contains(src, "uint32_t b_A_shared_frag_matrix_a[8];")) << src;
    // A warp's private shared tiles are slices of one block-wide array.
    EXPECT_TRUE(contains(src, "this warp's slice")) << src;
    EXPECT_TRUE(contains(src, "__syncthreads();")) << src;
  }
}

TEST(CudaTensorCore, GemmCompilesForSm80AndSm90WithoutSpills) {
  WEFT_SKIP_WITHOUT_NVRTC();
  for (const std::string dtype : {"f16", "bf16"}) {
    codegen::CudaKernel k = codegen::emit_cuda(tensor_core_gemm(tiles(dtype)), "tc_gemm_" + dtype);
    for (const char* arch : {"sm_80", "sm_90"}) {
      runtime::CudaBinary bin = runtime::build_cuda(k, arch);
      EXPECT_GT(bin.cubin.size(), 0u);
      EXPECT_EQ(bin.resources.spill_stores, 0) << dtype << " " << arch << "\n" << bin.log;
      EXPECT_EQ(bin.resources.spill_loads, 0) << dtype << " " << arch << "\n" << bin.log;
      EXPECT_EQ(bin.resources.stack_bytes, 0) << "fragments must stay in registers\n" << bin.log;
      EXPECT_LE(bin.resources.registers, 255) << bin.log;
      std::cout << "[ tc_gemm_" << dtype << " " << arch << " ] " << bin.resources.registers << " registers, "
                << bin.resources.shared_bytes << " bytes smem\n";
    }
  }
}

TEST(CudaTensorCore, CpAsyncFetchesCompileAndWaitBeforeBarriers) {
  for (const std::string dtype : {"f16", "bf16"}) {
    codegen::CudaKernel k = codegen::emit_cuda(tensor_core_gemm(tiles(dtype, true)), "tc_gemm_async_" + dtype);
    const std::string& src = k.source;
    EXPECT_TRUE(contains(src, "cp.async.cg.shared.global")) << src;
    EXPECT_TRUE(contains(src, "wtc::cp_async_16(&b_A_shared[")) << src;
    EXPECT_TRUE(contains(src, "wtc::cp_async_commit();")) << src;
    // Every barrier waits for the copies first.
    size_t barriers = 0, waits = 0;
    for (size_t at = src.find("__syncthreads();"); at != std::string::npos; at = src.find("__syncthreads();", at + 1)) {
      ++barriers;
      size_t line_start = src.rfind('\n', src.rfind('\n', at) - 1);
      waits += src.substr(line_start, at - line_start).find("wtc::cp_async_wait_all();") != std::string::npos;
    }
    EXPECT_GT(barriers, 0u);
    EXPECT_EQ(waits, barriers) << src;
    if (!runtime::nvrtc_available()) continue;
    for (const char* arch : {"sm_80", "sm_90"}) {
      runtime::CudaBinary bin = runtime::build_cuda(k, arch);
      // Known: ptxas spills one 8-byte value in this variant (80 registers used);
      // the bound catches fragments falling out of registers (hundreds of bytes).
      EXPECT_LE(bin.resources.spill_stores, 8) << bin.log;
      EXPECT_LE(bin.resources.stack_bytes, 8) << bin.log;
    }
  }
}

// The GEMM trace with each `from` replaced by its `to`.
PrimFunc edited_gemm(const std::vector<std::pair<std::string, std::string>>& edits) {
  TensorCoreTiles t = tiles("f16");
  std::string trace = tensor_core_trace(t);
  for (const auto& [from, to] : edits) {
    size_t at = trace.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) trace.replace(at, from.size(), to);
  }
  return scheduled(tensor_core_spec(t), trace);
}

void expect_build_error(const PrimFunc& f, const std::string& fragment) {
  try {
    codegen::emit_cuda(f, "k");
    ADD_FAILURE() << "expected a BuildError containing: " << fragment;
  } catch (const BuildError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(CudaTensorCore, WarpModeErrors) {
  // threadIdx.x is the lanes: a 16-wide binding is rejected.
  expect_build_error(edited_gemm({{"bind(l26, \"threadIdx.x\")", "l90, l91 = split(l26, [None, 16])\nbind(l91, \"threadIdx.x\")"},
                                  {"bind(l36, \"threadIdx.x\")", "l92, l93 = split(l36, [None, 16])\nbind(l93, \"threadIdx.x\")"}}),
                     "uses warp-level tensor intrinsics, so threadIdx.x is the 32 lanes of a warp, but a loop binds it "
                     "with extent 16");
  // The write-back left scalar: a fragment touched outside an intrinsic.
  expect_build_error(edited_gemm({{"tensorize(l73, \"cuda_mma_store_f32\")\n", ""}}),
                     "accesses fragment 'C_frag_accumulator' (frag.accumulator) outside a tensor intrinsic");
  // cp.async asked of a loop that is not the 16-byte copy.
  expect_build_error(edited_gemm({{"vectorize(l29)\n", "vectorize(l29)\nannotate(l28, \"async_copy\", 1)\n"}}),
                     "is annotated async_copy but is not vectorized");
  // An intrinsic block inside a threadIdx.x loop: one lane cannot run a warp's mma.
  expect_build_error(edited_gemm({{"unroll(l6)\n", "bind(l6, \"threadIdx.x\")\n"}}),
                     "inside loop 'i_2' bound to threadIdx.x");
  // A shared tile stored in blocks of rows (storage_block): ldmatrix needs its rows.
  expect_build_error(edited_gemm({{"compute_at(b17, l12)\n", "compute_at(b17, l12)\nstorage_block(b17, 0, 0, 16)\n"}}),
                     "buffer 'A_shared' is stored in blocks (storage_block); a tensor-core tile needs rows");
}

// Runs `kernel` once on GPU 0 with A and B given and returns C (f32).
NDArray run_on_gpu(const codegen::CudaKernel& kernel, const NDArray& a, const NDArray& b, const std::vector<int64_t>& c_shape) {
  const runtime::CudaDriver& d = runtime::cuda_driver();
  d.init();
  CUdevice dev;
  CUcontext ctx;
  WEFT_CU(d, cuDeviceGet, &dev, 0);
  WEFT_CU(d, cuDevicePrimaryCtxRetain, &ctx, dev);
  WEFT_CU(d, cuCtxSetCurrent, ctx);
  runtime::CudaBinary bin = runtime::build_cuda(kernel, runtime::cuda_device_target(0).arch);
  CUmodule mod;
  CUfunction fn;
  WEFT_CU(d, cuModuleLoadData, &mod, bin.cubin.data());
  WEFT_CU(d, cuModuleGetFunction, &fn, mod, kernel.name.c_str());
  NDArray c(DType::f32, c_shape);
  CUdeviceptr da, db, dc;
  WEFT_CU(d, cuMemAlloc, &da, a.bytes());
  WEFT_CU(d, cuMemAlloc, &db, b.bytes());
  WEFT_CU(d, cuMemAlloc, &dc, c.bytes());
  WEFT_CU(d, cuMemcpyHtoD, da, a.data(), a.bytes());
  WEFT_CU(d, cuMemcpyHtoD, db, b.data(), b.bytes());
  WEFT_CU(d, cuMemsetD8, dc, 0xff, c.bytes());  // NaN everywhere the kernel does not write
  void* args[] = {&da, &db, &dc};
  const codegen::LaunchDims& l = kernel.launch;
  WEFT_CU(d, cuLaunchKernel, fn, l.grid[0], l.grid[1], l.grid[2], l.block[0], l.block[1], l.block[2],
          l.dynamic_shared_bytes, nullptr, args, nullptr);
  WEFT_CU(d, cuCtxSynchronize);
  WEFT_CU(d, cuMemcpyDtoH, c.data(), dc, c.bytes());
  WEFT_CU(d, cuMemFree, da);
  WEFT_CU(d, cuMemFree, db);
  WEFT_CU(d, cuMemFree, dc);
  WEFT_CU(d, cuModuleUnload, mod);
  return c;
}

// C against sum_k A[i,k] B[k,j] in float64 of the rounded inputs: the products of
// two f16/bf16 values are exact in f32, so only the f32 accumulation differs.
void expect_matches_float64(const NDArray& a, const NDArray& b, const NDArray& c, int64_t M, int64_t N, int64_t K) {
  int64_t bad = 0;
  double worst = 0;
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      double exact = 0, magnitude = 0;
      for (int64_t k = 0; k < K; ++k) {
        double p = a.get(i * K + k) * b.get(k * N + j);
        exact += p;
        magnitude += std::abs(p);
      }
      double got = c.get(i * N + j);
      double err = std::abs(got - exact);
      double tol = 1e-5 + 1e-5 * magnitude;  // K f32 roundings of sums at most `magnitude`
      worst = std::max(worst, err / tol);
      if (!(err <= tol) && bad++ < 5)
        ADD_FAILURE() << "C[" << i << ", " << j << "] = " << got << ", float64 reference " << exact;
    }
  EXPECT_EQ(bad, 0) << "elements off; worst error / tolerance " << worst;
}

TEST(CudaTensorCore, GemmOnGpuMatchesFloat64Reference) {
  WEFT_SKIP_WITHOUT_NVRTC();
  runtime::CudaAvailability gpu = runtime::cuda_available();
  if (!gpu) GTEST_SKIP() << "no GPU: " << gpu.reason;
  for (bool async_copy : {false, true}) {
    for (const std::string dtype : {"f16", "bf16"}) {
      TensorCoreTiles t = tiles(dtype, async_copy);
      PrimFunc f = tensor_core_gemm(t);
      // Timing and the measurer's own check against the interpreter.
      runtime::CudaMeasurer measurer(make_workload(tensor_core_spec(t)));
      runtime::MeasureResult r = measurer.measure({f})[0];
      EXPECT_EQ(r.status, runtime::MeasureStatus::Ok) << r.error;
      std::cout << "[ tc_gemm 256^3 " << dtype << (async_copy ? " cp.async" : "") << " ] median " << r.median_us
                << " us\n";
    }
  }
  for (bool async_copy : {false, true}) {
    for (const std::string dtype : {"f16", "bf16"}) {
      TensorCoreTiles t = tiles(dtype, async_copy);
      codegen::CudaKernel k = codegen::emit_cuda(tensor_core_gemm(t), "tc_gemm");
      DType dt = dtype == "f16" ? DType::f16 : DType::bf16;
      Rng rng(7);
      NDArray a = NDArray::random(dt, {t.M, t.K}, rng), b = NDArray::random(dt, {t.K, t.N}, rng);
      NDArray c = run_on_gpu(k, a, b, {t.M, t.N});
      SCOPED_TRACE(dtype + (async_copy ? " with cp.async" : ""));
      expect_matches_float64(a, b, c, t.M, t.N, t.K);
    }
  }
}

}  // namespace
}  // namespace weft::test
