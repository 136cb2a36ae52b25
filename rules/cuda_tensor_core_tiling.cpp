// cuda-tensor-core-tiling: MetaSchedule's MultiLevelTilingTensorCore for the CUDA
// mma.sync m16n8k16 intrinsics. An f16/bf16 GEMM block accumulating in f32 whose
// extents are multiples of the intrinsic tiles (rules/cuda_tensor_core_util.h)
// becomes two tensor-core sketches: the plain one, and one whose shared-memory
// fetches are cp.async copies with a sampled software-pipeline depth of the outer
// reduction loop k0 (1, 2 or 3 stages; codegen/software_pipeline.h lowers it).
// The unchanged state is returned too, so cuda-multi-level-tiling adds its
// SIMT sketch of the same block, as MetaSchedule does. Other blocks are left alone.
#include "rules/cuda_tensor_core_util.h"
#include "rules/rule.h"
#include "rules/rule_util.h"

namespace weft::rules {
namespace {

class CudaTensorCoreTiling : public ScheduleRule {
 public:
  std::string name() const override { return "cuda-tensor-core-tiling"; }
  std::string description() const override {
    return "tile f16/bf16 GEMMs (f32 accumulation, tile-divisible extents) for mma.sync m16n8k16: blocks and warps "
           "sampled, shared tiles (plain, or cp.async pipelined 1-3 deep) and ldmatrix fragments; keeps the SIMT state "
           "too";
  }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch, const std::string& block_name,
                                     const Target& target) const override {
    if (target.backend != "cuda") return {sch};
    std::optional<cuda::TensorCoreGemm> gemm = cuda::tensor_core_gemm(site_of(sch, block_name));
    if (!gemm) return {sch};
    // An elementwise consumer of an intermediate output is fused into the warps.
    std::optional<std::string> epilogue = elementwise_consumer(sch, block_name);
    if (writes_param(sch.func(), site_of(sch, block_name).block())) epilogue.reset();
    std::vector<sched::Schedule> out;
    sched::Schedule base = sch;
    for (bool async_copy : {false, true}) {
      sched::Schedule state = base.fork();
      cuda::TensorCoreDecisions decisions;
      decisions.async_copy = async_copy;
      bool ok = try_transform(state, [&](sched::Schedule& s) {
        cuda::schedule_tensor_core_gemm(s, block_name, *gemm, decisions, epilogue);
      });
      // An epilogue that cannot move in stays a nest of its own for auto-bind.
      if (!ok && epilogue)
        ok = try_transform(state, [&](sched::Schedule& s) {
          cuda::schedule_tensor_core_gemm(s, block_name, *gemm, decisions, std::nullopt);
        });
      if (ok) out.push_back(std::move(state));
    }
    out.push_back(sch);
    return out;
  }
};

const RegisterRule<CudaTensorCoreTiling> kRegister;

}  // namespace
}  // namespace weft::rules
