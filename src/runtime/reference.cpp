#include "runtime/reference.h"

#include "ir/interpreter.h"
#include "runtime/output_check.h"
#include "support/error.h"

namespace weft::runtime {

std::vector<ir::NDArray> reference_arguments(const ir::Workload& workload, const std::vector<ir::NDArray>& inputs,
                                             double interpreter_max_flops, const CpuBuildConfig& build) {
  std::vector<ir::NDArray> expected = inputs;
  auto ptrs = pointers(expected);
  if (workload.flops <= interpreter_max_flops) {
    ir::interpret(workload.func, ptrs);
  } else {
    CpuBuilder builder(build);
    builder.build({{"reference", workload.func}})->get_function("reference")(ptrs);
  }
  return expected;
}

void check_candidate_params(const ir::Workload& workload, const std::vector<ir::PrimFunc>& candidates) {
  for (size_t i = 0; i < candidates.size(); ++i) {
    if (!candidates[i] || candidates[i]->params.size() != workload.func->params.size())
      throw UsageError("candidate " + std::to_string(i) + " does not have the parameters of '" + workload.spec + "'");
  }
}

}  // namespace weft::runtime
