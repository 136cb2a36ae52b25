// Generated kernels compile with NVRTC: every op of the library unscheduled, the
// hand-written GPU schedules, and random schedules with random thread bindings
// (which compile or fail with a BuildError, never crash). Skipped without NVRTC.
#include <gtest/gtest.h>

#include <set>

#include "codegen/cuda_emitter.h"
#include "codegen/cuda_schedules.h"
#include "codegen/cuda_test_util.h"
#include "schedule/random_schedule.h"
#include "schedule/error.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_lookup.h"
#include "support/error.h"

namespace weft::test {
namespace {

using namespace ir;
using codegen::CudaKernel;

// One small spec per op; f16/bf16 variants of some.
std::vector<std::string> op_specs() {
  std::vector<std::string> specs;
  for (const std::string& op : list_ops()) {
    if (op == "matmul") specs.push_back("matmul:M=7,N=13,K=9,ta=1");
    else if (op == "batch_matmul") specs.push_back("batch_matmul:B=2,M=4,N=5,K=6");
    else if (op == "conv2d") specs.push_back("conv2d:N=1,H=7,W=7,C=3,K=4,R=3,S=3,pad=1,stride=2");
    else if (op == "dense_bias_gelu" || op == "dense_bias_relu") specs.push_back(op + ":M=7,N=13,K=9");
    else if (op == "sum" || op == "max" || op == "mean") specs.push_back(op + ":A=3,B=5,C=7,axes=011");
    else if (op == "add" || op == "sub" || op == "mul" || op == "div" || op == "maximum") specs.push_back(op + ":M=7,N=13,bcast=row");
    else specs.push_back(op + ":M=7,N=13");
  }
  for (const char* s : {"matmul:M=8,N=8,K=8,dtype=f16", "softmax:M=4,N=16,dtype=bf16", "layernorm:M=4,N=16,dtype=f16",
                        "gelu:M=4,N=8,dtype=f64", "sum:A=2,B=3,C=4,dtype=bf16", "conv2d:N=1,H=5,W=5,C=2,K=2,R=3,S=3,pad=1,dtype=f16"})
    specs.push_back(s);
  return specs;
}

std::string symbol_for(size_t i) { return "k" + std::to_string(i); }

void expect_all_compile(const std::vector<CudaKernel>& kernels, const std::vector<std::string>& labels,
                        const std::string& arch) {
  std::vector<runtime::CudaBuildOutcome> out = runtime::build_cuda_batch(kernels, arch);
  ASSERT_EQ(out.size(), kernels.size());
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_TRUE(out[i].ok()) << labels[i] << " on " << arch << ":\n" << out[i].error << "\n" << kernels[i].source;
    if (!out[i].ok()) continue;
    EXPECT_GT(out[i].binary.cubin.size(), 0u) << labels[i];
    EXPECT_GT(out[i].binary.resources.registers, 0) << labels[i] << "\n" << out[i].binary.log;
    EXPECT_EQ(out[i].binary.arch, arch);
  }
}

TEST(CudaNvrtc, EveryOpCompilesUnscheduledForSm80AndSm90) {
  WEFT_SKIP_WITHOUT_NVRTC();
  std::vector<CudaKernel> kernels;
  std::vector<std::string> labels = op_specs();
  for (size_t i = 0; i < labels.size(); ++i) kernels.push_back(codegen::emit_cuda(make_workload(labels[i]).func, symbol_for(i)));
  expect_all_compile(kernels, labels, "sm_80");
  expect_all_compile(kernels, labels, "sm_90");
}

TEST(CudaNvrtc, EveryOpHasACase) {
  std::set<std::string> covered;
  for (const std::string& s : op_specs()) covered.insert(s.substr(0, s.find(':')));
  for (const std::string& op : list_ops()) EXPECT_TRUE(covered.count(op)) << op;
}

TEST(CudaNvrtc, HandWrittenGpuSchedulesCompile) {
  WEFT_SKIP_WITHOUT_NVRTC();
  std::vector<CudaKernel> kernels;
  std::vector<std::string> labels;
  for (const GpuSchedule& s : gpu_schedules()) {
    kernels.push_back(codegen::emit_cuda(scheduled(s.spec, s.trace), s.name));
    labels.push_back(s.name);
  }
  expect_all_compile(kernels, labels, "sm_80");
  expect_all_compile(kernels, labels, "sm_90");
  // The tiled matmul's report: shared tiles of A and B plus the promoted accumulator.
  runtime::CudaBinary b = runtime::build_cuda(kernels[0], "sm_90");
  EXPECT_EQ(b.resources.shared_bytes, (128 + 256 + 512) * 4) << b.log;
  EXPECT_EQ(b.resources.spill_stores, 0) << b.log;
}

// Random schedules, then random bindings of random loops: each program either
// emits and compiles, or is refused with a BuildError.
TEST(CudaNvrtc, RandomSchedulesWithBindingsCompileOrFailCleanly) {
  WEFT_SKIP_WITHOUT_NVRTC();
  const std::vector<std::string> ops = list_ops();
  const char* tags[] = {"blockIdx.x", "blockIdx.y", "threadIdx.x", "threadIdx.y", "vthread.x"};
  Rng rng(2024);
  std::vector<CudaKernel> kernels;
  std::vector<std::string> labels;
  int refused = 0, bound_programs = 0;
  for (int trial = 0; trial < 40; ++trial) {
    std::string spec = sched::testing::random_spec(ops[rng.uniform_int(0, static_cast<int64_t>(ops.size()) - 1)], rng);
    sched::Schedule sch(make_workload(spec).func, trial);
    sched::testing::apply_random_steps(sch, rng, 4);
    int binds = 0;
    for (int b = 0; b < 3; ++b) {
      std::vector<std::string> blocks;
      for (sched::BlockRV rv : sched::get_child_blocks(sch, sched::get_block(sch, "root"))) blocks.push_back(sch.block_name(rv));
      if (blocks.empty()) break;
      sched::BlockRV block = sched::get_block(sch, blocks[rng.uniform_int(0, static_cast<int64_t>(blocks.size()) - 1)]);
      std::vector<sched::LoopRV> loops = sched::get_loops(sch, block);
      if (loops.empty()) continue;
      sched::LoopRV loop = loops[rng.uniform_int(0, static_cast<int64_t>(loops.size()) - 1)];
      try {
        sched::bind(sch, loop, tags[rng.uniform_int(0, 4)]);
        ++binds;
      } catch (const sched::ScheduleError&) {
      }
    }
    bound_programs += binds > 0;
    std::string label = spec + " (trial " + std::to_string(trial) + ")\n" + sch.trace().to_text();
    try {
      kernels.push_back(codegen::emit_cuda(sch.func(), symbol_for(kernels.size())));
      labels.push_back(label);
    } catch (const BuildError&) {
      ++refused;  // a clear refusal is fine; anything else fails the test
    }
  }
  EXPECT_GT(bound_programs, 10);
  EXPECT_GT(kernels.size(), 20u) << refused << " refused";
  expect_all_compile(kernels, labels, "sm_90");
}

TEST(CudaNvrtc, CompileErrorsAreBuildErrorsWithTheLog) {
  WEFT_SKIP_WITHOUT_NVRTC();
  CudaKernel bad{"broken", "extern \"C\" __global__ void broken(float* p) { p[0] = undefined_name; }", {}};
  try {
    runtime::build_cuda(bad, "sm_90");
    FAIL() << "expected a BuildError";
  } catch (const BuildError& e) {
    EXPECT_NE(std::string(e.what()).find("'broken'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("undefined_name"), std::string::npos) << e.what();
  }
  std::vector<runtime::CudaBuildOutcome> out = runtime::build_cuda_batch({bad}, "sm_90");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_FALSE(out[0].ok());
  EXPECT_THROW(runtime::build_cuda(bad, "sm90"), UsageError);
}

TEST(CudaNvrtc, PtxasReportIsParsed) {
  runtime::CudaResources r = runtime::parse_ptxas_report(
      "ptxas info    : Compiling entry function 'k' for 'sm_90'\n"
      "ptxas         .     256 bytes stack frame, 8 bytes spill stores, 12 bytes spill loads\n"
      "ptxas info    : Used 32 registers, used 1 barriers, 256 bytes cumulative stack size, 1024 bytes smem\n");
  EXPECT_EQ(r.registers, 32);
  EXPECT_EQ(r.shared_bytes, 1024);
  EXPECT_EQ(r.stack_bytes, 256);
  EXPECT_EQ(r.spill_stores, 8);
  EXPECT_EQ(r.spill_loads, 12);
}

TEST(CudaNvrtc, WithoutNvrtcTheBuilderSaysSo) {
  if (runtime::nvrtc_available()) {
    EXPECT_FALSE(runtime::nvrtc_version().empty());
    return;
  }
  EXPECT_THROW(runtime::build_cuda({"k", "", {}}, "sm_90"), RuntimeError);
}

}  // namespace
}  // namespace weft::test
