// Realized samples of the CUDA rules compile with NVRTC for sm_80 and sm_90 and
// pass the compiled-resource check: cuda-auto-bind (elementwise ops), cuda-cross-
// thread-reduction and cuda-unroll (row reductions). Skipped without NVRTC.
// cuda-multi-level-tiling samples: cuda_tiling_compile_test.cpp; programs of
// several loop nests (softmax, layernorm): cuda_split_samples_test.cpp.
#include "codegen/cuda_emitter.h"
#include "cuda_test_util.h"
#include "runtime/nvrtc_builder.h"
#include "search/postprocess_gpu.h"
#include "search/space.h"
#include "space_test_util.h"

using namespace weft;
using namespace weft::search;
using namespace weft::search::testing;

namespace {

int count_kind(const sched::Trace& t, const std::string& kind) {
  int n = 0;
  for (const auto& inst : t.instructions()) n += inst.kind == kind;
  return n;
}

struct Sample {
  std::string label;
  codegen::CudaKernel kernel;
};

// Fresh samples of every sketch of `spec` whose trace uses `instruction`.
std::vector<Sample> samples(const std::string& spec, const std::string& instruction, int per_sketch) {
  ir::Workload w = ir::make_workload(spec);
  std::vector<Sample> out;
  std::vector<sched::Trace> space = generate_design_space(w.func, cuda_target());
  for (size_t k = 0; k < space.size(); ++k) {
    if (count_kind(space[k], instruction) == 0) continue;
    for (int i = 0; i < per_sketch; ++i) {
      sched::Schedule s = realize(without_decisions(space[k]), w.func, cuda_target(), static_cast<uint64_t>(i));
      std::string symbol = "k" + std::to_string(out.size());
      out.push_back({spec + " sketch " + std::to_string(k) + " sample " + std::to_string(i),
                     codegen::emit_cuda(s.func(), symbol)});
    }
  }
  EXPECT_FALSE(out.empty()) << spec << " has no sketch with " << instruction;
  return out;
}

void expect_compiles(const std::vector<Sample>& all) {
  std::vector<codegen::CudaKernel> kernels;
  for (const Sample& s : all) kernels.push_back(s.kernel);
  for (const char* arch : {"sm_80", "sm_90"}) {
    std::vector<runtime::CudaBuildOutcome> out = runtime::build_cuda_batch(kernels, arch);
    ASSERT_EQ(out.size(), kernels.size());
    GpuLimits limits = gpu_limits(cuda_target(arch));
    for (size_t i = 0; i < out.size(); ++i) {
      ASSERT_TRUE(out[i].ok()) << all[i].label << " on " << arch << ":\n" << out[i].error << "\n" << kernels[i].source;
      EXPECT_GT(out[i].binary.cubin.size(), 0u);
      EXPECT_NO_THROW(verify_compiled_resources(kernels[i].name, out[i].binary.resources, limits)) << all[i].label;
      // A bound program launches more than one thread.
      EXPECT_GT(kernels[i].launch.threads_per_block(), 1) << all[i].label;
    }
  }
}

TEST(CudaNvrtc, AutoBindSamplesCompile) {
  if (!runtime::nvrtc_available()) GTEST_SKIP() << "weft was built without NVRTC";
  std::vector<Sample> all;
  for (const char* spec : {"add:M=64,N=40,bcast=row", "relu:M=7,N=9", "gelu:M=33,N=65", "bias_add:M=6,N=10"})
    for (Sample& s : samples(spec, "bind", 3)) all.push_back(std::move(s));
  expect_compiles(all);
}

TEST(CudaNvrtc, CrossThreadReductionAndUnrollSamplesCompile) {
  if (!runtime::nvrtc_available()) GTEST_SKIP() << "weft was built without NVRTC";
  std::vector<Sample> all;
  for (const char* spec : {"sum:A=2,B=3,C=64,axes=011", "max:A=4,B=1,C=512,axes=001", "mean:A=3,B=5,C=7,axes=011"}) {
    for (Sample& s : samples(spec, "rfactor", 3)) all.push_back(std::move(s));
    for (Sample& s : samples(spec, "annotate", 2)) all.push_back(std::move(s));
  }
  expect_compiles(all);
}

}  // namespace
