// verify-gpu-code rejects over-limit programs with a reason that names the limit;
// verify_compiled_resources checks the compiler's report; the per-arch limits.
#include "cuda_test_util.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_cache.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "search/postprocess_gpu.h"
#include "space_test_util.h"

using namespace weft;
using namespace weft::search;
using namespace weft::search::testing;

namespace {

std::string only_block(const ir::PrimFunc& f) {
  for (const std::string& n : sched::all_block_names(f))
    if (sched::find_block(f, n)->parent) return n;
  return "";
}

// The message verify-gpu-code throws, or "" when the program passes.
std::string verify_message(sched::Schedule s, const Target& target = cuda_target()) {
  try {
    make_verify_gpu_code()->apply(s, target);
  } catch (const VerificationError& e) {
    return e.what();
  }
  return "";
}

#define EXPECT_REJECTED(schedule, fragment)                                   \
  do {                                                                        \
    std::string m = verify_message(schedule);                                 \
    EXPECT_NE(m.find(fragment), std::string::npos) << "message: " << m;      \
  } while (0)

// relu:M=2,N=N with i on blockIdx.x and j split [n / threads, threads], the
// inner part on threadIdx.x.
sched::Schedule bound_relu(int64_t n, int64_t threads, const std::string& inner_tag = "threadIdx.x") {
  ir::PrimFunc f = ir::make_workload("relu:M=2,N=" + std::to_string(n)).func;
  sched::Schedule s(f);
  sched::BlockRV b = sched::get_block(s, only_block(f));
  auto loops = sched::get_loops(s, b);
  sched::bind(s, loops[0], "blockIdx.x");
  auto parts = sched::split(s, loops[1], {sched::Arg(), sched::Arg(threads)});
  sched::bind(s, parts[1], inner_tag);
  return s;
}

TEST(VerifyGpuCode, AcceptsABoundProgram) { EXPECT_EQ(verify_message(bound_relu(256, 128)), ""); }

TEST(VerifyGpuCode, RejectsTooManyThreadsPerBlock) {
  EXPECT_REJECTED(bound_relu(4096, 2048), "2048 threads per block exceed the limit of 1024");
}

TEST(VerifyGpuCode, RejectsTooManyVirtualThreads) {
  sched::Schedule s = bound_relu(64, 16, "vthread.x");
  // Threads too, so only the vthread limit is broken.
  sched::BlockRV b = sched::get_block(s, only_block(s.func()));
  auto loops = sched::get_loops(s, b);
  sched::bind(s, loops[1], "threadIdx.x");
  EXPECT_REJECTED(s, "16 virtual threads exceed the limit of 8");
}

TEST(VerifyGpuCode, RejectsUnboundBlocks) {
  ir::PrimFunc f = ir::make_workload("relu:M=2,N=8").func;
  EXPECT_REJECTED(sched::Schedule(f), "is not under a blockIdx loop");
  sched::Schedule s(f);
  sched::bind(s, sched::get_loops(s, sched::get_block(s, only_block(f)))[0], "blockIdx.x");
  EXPECT_REJECTED(s, "is not under a threadIdx loop");
}

TEST(VerifyGpuCode, RejectsNestedThreadLoopsOfDifferentExtents) {
  sched::Schedule s = bound_relu(64, 8);
  sched::BlockRV b = sched::get_block(s, only_block(s.func()));
  auto loops = sched::get_loops(s, b);
  sched::bind(s, loops[1], "threadIdx.x");  // 8 x threadIdx.x(8): the outer has extent 8 too
  EXPECT_EQ(verify_message(s), "");
  sched::Schedule t = bound_relu(64, 4);
  auto tl = sched::get_loops(t, sched::get_block(t, only_block(t.func())));
  sched::bind(t, tl[1], "threadIdx.x");  // 16 around 4
  EXPECT_REJECTED(t, "binds threadIdx.x with extent 4 inside a loop binding it with extent 16");
}

// matmul with i on blockIdx.x, j on threadIdx.x and B staged whole per block:
// K x N floats of shared memory.
sched::Schedule staged_matmul(int64_t k, const std::string& scope) {
  ir::PrimFunc f = ir::make_workload("matmul:M=4,N=64,K=" + std::to_string(k)).func;
  sched::Schedule s(f);
  sched::BlockRV c = sched::get_block(s, "C");
  auto loops = sched::get_loops(s, c);
  sched::bind(s, loops[0], "blockIdx.x");
  sched::bind(s, loops[1], "threadIdx.x");
  int64_t b_index = 0;
  const auto& reads = sched::find_block(s.func(), "C")->block().reads;
  for (size_t i = 0; i < reads.size(); ++i)
    if (reads[i].buffer->name == "B") b_index = static_cast<int64_t>(i);
  sched::BlockRV copy = sched::cache_read(s, c, b_index, scope);
  sched::compute_at(s, copy, loops[0], true);
  // The copy must run threaded too.
  auto copy_loops = sched::get_loops(s, copy);
  sched::LoopRV fused = sched::fuse(s, {copy_loops.begin() + 1, copy_loops.end()});
  auto parts = sched::split(s, fused, {sched::Arg(), sched::Arg(int64_t{64})});
  sched::bind(s, parts[1], "threadIdx.x");
  return s;
}

TEST(VerifyGpuCode, RejectsTooMuchSharedMemory) {
  EXPECT_EQ(verify_message(staged_matmul(128, "shared")), "");  // 32 KiB
  EXPECT_REJECTED(staged_matmul(256, "shared"), "static shared memory of 65536 bytes per block exceeds the limit of 49152");
  // Dynamic shared memory may use the arch's opt-in limit.
  EXPECT_EQ(verify_message(staged_matmul(256, "shared.dyn"), cuda_target("sm_90")), "");
  EXPECT_EQ(verify_message(staged_matmul(512, "shared.dyn"), cuda_target("sm_90")), "");  // 128 KiB
  EXPECT_NE(verify_message(staged_matmul(512, "shared.dyn"), cuda_target("sm_86")).find("sm_86 limit of 101376"),
            std::string::npos);
  EXPECT_NE(verify_message(staged_matmul(1024, "shared.dyn"), cuda_target("sm_90")).find("262144 bytes"),
            std::string::npos);
}

TEST(VerifyGpuCode, RejectsTooMuchLocalMemoryPerThread) {
  for (int64_t n : {1024, 8192}) {
    // One thread walks the whole row: j split [1, n], the unit loop on threadIdx.x.
    ir::PrimFunc f = ir::make_workload("relu:M=2,N=" + std::to_string(n)).func;
    sched::Schedule s(f);
    sched::BlockRV b = sched::get_block(s, only_block(f));
    auto outer = sched::get_loops(s, b);
    sched::bind(s, outer[0], "blockIdx.x");
    auto loops = sched::split(s, outer[1], {sched::Arg(int64_t{1}), sched::Arg()});
    sched::bind(s, loops[0], "threadIdx.x");
    sched::BlockRV write_back = sched::cache_write(s, b, 0, "local");
    sched::reverse_compute_at(s, write_back, loops[0], true);
    std::string m = verify_message(s);
    if (n == 1024) EXPECT_EQ(m, "") << "4 KiB per thread";
    else EXPECT_NE(m.find("takes 32768 bytes per thread, over the limit of 16384"), std::string::npos) << m;
  }
}

TEST(VerifyGpuCode, LimitsFollowTheArch) {
  EXPECT_EQ(gpu_limits(cuda_target("sm_90")).max_dynamic_shared_bytes, 227 * 1024);
  EXPECT_EQ(gpu_limits(cuda_target("sm_80")).max_dynamic_shared_bytes, 163 * 1024);
  EXPECT_EQ(gpu_limits(cuda_target("sm_52")).max_dynamic_shared_bytes, 48 * 1024);
  EXPECT_EQ(gpu_limits(cuda_target("sm_90")).max_threads_per_block, 1024);
}

runtime::CudaResources resources(int64_t registers, int64_t spill_stores = 0, int64_t spill_loads = 0,
                                 int64_t shared = 0, int64_t stack = 0) {
  runtime::CudaResources r;
  r.registers = registers;
  r.spill_stores = spill_stores;
  r.spill_loads = spill_loads;
  r.shared_bytes = shared;
  r.stack_bytes = stack;
  return r;
}

std::string compiled_message(const runtime::CudaResources& r, const GpuLimits& limits) {
  try {
    verify_compiled_resources("k", r, limits);
  } catch (const VerificationError& e) {
    return e.what();
  }
  return "";
}

TEST(VerifyCompiledResources, RejectsRegistersSpillsAndMemory) {
  GpuLimits limits = gpu_limits(cuda_target());
  EXPECT_EQ(compiled_message(resources(255, 0, 0, 1024, 256), limits), "");
  EXPECT_NE(compiled_message(resources(256), limits).find("kernel 'k': 256 registers per thread exceed the limit of 255"),
            std::string::npos);
  EXPECT_NE(compiled_message(resources(64, 16, 8), limits).find("spills registers (16 bytes stored, 8 bytes loaded)"),
            std::string::npos);
  EXPECT_NE(compiled_message(resources(64, 0, 0, 64 * 1024), limits).find("static shared memory"), std::string::npos);
  EXPECT_NE(compiled_message(resources(64, 0, 0, 0, 32 * 1024), limits).find("local memory per thread"),
            std::string::npos);
  limits.allow_spills = true;
  EXPECT_EQ(compiled_message(resources(64, 16, 8), limits), "");
}

}  // namespace
