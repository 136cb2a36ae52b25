#include "runtime/evaluate.h"

#include "ir/interpreter.h"
#include "runtime/output_check.h"
#include "support/error.h"

namespace weft::runtime {

EvalResult evaluate_cpu(const ir::Workload& workload, const ir::PrimFunc& scheduled, const EvalOptions& options) {
  const auto& params = workload.func->params;
  if (scheduled->params.size() != params.size())
    throw UsageError("the scheduled program of '" + workload.spec + "' has " + std::to_string(scheduled->params.size()) +
                     " parameters, the workload has " + std::to_string(params.size()));
  CpuBuilder builder(options.build);
  auto module = builder.build({{"kernel", scheduled}});
  return evaluate_cpu_function(workload, module->get_function("kernel"), options);
}

EvalResult evaluate_cpu_function(const ir::Workload& workload, const CpuFunction& fn, const EvalOptions& options) {
  std::vector<ir::NDArray> inputs = random_arguments(workload.func, options.seed);
  std::vector<ir::NDArray> actual = inputs;
  std::vector<ir::NDArray*> actual_ptrs = pointers(actual);
  fn(actual_ptrs);

  EvalResult result;
  if (options.check) {
    std::vector<ir::NDArray> expected = inputs;
    ir::interpret(workload.func, pointers(expected));
    result.check = "pass";
    if (auto bad = output_mismatch(workload.func, workload.num_outputs, expected, actual)) {
      result.check = "fail";
      result.check_message = "output '" + bad->param + "': " + bad->message;
    }
  }
  Timing t = time_function(fn, actual_ptrs, options.runner);
  result.median_us = t.median_us;
  result.gflops = t.median_us > 0 ? workload.flops / (t.median_us * 1e3) : 0;
  return result;
}

}  // namespace weft::runtime
