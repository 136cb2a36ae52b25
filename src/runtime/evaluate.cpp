#include "runtime/evaluate.h"

#include "ir/interpreter.h"
#include "support/error.h"

namespace weft::runtime {

EvalResult evaluate_cpu(const ir::Workload& workload, const ir::PrimFunc& scheduled, const EvalOptions& options) {
  const auto& params = workload.func->params;
  if (scheduled->params.size() != params.size())
    throw UsageError("the scheduled program of '" + workload.spec + "' has " + std::to_string(scheduled->params.size()) +
                     " parameters, the workload has " + std::to_string(params.size()));
  Rng rng(options.seed);
  std::vector<ir::NDArray> inputs;
  for (const ir::Buffer& p : params) inputs.push_back(ir::NDArray::random(p->dtype, p->shape, rng));
  std::vector<ir::NDArray> actual = inputs;
  std::vector<ir::NDArray*> actual_ptrs;
  for (auto& a : actual) actual_ptrs.push_back(&a);

  CpuBuilder builder(options.build);
  auto module = builder.build({{"kernel", scheduled}});
  CpuFunction fn = module->get_function("kernel");
  fn(actual_ptrs);

  EvalResult result;
  if (options.check) {
    std::vector<ir::NDArray> expected = inputs;
    std::vector<ir::NDArray*> expected_ptrs;
    for (auto& e : expected) expected_ptrs.push_back(&e);
    ir::interpret(workload.func, expected_ptrs);
    result.check = "pass";
    for (size_t i = params.size() - workload.num_outputs; i < params.size(); ++i) {
      ir::Comparison c = ir::compare(expected[i], actual[i]);
      if (!c.ok) {
        result.check = "fail";
        result.check_message = "output '" + params[i]->name + "': " + c.message;
        break;
      }
    }
  }
  Timing t = time_function(fn, actual_ptrs, options.runner);
  result.median_us = t.median_us;
  result.gflops = t.median_us > 0 ? workload.flops / (t.median_us * 1e3) : 0;
  return result;
}

}  // namespace weft::runtime
