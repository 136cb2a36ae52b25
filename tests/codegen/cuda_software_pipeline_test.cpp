// Multi-stage cp.async pipelining (codegen/software_pipeline.h) of the hand-written
// tensor-core GEMM (cuda_tensorcore_schedule.h) with its k0 loop annotated
// software_pipeline_depth: the pipelined IR interprets exactly like the
// unpipelined one (and a pipeline without its prologue does not), the shared tiles
// get the stage dimension, the kernel waits with cp.async.wait_group D-1 and
// compiles for sm_80 / sm_90 without spills; loops the pass cannot pipeline are
// BuildErrors naming them; on a GPU, the pipelined kernels against the interpreter.
#include <gtest/gtest.h>

#include <cstring>
#include <iostream>

#include "codegen/codegen_test_util.h"
#include "codegen/compact_buffers.h"
#include "codegen/cuda_emitter.h"
#include "codegen/cuda_tensorcore_schedule.h"
#include "codegen/cuda_test_util.h"
#include "codegen/software_pipeline.h"
#include "ir/printer.h"
#include "runtime/cuda_device.h"
#include "runtime/cuda_measure.h"
#include "support/error.h"

namespace weft::test {
namespace {

using namespace ir;

// k0 of tensor_core_trace is l12: M = N = 64, K = 128 gives four k0 steps of 32.
TensorCoreTiles small_tiles(const std::string& dtype = "f16", int64_t K = 128) {
  TensorCoreTiles t;
  t.M = 64;
  t.N = 64;
  t.K = K;
  t.dtype = dtype;
  t.async_copy = true;
  return t;
}

std::string depth_request(int64_t depth, const std::string& loop = "l12") {
  return "annotate(" + loop + ", \"software_pipeline_depth\", " + std::to_string(depth) + ")\n";
}

PrimFunc pipelined_gemm(const TensorCoreTiles& t, int64_t depth) {
  return scheduled(tensor_core_spec(t), tensor_core_trace(t) + depth_request(depth));
}

bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The interpreter's outputs of `f` on fixed random inputs.
std::vector<NDArray> interpreted(const PrimFunc& f) {
  std::vector<NDArray> args = random_args(f, 11);
  interpret(f, pointers(args));
  return args;
}

bool bitwise_equal(const NDArray& a, const NDArray& b) {
  return a.bytes() == b.bytes() && std::memcmp(a.data(), b.data(), a.bytes()) == 0;
}

// The buffer named `name` allocated somewhere in `f`.
Buffer allocated(const PrimFunc& f, const std::string& name) {
  struct Finder : IRVisitor {
    std::string name;
    Buffer found;
    void visit_block(const BlockNode& b) override {
      for (const Buffer& buf : b.alloc_buffers)
        if (buf->name == name) found = buf;
      IRVisitor::visit_block(b);
    }
  } finder;
  finder.name = name;
  finder.visit_stmt(f->body);
  return finder.found;
}

// `f` without its pipeline prologue (the unrolled commit scope): a wrong program
// the interpreter must tell apart.
PrimFunc without_prologue(const PrimFunc& f) {
  struct Drop : IRMutator {
    Stmt visit(const SeqStmtNode& n, const Stmt& self) override {
      std::vector<Stmt> kept;
      for (const Stmt& s : n.seq) {
        const auto* loop = s.as<ForNode>();
        if (loop && loop->for_kind == ForKind::Unrolled && loop->annotations.count(codegen::kAsyncCommitGroupKey))
          continue;
        kept.push_back(mutate(s));
      }
      return kept.size() == n.seq.size() ? IRMutator::visit(n, self) : seq(kept);
    }
  } drop;
  return make_func(f->name, f->params, drop.mutate(f->body));
}

TEST(CudaSoftwarePipeline, PipelinedGemmInterpretsLikeTheUnpipelined) {
  for (int64_t depth : {2, 3}) {
    SCOPED_TRACE("depth " + std::to_string(depth));
    TensorCoreTiles t = small_tiles();
    PrimFunc compact = codegen::compact_buffers(pipelined_gemm(t, depth));
    PrimFunc piped = codegen::software_pipeline(compact);
    ASSERT_FALSE(piped.get() == compact.get());
    std::vector<NDArray> before = interpreted(compact), after = interpreted(piped);
    std::vector<NDArray> reference = interpreted(make_workload(tensor_core_spec(t)).func);
    ASSERT_EQ(before.size(), 3u);
    // The same operations in the same order per output element: bit for bit.
    EXPECT_TRUE(bitwise_equal(before[2], after[2]));
    Comparison c = compare(reference[2], after[2]);
    EXPECT_TRUE(c.ok) << c.message;
    // The prologue matters: without it the first steps read tiles nobody fetched.
    std::vector<NDArray> broken = interpreted(without_prologue(piped));
    EXPECT_FALSE(bitwise_equal(before[2], broken[2]));
  }
}

TEST(CudaSoftwarePipeline, SharedTilesGetAStageDimension) {
  for (int64_t depth : {2, 3}) {
    PrimFunc piped = codegen::software_pipeline(codegen::compact_buffers(pipelined_gemm(small_tiles(), depth)));
    for (const char* name : {"A_shared", "B_shared"}) {
      Buffer b = allocated(piped, name);
      ASSERT_TRUE(b) << name;
      EXPECT_EQ(b->shape, (std::vector<int64_t>{depth, 32, 32})) << name;
    }
    std::string text = to_text(piped);
    EXPECT_TRUE(contains(text, "annotate(async_pipeline_stages=" + std::to_string(depth) + ")")) << text;
    EXPECT_TRUE(contains(text, "annotate(async_wait_group=" + std::to_string(depth - 1) + ")")) << text;
    EXPECT_TRUE(contains(text, "for k_0_prologue in range(" + std::to_string(depth - 1) + ") unrolled")) << text;
    EXPECT_FALSE(contains(text, codegen::kSoftwarePipelineDepthKey)) << text;
  }
}

TEST(CudaSoftwarePipeline, KernelWaitsForOneStageAndCommitsPerStage) {
  for (int64_t depth : {2, 3}) {
    SCOPED_TRACE("depth " + std::to_string(depth));
    const std::string src = codegen::emit_cuda(pipelined_gemm(small_tiles(), depth), "tc_pipe").source;
    EXPECT_TRUE(contains(src, "cp.async.wait_group " + std::to_string(depth - 1) + ";")) << src;
    EXPECT_TRUE(contains(src, "software pipeline of " + std::to_string(depth) + " stages")) << src;
    // Four warps, a 32 x 32 f16 tile per warp and stage.
    int64_t slice = depth * 32 * 32;
    EXPECT_TRUE(contains(src, "__half t_A_shared_warps[" + std::to_string(4 * slice) + "];")) << src;
    EXPECT_TRUE(contains(src, "__half t_B_shared_warps[" + std::to_string(4 * slice) + "];")) << src;
    // One commit in the prologue, one per steady-state step; never per copy.
    EXPECT_EQ(count(src, "wtc::cp_async_commit();"), 2u) << src;
    // The wait publishes the stage with a barrier; the barrier before the refill
    // waits for nothing, and nothing in the loop waits for all copies.
    EXPECT_TRUE(contains(src, "may still be in flight\n              __syncthreads();")) << src;
    EXPECT_TRUE(contains(src, "no cp.async wait: the copies in flight fill other pipeline stages")) << src;
    size_t loop = src.find("software pipeline of"), last_mma = src.rfind("wtc::mma_m16n8k16_f16(");
    ASSERT_LT(loop, last_mma);
    EXPECT_FALSE(contains(src.substr(loop, last_mma - loop), "wtc::cp_async_wait_all();")) << src;
  }
}

TEST(CudaSoftwarePipeline, CompilesForSm80AndSm90WithoutSpills) {
  WEFT_SKIP_WITHOUT_NVRTC();
  for (const std::string dtype : {"f16", "bf16"})
    for (int64_t depth : {2, 3}) {
      codegen::CudaKernel k = codegen::emit_cuda(pipelined_gemm(small_tiles(dtype), depth), "tc_pipe_" + dtype);
      for (const char* arch : {"sm_80", "sm_90"}) {
        runtime::CudaBinary bin = runtime::build_cuda(k, arch);
        SCOPED_TRACE(dtype + " depth " + std::to_string(depth) + " " + arch);
        EXPECT_GT(bin.cubin.size(), 0u);
        EXPECT_EQ(bin.resources.spill_stores, 0) << bin.log;
        EXPECT_EQ(bin.resources.spill_loads, 0) << bin.log;
        EXPECT_EQ(bin.resources.stack_bytes, 0) << bin.log;
        // ptxas sees the staged tiles: depth x 2 tiles x 4 warps x 2 KiB.
        EXPECT_EQ(bin.resources.shared_bytes, depth * 16384) << bin.log;
        std::cout << "[ tc_pipe " << dtype << " depth " << depth << " " << arch << " ] " << bin.resources.registers
                  << " registers, " << bin.resources.shared_bytes << " bytes smem\n";
      }
    }
}

// The small GEMM with `layout` (a storage_align or storage_block line on A_shared)
// pipelined two deep: the pipelined program carries `annotation` and computes the
// same results. Returns the scheduled program before pipelining.
PrimFunc pipelined_with_layout(const std::string& layout, const std::string& annotation) {
  TensorCoreTiles t = small_tiles();
  PrimFunc f = scheduled(tensor_core_spec(t), tensor_core_trace(t) + layout + depth_request(2));
  PrimFunc piped = codegen::software_pipeline(codegen::compact_buffers(f));
  EXPECT_TRUE(contains(to_text(piped), annotation)) << to_text(piped);
  EXPECT_TRUE(bitwise_equal(interpreted(codegen::compact_buffers(f))[2], interpreted(piped)[2]));
  return f;
}

TEST(CudaSoftwarePipeline, PaddedTilesKeepTheirPaddingPerStage) {
  // Rows of A_shared padded from 32 to 40 halves (storage_align on axis 0): the
  // stage dimension comes first, so the padded axis becomes axis 1.
  PrimFunc f = pipelined_with_layout("storage_align(b17, 0, 0, 32, 8)\n", "storage_align_A_shared=\"1,32,8\"");
  const std::string src = codegen::emit_cuda(f, "k").source;
  // Four warps of two stages of 32 rows of 40 halves.
  EXPECT_TRUE(contains(src, "__half t_A_shared_warps[" + std::to_string(4 * 2 * 32 * 40) + "];")) << src;
  if (!runtime::nvrtc_available()) return;
  runtime::CudaBinary bin = runtime::build_cuda(codegen::emit_cuda(f, "k"), "sm_80");
  EXPECT_EQ(bin.resources.spill_stores, 0) << bin.log;
}

TEST(CudaSoftwarePipeline, BlockedTilesKeepTheirBlockedAxisPerStage) {
  // A_shared stored in blocks of 16 rows (storage_block on axis 0): per stage the
  // blocked axis becomes axis 1. The async 16-byte copy into the tile needs
  // contiguous rows, which the blocked layout does not give, so emission refuses.
  PrimFunc f = pipelined_with_layout("storage_block(b17, 0, 0, 16)\n", "storage_block_A_shared=\"1,16\"");
  try {
    codegen::emit_cuda(f, "k");
    ADD_FAILURE() << "a blocked tensor-core tile was emitted";
  } catch (const BuildError& e) {
    EXPECT_TRUE(contains(e.what(), "is annotated async_copy but is not one 16-byte copy")) << e.what();
  }
}

TEST(CudaSoftwarePipeline, DepthOneOrOneStepStaysSingleStage) {
  TensorCoreTiles t = small_tiles();
  const std::string single = codegen::emit_cuda(scheduled(tensor_core_spec(t), tensor_core_trace(t)), "k").source;
  EXPECT_EQ(codegen::emit_cuda(pipelined_gemm(t, 1), "k").source, single);
  // K = 32 is one k0 step: nothing to overlap.
  TensorCoreTiles one_step = small_tiles("f16", 32);
  EXPECT_EQ(codegen::emit_cuda(pipelined_gemm(one_step, 3), "k").source,
            codegen::emit_cuda(scheduled(tensor_core_spec(one_step), tensor_core_trace(one_step)), "k").source);
  // K = 64 is two steps: a depth of 3 becomes 2 stages.
  const std::string two = codegen::emit_cuda(pipelined_gemm(small_tiles("f16", 64), 3), "k").source;
  EXPECT_TRUE(contains(two, "software pipeline of 2 stages")) << two;
  EXPECT_TRUE(contains(two, "cp.async.wait_group 1;")) << two;
}

void expect_build_error(const PrimFunc& f, const std::vector<std::string>& fragments) {
  try {
    codegen::emit_cuda(f, "k");
    ADD_FAILURE() << "expected a BuildError";
  } catch (const BuildError& e) {
    for (const std::string& fragment : fragments)
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(CudaSoftwarePipeline, RefusesWhatItCannotPipeline) {
  TensorCoreTiles t = small_tiles();
  std::string trace = tensor_core_trace(t);
  const std::string async_a = "annotate(l29, \"async_copy\", 1)\n", async_b = "annotate(l39, \"async_copy\", 1)\n";
  auto without = [&](const std::string& what) {
    std::string out = trace;
    out.erase(out.find(what), what.size());
    return out;
  };
  const std::string spec = tensor_core_spec(t);
  // No cp.async at all.
  TensorCoreTiles plain = t;
  plain.async_copy = false;
  expect_build_error(scheduled(spec, tensor_core_trace(plain) + depth_request(2)),
                     {"loop 'k_0'", "does not start with an async_copy fetch"});
  // B's fetch (the first) synchronous, A's cp.async.
  expect_build_error(scheduled(spec, without(async_b) + depth_request(2)),
                     {"loop 'k_0'", "does not start with an async_copy fetch"});
  // A's fetch (the second) synchronous: a non-async fetch among the computation.
  expect_build_error(scheduled(spec, without(async_a) + depth_request(2)),
                     {"loop 'k_0'", "writes shared tile 'A_shared' without async_copy"});
  // The fragment loop k1 fetches nothing.
  expect_build_error(scheduled(spec, trace + depth_request(2, "l13")), {"loop 'k_1'", "async_copy fetch"});
  // A thread-bound loop.
  expect_build_error(scheduled(spec, trace + depth_request(2, "l15")),
                     {"loop 'i_1_j_1_fused'", "not a serial one"});
  // Four stages of 16 KiB pass the 48 KiB of static shared memory.
  expect_build_error(pipelined_gemm(t, 4), {"static shared memory", "over the limit"});
}

TEST(CudaSoftwarePipeline, RefusesANonConstantExtent) {
  // for k in range(n[0]) annotated: the pass needs the trip count.
  Buffer n = make_buffer("n", DType::i32, {1});
  Buffer out = make_buffer("out", DType::f32, {4});
  Var k = make_var("k");
  Stmt body = make_for(k, load(n, {int_imm(0)}), ForKind::Serial, store(out, float_imm(1), {var_expr(k)}), "",
                       {{codegen::kSoftwarePipelineDepthKey, int64_t{2}}});
  PrimFunc f = make_func_with_root("dyn", {n, out}, body);
  try {
    codegen::software_pipeline(f);
    ADD_FAILURE() << "expected a BuildError";
  } catch (const BuildError& e) {
    EXPECT_NE(std::string(e.what()).find("loop 'k'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a positive constant"), std::string::npos) << e.what();
  }
}

TEST(CudaSoftwarePipeline, PipelinedGemmOnGpuMatchesTheInterpreter) {
  WEFT_SKIP_WITHOUT_NVRTC();
  runtime::CudaAvailability gpu = runtime::cuda_available();
  if (!gpu) GTEST_SKIP() << "no GPU: " << gpu.reason;
  for (const std::string dtype : {"f16", "bf16"})
    for (int64_t depth : {1, 2, 3}) {
      TensorCoreTiles t;  // 256^3: eight k0 steps
      t.dtype = dtype;
      t.async_copy = true;
      runtime::CudaMeasurer measurer(make_workload(tensor_core_spec(t)));
      runtime::MeasureResult r = measurer.measure({pipelined_gemm(t, depth)})[0];
      EXPECT_EQ(r.status, runtime::MeasureStatus::Ok) << dtype << " depth " << depth << ": " << r.error;
      std::cout << "[ tc_gemm 256^3 " << dtype << " cp.async depth " << depth << " ] median " << r.median_us << " us\n";
    }
}

}  // namespace
}  // namespace weft::test
