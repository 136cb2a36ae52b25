// Programs of several top-level loop nests, each bound to its own grid, become
// one kernel per nest with global scratch buffers between them
// (codegen/cuda_split_kernels.h): the parts, run one after another by the
// interpreter with shared scratch arrays, compute what the program computes; the
// launch list, scratch arguments and entry points; NVRTC compiles every entry for
// sm_80 and sm_90 with one resource report each; single-nest programs are emitted
// as before.
#include <gtest/gtest.h>

#include "codegen/compact_buffers.h"
#include "codegen/cuda_emitter.h"
#include "codegen/cuda_schedules.h"
#include "codegen/cuda_split_kernels.h"
#include "codegen/cuda_test_util.h"
#include "ir/interpreter.h"
#include "runtime/output_check.h"
#include "support/error.h"

namespace weft::test {
namespace {

using namespace ir;
using codegen::CudaKernel;
using codegen::emit_cuda;
using codegen::KernelPart;
using codegen::SplitProgram;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

int count(const std::string& text, const std::string& part) {
  int n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// softmax with every block's row loop split over blocks of threads (reductions) or
// bound to blockIdx.x with the columns on threadIdx.x: four grids.
const char* kSoftmaxPerNest = R"(b0 = get_block("maxelem")
l1, l2 = get_loops(b0)
l3, l4 = split(l1, [None, 4])
bind(l3, "blockIdx.x")
bind(l4, "threadIdx.x")
b5 = get_block("expsub")
l6, l7 = get_loops(b5)
bind(l6, "blockIdx.x")
bind(l7, "threadIdx.x")
b8 = get_block("sumexp")
l9, l10 = get_loops(b8)
l11, l12 = split(l9, [None, 4])
bind(l11, "blockIdx.x")
bind(l12, "threadIdx.x")
b13 = get_block("norm")
l14, l15 = get_loops(b13)
bind(l14, "blockIdx.x")
bind(l15, "threadIdx.x")
)";

// layernorm: statistics one row per thread (2 per block), the normalisation one row
// per block with the columns split over 16 threads.
const char* kLayernormPerNest = R"(b0 = get_block("mean")
l1, l2 = get_loops(b0)
l3, l4 = split(l1, [None, 2])
bind(l3, "blockIdx.x")
bind(l4, "threadIdx.x")
b5 = get_block("variance")
l6, l7 = get_loops(b5)
l8, l9 = split(l6, [None, 2])
bind(l8, "blockIdx.x")
bind(l9, "threadIdx.x")
b10 = get_block("normalize")
l11, l12 = get_loops(b10)
bind(l11, "blockIdx.x")
l13, l14 = split(l12, [None, 16])
bind(l14, "threadIdx.x")
)";

// Runs the parts in order with the interpreter, scratch arrays shared between
// them (filled with a value no part may depend on), and compares the outputs with
// the interpreter on the unscheduled workload.
void expect_parts_compute_the_workload(const std::string& spec, const SplitProgram& split) {
  Workload w = make_workload(spec);
  std::vector<NDArray> args = runtime::random_arguments(w.func, 7);
  std::vector<NDArray> expected = args;
  auto expected_ptrs = runtime::pointers(expected);
  interpret(w.func, expected_ptrs);

  const size_t nparams = w.func->params.size();
  std::vector<NDArray> scratch(split.scratch.size());
  for (const KernelPart& part : split.parts)
    for (size_t a = 0; a < part.scratch_args.size(); ++a) {
      const Buffer& param = part.func->params[nparams + a];
      NDArray& s = scratch[static_cast<size_t>(part.scratch_args[a])];
      if (s.size() == 0) {
        s = NDArray(param->dtype, param->shape);
        for (int64_t i = 0; i < s.size(); ++i) s.set(i, 1e4);
      }
    }
  for (const KernelPart& part : split.parts) {
    ASSERT_EQ(part.func->params.size(), nparams + part.scratch_args.size());
    std::vector<NDArray*> ptrs = runtime::pointers(args);
    for (int i : part.scratch_args) ptrs.push_back(&scratch[static_cast<size_t>(i)]);
    interpret(part.func, ptrs);
  }
  auto bad = runtime::output_mismatch(w.func, w.num_outputs, expected, args);
  EXPECT_FALSE(bad.has_value()) << spec << ": " << (bad ? bad->message : "");
}

void expect_compiles_per_entry(const CudaKernel& k) {
  WEFT_SKIP_WITHOUT_NVRTC();
  for (const char* arch : {"sm_80", "sm_90"}) {
    runtime::CudaBinary b = runtime::build_cuda(k, arch);
    EXPECT_GT(b.cubin.size(), 0u);
    ASSERT_EQ(b.kernel_resources.size(), k.launches.size()) << b.log;
    for (size_t i = 0; i < k.launches.size(); ++i) {
      EXPECT_TRUE(has(b.log, "'" + k.launches[i].name + "'")) << b.log;
      EXPECT_GT(b.kernel_resources[i].registers, 0) << k.launches[i].name << "\n" << b.log;
      EXPECT_EQ(b.kernel_resources[i].spill_stores, 0) << k.launches[i].name;
      EXPECT_LE(b.kernel_resources[i].registers, b.resources.registers);
    }
  }
}

TEST(CudaSplitKernels, SoftmaxBoundPerNestIsFourKernelsWithScratch) {
  PrimFunc f = scheduled("softmax:M=8,N=64", kSoftmaxPerNest);
  CudaKernel k = emit_cuda(f, "sm");
  EXPECT_EQ(k.name, "sm");
  ASSERT_EQ(k.launches.size(), 4u) << k.source;
  ASSERT_EQ(k.scratch.size(), 3u);
  EXPECT_EQ(k.scratch[0].name, "X_max");
  EXPECT_EQ(k.scratch[0].elements, 8);
  EXPECT_EQ(k.scratch[0].dtype, DType::f32);
  EXPECT_EQ(k.scratch[1].name, "X_exp");
  EXPECT_EQ(k.scratch[1].elements, 8 * 64);
  EXPECT_EQ(k.scratch[1].bytes(), 8 * 64 * 4);
  EXPECT_EQ(k.scratch[2].name, "X_sum");
  // maxelem writes X_max; expsub reads it and writes X_exp; sumexp reads X_exp and
  // writes X_sum; norm reads X_exp and X_sum.
  EXPECT_EQ(k.launches[0].scratch_args, (std::vector<int>{0}));
  EXPECT_EQ(k.launches[1].scratch_args, (std::vector<int>{0, 1}));
  EXPECT_EQ(k.launches[2].scratch_args, (std::vector<int>{1, 2}));
  EXPECT_EQ(k.launches[3].scratch_args, (std::vector<int>{1, 2}));
  for (int i = 0; i < 4; ++i) EXPECT_EQ(k.launches[i].name, "sm_" + std::to_string(i));
  EXPECT_EQ(k.launches[0].launch.grid, (std::array<int64_t, 3>{2, 1, 1}));
  EXPECT_EQ(k.launches[0].launch.block, (std::array<int64_t, 3>{4, 1, 1}));
  EXPECT_EQ(k.launches[1].launch.grid, (std::array<int64_t, 3>{8, 1, 1}));
  EXPECT_EQ(k.launches[1].launch.block, (std::array<int64_t, 3>{64, 1, 1}));
  EXPECT_EQ(k.launch.grid, k.launches[0].launch.grid);
  // One translation unit, one prelude, four entry points with the scratch pointers last.
  EXPECT_EQ(count(k.source, "__global__"), 4) << k.source;
  EXPECT_EQ(count(k.source, "namespace wrt {"), 1) << k.source;
  EXPECT_TRUE(has(k.source, "sm_1(float* __restrict__ b_X, float* __restrict__ b_Y, float* __restrict__ b_X_max, "
                            "float* __restrict__ b_X_exp)"))
      << k.source;
  expect_parts_compute_the_workload("softmax:M=8,N=64", codegen::split_kernels(codegen::compact_buffers(f)));
  expect_compiles_per_entry(k);
}

TEST(CudaSplitKernels, LayernormBoundPerNestIsThreeKernels) {
  for (const char* spec : {"layernorm:M=6,N=48", "layernorm:M=6,N=48,dtype=f16"}) {
    PrimFunc f = scheduled(spec, kLayernormPerNest);
    CudaKernel k = emit_cuda(f, "ln");
    ASSERT_EQ(k.launches.size(), 3u) << k.source;
    ASSERT_EQ(k.scratch.size(), 2u);
    EXPECT_EQ(k.scratch[0].name, "X_mean");
    EXPECT_EQ(k.scratch[1].name, "X_var");
    EXPECT_EQ(k.scratch[1].dtype, DType::f32) << "statistics of f16 data are f32";
    EXPECT_EQ(k.launches[0].scratch_args, (std::vector<int>{0}));
    EXPECT_EQ(k.launches[1].scratch_args, (std::vector<int>{0, 1}));
    EXPECT_EQ(k.launches[2].scratch_args, (std::vector<int>{0, 1}));
    EXPECT_EQ(k.launches[0].launch.grid, (std::array<int64_t, 3>{3, 1, 1}));
    EXPECT_EQ(k.launches[0].launch.block, (std::array<int64_t, 3>{2, 1, 1}));
    EXPECT_EQ(k.launches[2].launch.grid, (std::array<int64_t, 3>{6, 1, 1}));
    EXPECT_EQ(k.launches[2].launch.block, (std::array<int64_t, 3>{16, 1, 1}));
    expect_parts_compute_the_workload(spec, codegen::split_kernels(codegen::compact_buffers(f)));
    expect_compiles_per_entry(k);
  }
}

TEST(CudaSplitKernels, UnboundRunsBecomeOneSingleThreadKernel) {
  // Only maxelem and norm are bound: expsub and sumexp (unbound, consecutive) run
  // in one single-thread kernel between them.
  PrimFunc f = scheduled("softmax:M=8,N=64", R"(b0 = get_block("maxelem")
l1, l2 = get_loops(b0)
bind(l1, "blockIdx.x")
b3 = get_block("norm")
l4, l5 = get_loops(b3)
bind(l4, "blockIdx.x")
bind(l5, "threadIdx.x")
)");
  SplitProgram split = codegen::split_kernels(codegen::compact_buffers(f));
  ASSERT_EQ(split.parts.size(), 3u);
  EXPECT_TRUE(split.parts[0].bound);
  EXPECT_FALSE(split.parts[1].bound);
  EXPECT_EQ(split.parts[1].blocks, (std::vector<std::string>{"expsub", "sumexp"}));
  EXPECT_TRUE(split.parts[2].bound);
  expect_parts_compute_the_workload("softmax:M=8,N=64", split);
  CudaKernel k = emit_cuda(f, "k");
  ASSERT_EQ(k.launches.size(), 3u);
  EXPECT_EQ(k.launches[0].launch.grid, (std::array<int64_t, 3>{8, 1, 1}));
  EXPECT_EQ(k.launches[1].launch.grid, (std::array<int64_t, 3>{1, 1, 1}));
  EXPECT_EQ(k.launches[1].launch.block, (std::array<int64_t, 3>{1, 1, 1}));
  EXPECT_EQ(k.launches[2].launch.block, (std::array<int64_t, 3>{64, 1, 1}));
  expect_compiles_per_entry(k);
}

TEST(CudaSplitKernels, SingleNestProgramsAreOneKernelAsBefore) {
  for (const GpuSchedule& s : gpu_schedules()) {
    PrimFunc f = scheduled(s.spec, s.trace);
    PrimFunc compact = codegen::compact_buffers(f);
    SplitProgram split = codegen::split_kernels(compact);
    ASSERT_EQ(split.parts.size(), 1u) << s.name;
    EXPECT_EQ(split.parts[0].func, compact) << s.name << ": the function itself";
    EXPECT_TRUE(split.scratch.empty());
    CudaKernel k = emit_cuda(f, "k");
    ASSERT_EQ(k.launches.size(), 1u) << s.name;
    EXPECT_EQ(k.launches[0].name, "k");
    EXPECT_TRUE(k.launches[0].scratch_args.empty());
    EXPECT_EQ(k.launches[0].launch.grid, k.launch.grid);
    EXPECT_EQ(k.launches[0].launch.block, k.launch.block);
    EXPECT_TRUE(k.scratch.empty());
    EXPECT_EQ(k.source, codegen::CudaEmitter(compact).emit_kernel("k").source) << s.name;
  }
  // Unbound statements only: one single-thread kernel.
  CudaKernel plain = emit_cuda(make_workload("softmax:M=4,N=8").func, "p");
  ASSERT_EQ(plain.launches.size(), 1u);
  EXPECT_EQ(plain.launch.threads_per_block(), 1);
  EXPECT_TRUE(plain.scratch.empty());
}

// Two nests sharing a root buffer declared "shared" whose name a parameter has:
// the scratch parameter is global and renamed, both kernels use the renamed one.
TEST(CudaSplitKernels, ScratchIsGlobalAndRenamedWhenItsNameIsTaken) {
  Buffer a = make_buffer("A", DType::f32, {4});
  Buffer out = make_buffer("T", DType::f32, {4});
  Buffer tmp = make_buffer("T", DType::f32, {4}, "shared");
  auto nest = [&](const std::string& name, const Buffer& dst, const Expr& value_of_v, const Buffer& src) {
    Var i = make_var("i"), v = make_var("v");
    Stmt body = make_block_realize(
        {var_expr(i)}, bool_imm(true),
        make_block(name, {{v, {int_imm(0), int_imm(4)}, IterKind::Spatial}}, {full_region(src)}, {full_region(dst)},
                   store(dst, value_of_v * load(src, {var_expr(v)}), {var_expr(v)})));
    return make_for(i, int_imm(4), ForKind::ThreadBinding, body, "threadIdx.x");
  };
  PrimFunc f = make_func_with_root("f", {a, out}, seq({nest("first", tmp, float_imm(2), a),
                                                      nest("second", out, float_imm(3), tmp)}),
                                   {tmp});
  SplitProgram split = codegen::split_kernels(f);
  ASSERT_EQ(split.parts.size(), 2u);
  ASSERT_EQ(split.scratch.size(), 1u);
  EXPECT_EQ(split.scratch[0].name, "T_scratch");
  for (const KernelPart& part : split.parts) {
    ASSERT_EQ(part.func->params.size(), 3u);
    EXPECT_EQ(part.func->params[2]->name, "T_scratch");
    EXPECT_EQ(part.func->params[2]->scope, "global");
    EXPECT_TRUE(part.func->root_block().alloc_buffers.empty());
  }
  std::vector<NDArray> args = {NDArray(DType::f32, {4}), NDArray(DType::f32, {4})};
  for (int i = 0; i < 4; ++i) args[0].set(i, i + 1);
  NDArray scratch(DType::f32, {4});
  for (const KernelPart& part : split.parts) interpret(part.func, {&args[0], &args[1], &scratch});
  for (int i = 0; i < 4; ++i) EXPECT_EQ(args[1].get(i), 6.0 * (i + 1));
  CudaKernel k = emit_cuda(f, "k");
  EXPECT_TRUE(has(k.source, "float* __restrict__ b_T_scratch")) << k.source;
  expect_compiles_per_entry(k);
}

TEST(CudaSplitKernels, ErrorsNameTheKernelAndItsBlocks) {
  // The second nest binds 2048 threads.
  PrimFunc f = scheduled("softmax:M=8,N=2048", R"(b0 = get_block("maxelem")
l1, l2 = get_loops(b0)
bind(l1, "blockIdx.x")
b3 = get_block("expsub")
l4, l5 = get_loops(b3)
bind(l4, "blockIdx.x")
bind(l5, "threadIdx.x")
)");
  std::string message;
  try {
    emit_cuda(f, "k");
  } catch (const BuildError& e) {
    message = e.what();
  }
  EXPECT_TRUE(has(message, "kernel 1 of 3 (blocks 'expsub'): function 'softmax'")) << message;
  EXPECT_TRUE(has(message, "extent 2048, over the device limit of 1024")) << message;
  EXPECT_EQ(count(message, "build failed"), 1) << message;
}

TEST(CudaSplitKernels, PtxasReportIsReadPerEntry) {
  const std::string log = R"(ptxas info    : 0 bytes gmem
ptxas info    : Compiling entry function 'k_1' for 'sm_90'
ptxas info    : Function properties for k_1
    32 bytes stack frame, 8 bytes spill stores, 4 bytes spill loads
ptxas info    : Used 40 registers, used 1 barriers, 32 bytes cumulative stack size, 1024 bytes smem, 380 bytes cmem[0]
ptxas info    : Compiling entry function 'k_0' for 'sm_90'
ptxas info    : Function properties for k_0
    0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
ptxas info    : Used 12 registers, used 0 barriers, 380 bytes cmem[0])";
  runtime::CudaResources k0 = runtime::parse_ptxas_report(log, "k_0"), k1 = runtime::parse_ptxas_report(log, "k_1");
  EXPECT_EQ(k0.registers, 12);
  EXPECT_EQ(k0.shared_bytes, 0);
  EXPECT_EQ(k0.spill_stores, 0);
  EXPECT_EQ(k1.registers, 40);
  EXPECT_EQ(k1.shared_bytes, 1024);
  EXPECT_EQ(k1.stack_bytes, 32);
  EXPECT_EQ(k1.spill_stores, 8);
  EXPECT_EQ(k1.spill_loads, 4);
  // 'k' is no entry of this log (a prefix of the others is not a match).
  EXPECT_EQ(runtime::parse_ptxas_report(log, "k").registers, 0);
  // A log without entry sections is one kernel's report.
  EXPECT_EQ(runtime::parse_ptxas_report("ptxas info    : Used 7 registers", "k").registers, 7);
  runtime::CudaResources worst = runtime::max_resources({k0, k1});
  EXPECT_EQ(worst.registers, 40);
  EXPECT_EQ(worst.spill_stores, 8);
  EXPECT_EQ(runtime::max_resources({}).registers, 0);
}

}  // namespace
}  // namespace weft::test
