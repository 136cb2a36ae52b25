#include "runtime/output_check.h"

#include "support/rng.h"

namespace weft::runtime {

std::vector<ir::NDArray> random_arguments(const ir::PrimFunc& func, uint64_t seed) {
  Rng rng(seed);
  std::vector<ir::NDArray> out;
  for (const ir::Buffer& p : func->params) out.push_back(ir::NDArray::random(p->dtype, p->shape, rng));
  return out;
}

std::vector<ir::NDArray*> pointers(std::vector<ir::NDArray>& arrays) {
  std::vector<ir::NDArray*> out;
  for (auto& a : arrays) out.push_back(&a);
  return out;
}

std::optional<OutputMismatch> output_mismatch(const ir::PrimFunc& func, int num_outputs,
                                           const std::vector<ir::NDArray>& expected,
                                           const std::vector<ir::NDArray>& actual) {
  const size_t n = func->params.size();
  for (size_t i = n - static_cast<size_t>(num_outputs); i < n; ++i) {
    ir::Comparison c = ir::compare(expected[i], actual[i]);
    if (!c.ok) return OutputMismatch{func->params[i]->name, c.message};
  }
  return std::nullopt;
}

}  // namespace weft::runtime
