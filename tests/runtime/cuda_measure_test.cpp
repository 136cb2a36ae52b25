// CudaMeasurer: without a GPU it says so before doing any work; with one, correct
// kernels are checked and timed, and wrong, faulting, hanging and unloadable ones are
// reported while the rest of the batch is still measured.
#include "runtime/cuda_measure.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "codegen/cuda_emitter.h"
#include "runtime/cuda_device.h"
#include "runtime/cuda_driver.h"
#include "cuda_test_kernels.h"
#include "ir/parser.h"
#include "ir/workload.h"
#include "support/error.h"

namespace weft::runtime {
namespace {

namespace k = test_kernels;

const char* kRelu = "relu:M=4,N=8";

CudaBinary ptx(const char* source, int64_t dynamic_shared_bytes = 0) {
  codegen::CudaKernel kernel;
  kernel.name = "relu";
  kernel.launch.block = {32, 1, 1};
  kernel.launch.dynamic_shared_bytes = dynamic_shared_bytes;
  CudaBinary binary;
  binary.kernel = kernel;
  // PTX text with its NUL: cuModuleLoadData compiles it for the GPU.
  binary.cubin.assign(source, source + std::strlen(source) + 1);
  return binary;
}

// A compiler that must not be reached.
CudaCompiler unreachable_compiler(std::atomic<int>& calls) {
  return [&calls](const ir::PrimFunc&, const std::string&) -> CudaBinary {
    ++calls;
    throw InternalError("the compiler ran");
  };
}

CudaMeasureConfig quick_config() {
  CudaMeasureConfig c;
  c.warmup = 1;
  c.repeats = 5;
  c.run_timeout_s = 10;
  c.build_jobs = 2;
  return c;
}

#define REQUIRE_GPU()                                                  \
  do {                                                                 \
    if (auto a = cuda_available(); !a) GTEST_SKIP() << "no GPU: " << a.reason; \
  } while (0)

TEST(CudaMeasurer, WithoutAGpuSaysSoBeforeBuildingAnything) {
  if (cuda_available()) GTEST_SKIP() << "this machine has a GPU";
  std::atomic<int> calls{0};
  CudaMeasurer m(ir::make_workload(kRelu), quick_config(), unreachable_compiler(calls));
  try {
    m.measure({ir::make_workload(kRelu).func, ir::make_workload(kRelu).func});
    FAIL() << "measured without a GPU";
  } catch (const NoGpuError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("no GPU found: ", 0), 0u) << e.what();
  }
  EXPECT_EQ(calls.load(), 0);
  EXPECT_THROW(m.measure_binaries({ptx(k::kReluPtx)}), NoGpuError);
  EXPECT_THROW(m.target(), NoGpuError);
  // Nothing to measure needs no GPU.
  EXPECT_TRUE(m.measure({}).empty());
}

TEST(CudaMeasurer, RejectsCandidatesOfAnotherWorkloadAndBadConfigs) {
  std::atomic<int> calls{0};
  CudaMeasurer m(ir::make_workload(kRelu), quick_config(), unreachable_compiler(calls));
  EXPECT_THROW(m.measure({ir::make_workload("matmul:M=4,N=8,K=2").func}), UsageError);
  CudaMeasureConfig no_repeats = quick_config();
  no_repeats.repeats = 0;
  EXPECT_THROW(CudaMeasurer(ir::make_workload(kRelu), no_repeats, unreachable_compiler(calls)), UsageError);
  EXPECT_THROW(CudaMeasurer(ir::make_workload(kRelu), quick_config(), nullptr), UsageError);
}

TEST(CudaMeasurer, ChecksAndTimesACorrectKernel) {
  REQUIRE_GPU();
  std::atomic<int> calls{0};
  CudaMeasurer m(ir::make_workload(kRelu), quick_config(), unreachable_compiler(calls));
  EXPECT_EQ(m.target().backend, "cuda");
  auto results = m.measure_binaries({ptx(k::kReluPtx), ptx(k::wrong_relu_ptx())});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].status, MeasureStatus::Ok) << results[0].error;
  EXPECT_GT(results[0].median_us, 0);
  ASSERT_EQ(results[0].latencies_us.size(), 5u);
  for (double us : results[0].latencies_us) EXPECT_GT(us, 0);
  EXPECT_EQ(results[1].status, MeasureStatus::WrongResult);
  EXPECT_NE(results[1].error.find("output 'Y'"), std::string::npos) << results[1].error;
  EXPECT_EQ(results[1].median_us, 0);
}

TEST(CudaMeasurer, OptsInToLargeDynamicSharedMemory) {
  REQUIRE_GPU();
  if (cuda_devices().front().max_shared_per_block_optin < 100 * 1024) GTEST_SKIP() << "GPU has < 100 KiB shared/block";
  std::atomic<int> calls{0};
  CudaMeasurer m(ir::make_workload(kRelu), quick_config(), unreachable_compiler(calls));
  auto results = m.measure_binaries({ptx(k::kDynamicSharedReluPtx, 100 * 1024)});
  EXPECT_EQ(results[0].status, MeasureStatus::Ok) << results[0].error;
}

TEST(CudaMeasurer, FaultsAndHangsCostOnlyTheirCandidate) {
  REQUIRE_GPU();
  CudaMeasureConfig c = quick_config();
  c.run_timeout_s = 5;
  std::atomic<int> calls{0};
  CudaMeasurer m(ir::make_workload(kRelu), c, unreachable_compiler(calls));
  CudaBinary missing_entry = ptx(k::kReluPtx);
  missing_entry.kernel.name = "no_such_kernel";
  auto results = m.measure_binaries({ptx(k::kTrapPtx), ptx(k::kReluPtx), ptx(k::kOutOfBoundsPtx), ptx(k::kReluPtx),
                                     ptx(k::kSpinPtx), ptx(k::kReluPtx), missing_entry, ptx("not ptx at all"),
                                     ptx(k::kReluPtx)});
  ASSERT_EQ(results.size(), 9u);
  EXPECT_EQ(results[0].status, MeasureStatus::RunError);
  EXPECT_NE(results[0].error.find("CUDA_ERROR_"), std::string::npos) << results[0].error;
  EXPECT_EQ(results[1].status, MeasureStatus::Ok) << results[1].error;
  EXPECT_EQ(results[2].status, MeasureStatus::RunError);
  EXPECT_NE(results[2].error.find("CUDA_ERROR_ILLEGAL_ADDRESS"), std::string::npos) << results[2].error;
  EXPECT_EQ(results[3].status, MeasureStatus::Ok) << results[3].error;
  EXPECT_EQ(results[4].status, MeasureStatus::Timeout) << results[4].error;
  EXPECT_NE(results[4].error.find("timed out after 5 s"), std::string::npos) << results[4].error;
  EXPECT_EQ(results[5].status, MeasureStatus::Ok) << results[5].error;
  EXPECT_EQ(results[6].status, MeasureStatus::BuildError);
  EXPECT_NE(results[6].error.find("no_such_kernel"), std::string::npos) << results[6].error;
  EXPECT_EQ(results[7].status, MeasureStatus::BuildError);
  EXPECT_NE(results[7].error.find("CUDA_ERROR_"), std::string::npos) << results[7].error;
  EXPECT_EQ(results[8].status, MeasureStatus::Ok) << results[8].error;
  for (size_t i : {1, 3, 5, 8}) EXPECT_GT(results[i].median_us, 0) << i;
}

TEST(CudaMeasurer, ACompilerFailureCostsOnlyItsCandidate) {
  REQUIRE_GPU();
  // Candidates are told apart by their program: the unscheduled relu compiles (to
  // the hand-written PTX), any other program of the same parameters does not.
  ir::Workload w = ir::make_workload(kRelu);
  ir::PrimFunc good = w.func;
  ir::PrimFunc other = ir::make_workload(kRelu).func;
  std::atomic<int> calls{0};
  CudaCompiler compiler = [&](const ir::PrimFunc& f, const std::string& arch) -> CudaBinary {
    ++calls;
    EXPECT_EQ(arch, cuda_devices().front().arch());
    if (f.get() != good.get()) throw BuildError("this candidate does not compile");
    return ptx(k::kReluPtx);
  };
  CudaMeasurer m(w, quick_config(), compiler);
  auto results = m.measure({good, other, good});
  EXPECT_EQ(calls.load(), 3);
  EXPECT_EQ(results[0].status, MeasureStatus::Ok) << results[0].error;
  EXPECT_EQ(results[1].status, MeasureStatus::BuildError);
  EXPECT_NE(results[1].error.find("does not compile"), std::string::npos) << results[1].error;
  EXPECT_EQ(results[2].status, MeasureStatus::Ok) << results[2].error;
}

// relu:M=4,N=8 with its loops bound to blocks and threads.
ir::PrimFunc bound_relu() {
  return ir::parse_func(R"(func relu(X: f32[4, 8], Y: f32[4, 8]) {
  block root() {
    for i in range(4) thread(blockIdx.x) {
      for j in range(8) thread(threadIdx.x) {
        block relu(vi: spatial(0, 4) = i, vj: spatial(0, 8) = j) {
          reads(X[vi, vj])
          writes(Y[vi, vj])
          Y[vi, vj] = max(X[vi, vj], f32(0))
        }
      }
    }
  }
}
)",
                        "<test>");
}

TEST(CudaMeasurer, NvrtcCompilerBuildsEmittedCandidatesWithoutAGpu) {
  if (!nvrtc_available()) GTEST_SKIP() << "weft was built without NVRTC";
  CudaBinary b = nvrtc_compiler()(bound_relu(), "sm_90");
  EXPECT_EQ(b.kernel.name, "candidate");
  EXPECT_FALSE(b.cubin.empty());
  EXPECT_EQ(b.kernel.launch.grid[0], 4);
  EXPECT_EQ(b.kernel.launch.block[0], 8);
}

// softmax:M=8,N=64 with each nest bound to its own grid: four kernels with the row
// statistics and the exponentials in scratch buffers (codegen/cuda_split_kernels.h).
ir::PrimFunc softmax_per_nest() {
  return ir::parse_func(R"(func softmax(X: f32[8, 64], Y: f32[8, 64]) {
  block root() {
    alloc X_max: f32[8]
    alloc X_exp: f32[8, 64]
    alloc X_sum: f32[8]
    for i_0 in range(2) thread(blockIdx.x) {
      for i_1 in range(4) thread(threadIdx.x) {
        for k in range(64) {
          block maxelem(vi: spatial(0, 8) = i_0 * 4 + i_1, vk: reduce(0, 64) = k) {
            reads(X_max[vi], X[vi, vk])
            writes(X_max[vi])
            init {
              X_max[vi] = f32(-3.4028235e+38)
            }
            X_max[vi] = max(X_max[vi], X[vi, vk])
          }
        }
      }
    }
    for i in range(8) thread(blockIdx.x) {
      for j in range(64) thread(threadIdx.x) {
        block expsub(vi_1: spatial(0, 8) = i, vj: spatial(0, 64) = j) {
          reads(X[vi_1, vj], X_max[vi_1])
          writes(X_exp[vi_1, vj])
          X_exp[vi_1, vj] = exp(X[vi_1, vj] - X_max[vi_1])
        }
      }
    }
    for i_0_1 in range(2) thread(blockIdx.x) {
      for i_1_1 in range(4) thread(threadIdx.x) {
        for k_1 in range(64) {
          block sumexp(vi_2: spatial(0, 8) = i_0_1 * 4 + i_1_1, vk_1: reduce(0, 64) = k_1) {
            reads(X_sum[vi_2], X_exp[vi_2, vk_1])
            writes(X_sum[vi_2])
            init {
              X_sum[vi_2] = f32(0)
            }
            X_sum[vi_2] = X_sum[vi_2] + X_exp[vi_2, vk_1]
          }
        }
      }
    }
    for i_2 in range(8) thread(blockIdx.x) {
      for j_1 in range(64) thread(threadIdx.x) {
        block norm(vi_3: spatial(0, 8) = i_2, vj_1: spatial(0, 64) = j_1) {
          reads(X_exp[vi_3, vj_1], X_sum[vi_3])
          writes(Y[vi_3, vj_1])
          Y[vi_3, vj_1] = X_exp[vi_3, vj_1] / X_sum[vi_3]
        }
      }
    }
  }
}
)",
                        "<test>");
}

TEST(CudaMeasurer, NvrtcCompilerBuildsEveryKernelOfASplitProgram) {
  if (!nvrtc_available()) GTEST_SKIP() << "weft was built without NVRTC";
  CudaBinary b = nvrtc_compiler()(softmax_per_nest(), "sm_90");
  ASSERT_EQ(b.kernel.launches.size(), 4u) << b.kernel.source;
  ASSERT_EQ(b.kernel.scratch.size(), 3u);
  ASSERT_EQ(b.kernel_resources.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(b.kernel.launches[i].name, "candidate_" + std::to_string(i));
    EXPECT_NE(b.log.find("'candidate_" + std::to_string(i) + "'"), std::string::npos) << b.log;
    EXPECT_GT(b.kernel_resources[i].registers, 0) << b.log;
  }
}

// The kernels of a split program run in order, each with its scratch buffers, and
// the outputs are checked after the whole sequence: reversed or incomplete
// sequences compute wrong results (unwritten scratch reads as NaN).
TEST(CudaMeasurer, SplitProgramsRunEveryKernelInOrder) {
  REQUIRE_GPU();
  if (!nvrtc_available()) GTEST_SKIP() << "weft was built without NVRTC";
  CudaMeasurer m(ir::make_workload("softmax:M=8,N=64"), quick_config());
  std::vector<MeasureResult> emitted = m.measure({softmax_per_nest()});
  EXPECT_EQ(emitted[0].status, MeasureStatus::Ok) << emitted[0].error;
  EXPECT_GT(emitted[0].median_us, 0);

  CudaBinary good = build_cuda(codegen::emit_cuda(softmax_per_nest(), "sm"), m.target().arch);
  CudaBinary reversed = good, truncated = good;
  std::reverse(reversed.kernel.launches.begin(), reversed.kernel.launches.end());
  truncated.kernel.launches.pop_back();
  auto results = m.measure_binaries({good, reversed, truncated, good});
  EXPECT_EQ(results[0].status, MeasureStatus::Ok) << results[0].error;
  EXPECT_EQ(results[1].status, MeasureStatus::WrongResult) << results[1].error;
  EXPECT_EQ(results[2].status, MeasureStatus::WrongResult) << results[2].error;
  EXPECT_EQ(results[3].status, MeasureStatus::Ok) << results[3].error;
}

TEST(CudaMeasurer, EmittedKernelsMatchTheReference) {
  REQUIRE_GPU();
  if (!nvrtc_available()) GTEST_SKIP() << "weft was built without NVRTC";
  CudaMeasurer relu(ir::make_workload(kRelu), quick_config());
  auto results = relu.measure({bound_relu(), ir::make_workload(kRelu).func});
  for (const auto& r : results) {
    EXPECT_EQ(r.status, MeasureStatus::Ok) << r.error;
    EXPECT_GT(r.median_us, 0);
  }
  // A reduction, unscheduled: one thread computes it all.
  CudaMeasurer matmul(ir::make_workload("matmul:M=32,N=16,K=8"), quick_config());
  auto m = matmul.measure({matmul.workload().func});
  EXPECT_EQ(m[0].status, MeasureStatus::Ok) << m[0].error;
}

}  // namespace
}  // namespace weft::runtime
