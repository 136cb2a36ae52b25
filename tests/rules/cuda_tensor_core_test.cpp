// cuda-tensor-core-tiling: the sketches it makes of f16/bf16 GEMMs (tensorized
// loads, mma, fill and store; cp.async copies in the second), sampled
// candidates realized with the CUDA postprocessors and checked against the
// interpreter and NVRTC (sm_80, sm_90, no spills), the blocks it refuses, and its
// place in the "cuda" rule set.
#include <map>

#include "codegen/cuda_emitter.h"
#include "ir/printer.h"
#include "rule_test_util.h"
#include "rules/cuda_tensor_core_util.h"
#include "rules/rule_sets.h"
#include "runtime/nvrtc_builder.h"
#include "schedule/ir_nav.h"
#include "search/postprocess.h"
#include "search/space.h"

using namespace weft;
using namespace weft::rules::testing;

namespace {

// The GEMM block of a workload (the only non-root reduction block).
std::string gemm_block(const ir::PrimFunc& f) {
  for (const std::string& n : sched::all_block_names(f)) {
    auto site = sched::find_block(f, n);
    if (site->parent && site->block().is_reduction()) return n;
  }
  return "";
}

std::vector<sched::Schedule> apply_tc(const std::string& spec, uint64_t seed = 0) {
  ir::PrimFunc f = ir::make_workload(spec).func;
  return apply_rule("cuda-tensor-core-tiling", f, gemm_block(f), seed, cuda_target("sm_80"));
}

std::vector<std::string> tensorized(const sched::Trace& t) {
  std::vector<std::string> out;
  for (const auto& inst : t.instructions())
    if (inst.kind == "tensorize") out.push_back(std::get<std::string>(inst.inputs[1].value));
  return out;
}

bool has_annotation_key(const sched::Trace& t, const std::string& key) {
  for (const auto& inst : t.instructions())
    if (inst.kind == "annotate" && std::get<std::string>(inst.inputs[1].value) == key) return true;
  return false;
}

// Thread tags of the loops above a block, outermost first.
std::vector<std::string> thread_tags(const ir::PrimFunc& f, const std::string& block) {
  std::vector<std::string> tags;
  auto site = sched::find_block(f, block);
  if (!site) return {"<no block " + block + ">"};
  for (const ir::Stmt& l : site->loops) {
    const auto& loop = *l.as<ir::ForNode>();
    if (loop.for_kind == ir::ForKind::ThreadBinding) tags.push_back(loop.thread_tag);
  }
  return tags;
}

TEST(CudaTensorCoreTiling, SketchesTensorizeEveryPieceForF16AndBf16) {
  for (const std::string t : {"f16", "bf16"}) {
    auto states = apply_tc("matmul:M=128,N=128,K=128,dtype=" + t);
    ASSERT_EQ(states.size(), 3u) << t;
    for (size_t s = 0; s < 2; ++s) {
      const sched::Trace& trace = states[s].trace();
      EXPECT_EQ(tensorized(trace), (std::vector<std::string>{"cuda_ldmatrix_a_" + t, "cuda_ldmatrix_b_" + t,
                                                             "cuda_mma_fill_f32", "cuda_mma_m16n8k16_" + t + t + "f32",
                                                             "cuda_mma_store_f32"}))
          << trace.to_text();
      // Block tile, warps and warp tile of i and j, and the k step: five samples.
      EXPECT_EQ(count_kind(trace, "sample_perfect_tile"), 5) << trace.to_text();
      EXPECT_EQ(has_annotation_key(trace, "async_copy"), s == 1) << trace.to_text();
      const ir::PrimFunc& f = states[s].func();
      EXPECT_EQ(thread_tags(f, "C_o"), (std::vector<std::string>{"blockIdx.y", "blockIdx.x", "threadIdx.y"}))
          << ir::to_text(f);
      EXPECT_EQ(thread_tags(f, "A_shared"),
                (std::vector<std::string>{"blockIdx.y", "blockIdx.x", "threadIdx.y", "threadIdx.x"}));
    }
    // The unchanged state, for cuda-multi-level-tiling.
    EXPECT_EQ(states[2].trace().size(), 0u);
    expect_states_correct({states[0], states[1]}, ir::make_workload("matmul:M=128,N=128,K=128,dtype=" + t).func);
  }
}

TEST(CudaTensorCoreTiling, FusesTheDenseEpilogueIntoTheWarps) {
  const std::string spec = "dense_bias_gelu:M=64,N=64,K=32,dtype=f16";
  auto states = apply_tc(spec, 3);
  ASSERT_EQ(states.size(), 3u);
  for (size_t s = 0; s < 2; ++s) {
    const ir::PrimFunc& f = states[s].func();
    EXPECT_EQ(thread_tags(f, "bias_gelu"),
              (std::vector<std::string>{"blockIdx.y", "blockIdx.x", "threadIdx.y", "threadIdx.x"}))
        << ir::to_text(f);
    for (const ir::Buffer& b : sched::all_buffers(f))
      if (b->name == "T") {
        EXPECT_EQ(b->scope, "shared");
      }
  }
  expect_states_correct({states[0], states[1]}, ir::make_workload(spec).func);
}

TEST(CudaTensorCoreTiling, BatchMatmulBindsTheBatchToBlockIdxZ) {
  const std::string spec = "batch_matmul:B=2,M=32,N=32,K=32,dtype=bf16";
  auto states = apply_tc(spec, 1);
  ASSERT_EQ(states.size(), 3u);
  EXPECT_EQ(thread_tags(states[0].func(), "C_o"),
            (std::vector<std::string>{"blockIdx.z", "blockIdx.y", "blockIdx.x", "threadIdx.y"}));
  expect_states_correct({states[0], states[1]}, ir::make_workload(spec).func);
}

TEST(CudaTensorCoreTiling, LeavesOtherBlocksAlone) {
  for (const char* spec : {"matmul:M=128,N=128,K=128",                 // f32
                           "matmul:M=120,N=128,K=128,dtype=f16",       // M not a multiple of 16
                           "matmul:M=128,N=24,K=128,dtype=f16",        // N not a multiple of 16
                           "matmul:M=128,N=128,K=40,dtype=bf16",       // K not a multiple of 16
                           "matmul:M=64,N=64,K=64,ta=1,dtype=f16",     // A transposed
                           "matmul:M=64,N=64,K=64,dtype=f16,out_dtype=f16"}) {  // f16 accumulation
    auto states = apply_tc(spec);
    ASSERT_EQ(states.size(), 1u) << spec;
    EXPECT_EQ(states[0].trace().size(), 0u) << spec;
  }
  ir::PrimFunc softmax = ir::make_workload("softmax:M=64,N=64,dtype=f16").func;
  for (const std::string& n : sched::all_block_names(softmax))
    EXPECT_EQ(apply_rule("cuda-tensor-core-tiling", softmax, n, 0, cuda_target("sm_80")).size(), 1u) << n;
}

// Realizes fresh samples of each tensor-core sketch with the CUDA postprocessors;
// those verify-gpu-code accepts must equal the interpreter and compile without
// spills. Returns how many were accepted.
int check_samples(const std::string& spec, int seeds) {
  ir::PrimFunc f = ir::make_workload(spec).func;
  auto states = apply_rule("cuda-tensor-core-tiling", f, gemm_block(f), 0, cuda_target("sm_80"));
  EXPECT_EQ(states.size(), 3u) << spec;
  int accepted = 0;
  std::map<std::string, int> rejected;
  for (size_t s = 0; s + 1 < states.size(); ++s) {
    sched::Trace sketch = search::without_decisions(states[s].trace());
    for (int seed = 0; seed < seeds; ++seed) {
      std::optional<sched::Schedule> realized;
      try {
        realized = search::realize(sketch, f, cuda_target("sm_80"), static_cast<uint64_t>(seed) * 7919 + s);
      } catch (const search::VerificationError& e) {
        ++rejected[std::string(e.what()).substr(0, 60)];
        continue;
      }
      ++accepted;
      const sched::Schedule& sample = *realized;
      SCOPED_TRACE(spec + " sketch " + std::to_string(s) + " seed " + std::to_string(seed) + "\n" +
                   sample.trace().to_text());
      EXPECT_TRUE(sched::testing::same_results(f, sample.func()));
      codegen::CudaKernel k;
      try {
        k = codegen::emit_cuda(sample.func(), "tc_sample");
      } catch (const Error& e) {
        ADD_FAILURE() << e.what() << "\n" << ir::to_text(sample.func());
        continue;
      }
      if (!runtime::nvrtc_available()) continue;
      for (const char* arch : {"sm_80", "sm_90"}) {
        runtime::CudaBinary bin = runtime::build_cuda(k, arch);
        // The cp.async sketch may spill one 8-byte value: NVRTC's ptxas picks fewer
        // registers than nvcc's for the same source (nvcc 13.0: 80 registers, no
        // spill; NVRTC: 72 and 8 bytes), fragments never leave registers.
        int64_t allowed = s == 1 ? 8 : 0;
        EXPECT_LE(bin.resources.spill_stores, allowed) << arch << "\n" << bin.log;
        EXPECT_LE(bin.resources.spill_loads, allowed) << arch << "\n" << bin.log;
        EXPECT_LE(bin.resources.registers, 255) << arch;
      }
    }
  }
  for (const auto& [why, n] : rejected) std::cout << "[ " << spec << " ] rejected " << n << "x: " << why << "\n";
  return accepted;
}

TEST(CudaTensorCoreTiling, SamplesMatchTheInterpreterAndCompileWithoutSpills) {
  for (const char* spec : {"matmul:M=128,N=128,K=128,dtype=f16", "matmul:M=128,N=128,K=128,dtype=bf16",
                           "dense_bias_gelu:M=128,N=128,K=128,dtype=f16"}) {
    int accepted = check_samples(spec, 8);
    EXPECT_GE(accepted, 10) << spec;
  }
}

TEST(CudaTensorCoreTiling, ComesBeforeMultiLevelTilingInTheCudaSet) {
  const auto& set = rules::rule_set("cuda");
  auto at = [&](const std::string& n) { return std::find(set.begin(), set.end(), n) - set.begin(); };
  ASSERT_LT(at("cuda-tensor-core-tiling"), static_cast<long>(set.size()));
  EXPECT_LT(at("cuda-tensor-core-tiling"), at("cuda-multi-level-tiling"));
  // Both rules apply to an f16 GEMM: two tensor-core sketches and the SIMT one;
  // only the SIMT one for f32.
  auto sketches = [](const std::string& spec) {
    int tensor_core = 0, simt = 0;
    for (const sched::Trace& t : search::generate_design_space(ir::make_workload(spec).func, cuda_target("sm_80"))) {
      bool tc = !tensorized(t).empty();
      tensor_core += tc;
      simt += !tc;
    }
    return std::pair<int, int>(tensor_core, simt);
  };
  EXPECT_EQ(sketches("matmul:M=64,N=64,K=64,dtype=f16"), std::make_pair(2, 1));
  EXPECT_EQ(sketches("matmul:M=64,N=64,K=64"), std::make_pair(0, 1));
}

}  // namespace
