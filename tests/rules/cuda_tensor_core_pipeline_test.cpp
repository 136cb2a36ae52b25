// cuda-tensor-core-tiling's software-pipeline depth: the cp.async sketch samples
// software_pipeline_depth of k0 from {1, 2, 3} (the plain sketch does not), fixed
// depths build pipelines that interpret like the workload and compile without
// spills, realized samples of every depth compile and their traces replay, and
// verify-gpu-code rejects a depth whose staged tiles pass the shared-memory limit.
#include <map>

#include "codegen/compact_buffers.h"
#include "codegen/cuda_emitter.h"
#include "codegen/software_pipeline.h"
#include "ir/interpreter.h"
#include "ir/printer.h"
#include "rule_test_util.h"
#include "rules/cuda_tensor_core_util.h"
#include "rules/rule_util.h"
#include "runtime/nvrtc_builder.h"
#include "schedule/ir_nav.h"
#include "search/postprocess.h"
#include "search/postprocess_gpu.h"
#include "search/space.h"

using namespace weft;
using namespace weft::rules::testing;

namespace {

bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

// The depth annotated on some loop of `f` (0 when none is).
int64_t annotated_depth(const ir::PrimFunc& f) {
  struct Finder : ir::IRVisitor {
    int64_t depth = 0;
    void visit(const ir::ForNode& n, const ir::Stmt& s) override {
      int64_t d = codegen::loop_annotation_int(n, codegen::kSoftwarePipelineDepthKey);
      if (d > 0) depth = d;
      IRVisitor::visit(n, s);
    }
  } finder;
  finder.visit_stmt(f->body);
  return finder.depth;
}

const sched::Instruction* depth_sample(const sched::Trace& t) {
  for (const auto& inst : t.instructions())
    if (inst.kind == "sample_categorical") return &inst;
  return nullptr;
}

// The GEMM of `spec` scheduled by the rule's structure with fixed decisions.
sched::Schedule fixed_gemm(const std::string& spec, const rules::cuda::TensorCoreDecisions& d) {
  ir::PrimFunc f = ir::make_workload(spec).func;
  sched::Schedule s(f);
  std::optional<rules::cuda::TensorCoreGemm> gemm = rules::cuda::tensor_core_gemm(rules::site_of(s, "C"));
  EXPECT_TRUE(gemm.has_value()) << spec;
  rules::cuda::schedule_tensor_core_gemm(s, "C", *gemm, d, std::nullopt);
  return s;
}

TEST(CudaTensorCorePipeline, TheCpAsyncSketchSamplesTheDepth) {
  ir::PrimFunc f = ir::make_workload("matmul:M=128,N=128,K=128,dtype=f16").func;
  auto states = apply_rule("cuda-tensor-core-tiling", f, "C", 5, cuda_target("sm_80"));
  ASSERT_EQ(states.size(), 3u);
  EXPECT_EQ(depth_sample(states[0].trace()), nullptr) << states[0].trace().to_text();
  EXPECT_EQ(annotated_depth(states[0].func()), 0);
  const sched::Instruction* sample = depth_sample(states[1].trace());
  ASSERT_NE(sample, nullptr) << states[1].trace().to_text();
  EXPECT_TRUE(contains(states[1].trace().to_text(), "candidates=[1, 2, 3]")) << states[1].trace().to_text();
  EXPECT_TRUE(contains(states[1].trace().to_text(), "\"software_pipeline_depth\"")) << states[1].trace().to_text();
  int64_t depth = annotated_depth(states[1].func());
  EXPECT_TRUE(depth >= 1 && depth <= 3) << depth;
  expect_states_correct({states[1]}, f);
}

TEST(CudaTensorCorePipeline, FixedDepthsInterpretAndCompileWithoutSpills) {
  const std::string spec = "matmul:M=128,N=128,K=128,dtype=f16";
  ir::PrimFunc workload = ir::make_workload(spec).func;
  for (int64_t depth : {2, 3}) {
    rules::cuda::TensorCoreDecisions d;
    d.m_block = {2, 4}, d.m_warp = {2, 2}, d.n_block = {2, 4}, d.n_warp = {2, 2}, d.k_split = {4, 2};
    d.async_copy = true;
    d.pipeline_depth = depth;
    sched::Schedule s = fixed_gemm(spec, d);
    SCOPED_TRACE("depth " + std::to_string(depth) + "\n" + s.trace().to_text());
    EXPECT_EQ(annotated_depth(s.func()), depth);
    EXPECT_TRUE(sched::testing::same_results(workload, s.func()));
    // The lowered pipeline too (the interpreter runs its marker loops as plain loops).
    EXPECT_TRUE(sched::testing::same_results(workload, codegen::software_pipeline(codegen::compact_buffers(s.func()))));
    codegen::CudaKernel k = codegen::emit_cuda(s.func(), "tc_rule_pipe");
    EXPECT_TRUE(contains(k.source, "cp.async.wait_group " + std::to_string(depth - 1) + ";")) << k.source;
    if (!runtime::nvrtc_available()) continue;
    for (const char* arch : {"sm_80", "sm_90"}) {
      runtime::CudaBinary bin = runtime::build_cuda(k, arch);
      EXPECT_EQ(bin.resources.spill_stores, 0) << arch << "\n" << bin.log;
      EXPECT_EQ(bin.resources.spill_loads, 0) << arch << "\n" << bin.log;
      // 4 warps, each a 32 x 32 A tile and a 32 x 32 B tile of f16 per stage.
      EXPECT_EQ(bin.resources.shared_bytes, depth * 4 * 2 * 2048) << arch;
    }
  }
  rules::cuda::TensorCoreDecisions bad;
  bad.async_copy = true;
  bad.pipeline_depth = 5;
  EXPECT_SCHEDULE_ERROR(fixed_gemm(spec, bad), "pipeline depth 5 is not one of 1, 2, 3");
}

TEST(CudaTensorCorePipeline, VerifierSeesTheStagedSharedMemory) {
  // 4 warps with 32 x 64 A and 64 x 32 B tiles: 32 KiB single-stage, 64 KiB in two stages.
  const std::string spec = "matmul:M=128,N=128,K=128,dtype=f16";
  rules::cuda::TensorCoreDecisions d;
  d.m_block = {2, 4}, d.m_warp = {2, 2}, d.n_block = {2, 4}, d.n_warp = {2, 2}, d.k_split = {2, 4};
  d.async_copy = true;
  auto verify = search::make_verify_gpu_code();
  d.pipeline_depth = 1;
  sched::Schedule one = fixed_gemm(spec, d);
  EXPECT_NO_THROW(verify->apply(one, cuda_target("sm_80")));
  d.pipeline_depth = 2;
  sched::Schedule two = fixed_gemm(spec, d);
  try {
    verify->apply(two, cuda_target("sm_80"));
    ADD_FAILURE() << "expected a VerificationError";
  } catch (const search::VerificationError& e) {
    EXPECT_TRUE(contains(e.what(), "65536 bytes of static shared memory")) << e.what();
  }
}

TEST(CudaTensorCorePipeline, RealizedSamplesOfEveryDepthCompileAndReplay) {
  const std::string spec = "matmul:M=128,N=128,K=256,dtype=f16";
  ir::PrimFunc f = ir::make_workload(spec).func;
  auto states = apply_rule("cuda-tensor-core-tiling", f, "C", 0, cuda_target("sm_80"));
  ASSERT_EQ(states.size(), 3u);
  sched::Trace sketch = search::without_decisions(states[1].trace());
  std::map<int64_t, int> compiled;  // per depth
  int rejected = 0;
  for (uint64_t seed = 0; seed < 64 && (compiled[2] < 2 || compiled[3] < 2); ++seed) {
    std::optional<sched::Schedule> sample;
    try {
      sample = search::realize(sketch, f, cuda_target("sm_80"), seed * 104729 + 3);
    } catch (const search::VerificationError&) {
      ++rejected;  // over a GPU limit (shared memory, mostly): search draws again
      continue;
    }
    int64_t depth = annotated_depth(sample->func());
    if (depth > 1 && compiled[depth] >= 2) continue;
    SCOPED_TRACE("seed " + std::to_string(seed) + " depth " + std::to_string(depth) + "\n" + sample->trace().to_text());
    EXPECT_TRUE(sched::testing::same_results(f, sample->func()));
    if (depth > 1)
      EXPECT_TRUE(sched::testing::same_results(f, codegen::software_pipeline(codegen::compact_buffers(sample->func()))));
    sched::testing::expect_replays(*sample, f);
    codegen::CudaKernel k = codegen::emit_cuda(sample->func(), "tc_pipe_sample");
    // K0 = 1 leaves even a deeper request single-stage.
    if (depth > 1) EXPECT_TRUE(contains(k.source, "software pipeline of")) << k.source;
    if (runtime::nvrtc_available()) {
      runtime::CudaBinary bin = runtime::build_cuda(k, "sm_80");
      EXPECT_EQ(bin.resources.spill_stores, 0) << bin.log;
    }
    ++compiled[depth];
  }
  std::cout << "[ pipelined samples ] depth 1: " << compiled[1] << ", 2: " << compiled[2] << ", 3: " << compiled[3]
            << " compiled; " << rejected << " rejected by verification\n";
  EXPECT_GE(compiled[2], 2);
  EXPECT_GE(compiled[3], 2);
}

}  // namespace
