// Realized samples of the CUDA rules for programs of several loop nests (softmax,
// layernorm: every sketch, cross-thread reduction or not) become one kernel per
// top-level nest with the row statistics in scratch buffers
// (codegen/cuda_split_kernels.h), and compile with NVRTC for sm_80 and sm_90 with
// every kernel within the compiled-resource limits. Each sample also equals the
// unscheduled program under the interpreter. The share that compiles is printed.
#include <fmt/format.h>

#include "codegen/compact_buffers.h"
#include "codegen/cuda_emitter.h"
#include "cuda_test_util.h"
#include "runtime/nvrtc_builder.h"
#include "search/postprocess_gpu.h"
#include "search/space.h"
#include "space_test_util.h"
#include "support/error.h"

using namespace weft;
using namespace weft::search;
using namespace weft::search::testing;

namespace {

struct Sample {
  std::string label;
  std::string trace;
  codegen::CudaKernel kernel;
};

// Top-level statements of the root block: the nests the rules bind separately.
size_t top_level_nests(const ir::PrimFunc& f) {
  const auto* seq = f->root_block().body.as<ir::SeqStmtNode>();
  return seq ? seq->seq.size() : 1;
}

TEST(CudaSplitSamples, SoftmaxAndLayernormSamplesCompileAsSeveralKernels) {
  int realized = 0, emitted = 0, compiled = 0, several = 0, one_kernel_refused = 0;
  std::vector<std::string> failures;
  std::vector<Sample> all;
  for (const char* spec : {"softmax:M=8,N=128", "softmax:M=5,N=33", "softmax:M=16,N=256,dtype=f16",
                           "layernorm:M=4,N=64", "layernorm:M=5,N=33", "layernorm:M=8,N=512,dtype=bf16"}) {
    ir::Workload w = ir::make_workload(spec);
    std::vector<sched::Trace> space = generate_design_space(w.func, cuda_target());
    ASSERT_FALSE(space.empty()) << spec;
    for (size_t k = 0; k < space.size(); ++k) {
      sched::Trace fresh = without_decisions(space[k]);
      for (uint64_t seed = 0; seed < 3; ++seed) {
        std::string label = fmt::format("{} sketch {} seed {}", spec, k, seed);
        sched::Schedule s(w.func);
        try {
          s = realize(fresh, w.func, cuda_target(), seed);
        } catch (const VerificationError&) {
          continue;  // over a GPU limit: search draws again
        }
        ++realized;
        EXPECT_TRUE(every_block_bound(s.func())) << label;
        EXPECT_TRUE(sched::testing::same_results(w.func, s.func())) << label << "\n" << s.trace().to_text();
        try {
          codegen::CudaKernel kernel = codegen::emit_cuda(s.func(), "k" + std::to_string(all.size()));
          ++emitted;
          several += kernel.launches.size() > 1;
          // What emission as one kernel (before the split) made of it.
          try {
            codegen::CudaEmitter(codegen::compact_buffers(s.func())).emit_kernel("one");
          } catch (const BuildError&) {
            ++one_kernel_refused;
          }
          // One kernel per top-level nest (compute_at may have merged some), and
          // every kernel of several reads or writes a scratch buffer.
          EXPECT_EQ(kernel.launches.size(), top_level_nests(codegen::compact_buffers(s.func()))) << label;
          if (kernel.launches.size() > 1) {
            EXPECT_FALSE(kernel.scratch.empty()) << label;
            for (const auto& l : kernel.launches) EXPECT_FALSE(l.scratch_args.empty()) << label << " " << l.name;
          }
          all.push_back({label, s.trace().to_text(), std::move(kernel)});
        } catch (const BuildError& e) {
          failures.push_back(label + " (emit): " + e.what());
        }
      }
    }
  }
  ASSERT_GT(realized, 0);
  EXPECT_GT(several, 0) << "no sample was split";
  if (!runtime::nvrtc_available()) GTEST_SKIP() << "weft was built without NVRTC";
  std::vector<codegen::CudaKernel> kernels;
  for (const Sample& s : all) kernels.push_back(s.kernel);
  std::vector<int> ok(kernels.size(), 1);
  for (const char* arch : {"sm_80", "sm_90"}) {
    std::vector<runtime::CudaBuildOutcome> out = runtime::build_cuda_batch(kernels, arch, 1);
    GpuLimits limits = gpu_limits(cuda_target(arch));
    for (size_t i = 0; i < out.size(); ++i) {
      if (!out[i].ok()) {
        ok[i] = 0;
        failures.push_back(all[i].label + " (" + arch + "): " + out[i].error.substr(0, 400));
        continue;
      }
      const auto& launches = kernels[i].launches;
      EXPECT_EQ(out[i].binary.kernel_resources.size(), launches.size()) << all[i].label;
      for (size_t l = 0; l < launches.size() && l < out[i].binary.kernel_resources.size(); ++l) {
        try {
          verify_compiled_resources(launches[l].name, out[i].binary.kernel_resources[l], limits);
        } catch (const VerificationError& e) {
          ok[i] = 0;
          failures.push_back(all[i].label + " (" + arch + "): " + e.what());
        }
      }
    }
  }
  for (int o : ok) compiled += o;
  std::string report = fmt::format(
      "{} realized, {} emitted ({} as several kernels; {} refused as one kernel), {} compiled for sm_80 and sm_90 "
      "({:.0f}%)",
      realized, emitted, several, one_kernel_refused, compiled, 100.0 * compiled / realized);
  std::cout << "[ split samples ] " << report << "\n";
  for (const std::string& f : failures) std::cout << "  " << f << "\n";
  EXPECT_EQ(compiled, realized) << report;
}

}  // namespace
