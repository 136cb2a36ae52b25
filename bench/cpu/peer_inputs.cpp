#include "peer_inputs.h"

#include "support/error.h"

namespace weft::bench {

Params spec_parameters(const std::string& spec) {
  Params out;
  size_t colon = spec.find(':');
  if (colon == std::string::npos) return out;
  size_t pos = colon + 1;
  while (pos < spec.size()) {
    size_t end = spec.find(',', pos);
    if (end == std::string::npos) end = spec.size();
    std::string item = spec.substr(pos, end - pos);
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError("workload '" + spec + "': '" + item + "' at position " + std::to_string(pos) +
                       " is not key=value");
    out[item.substr(0, eq)] = item.substr(eq + 1);
    pos = end + 1;
  }
  return out;
}

int64_t int_param(const Params& p, const std::string& key, const std::string& spec) {
  auto it = p.find(key);
  if (it == p.end()) throw UsageError("workload '" + spec + "': parameter '" + key + "' is missing");
  try {
    size_t used = 0;
    int64_t v = std::stoll(it->second, &used);
    if (used == it->second.size()) return v;
  } catch (const std::exception&) {
  }
  throw UsageError("workload '" + spec + "': parameter '" + key + "' is not an integer: '" + it->second + "'");
}

ConvShape conv_shape(const Params& p, const std::string& spec, const ir::NDArray& output) {
  auto get = [&](const char* key) { return int_param(p, key, spec); };
  return {get("N"), get("H"),      get("W"),   get("C"),        get("K"),          get("R"),
          get("S"), get("stride"), get("pad"), get("dilation"), output.shape()[1], output.shape()[2]};
}

Params check_peer_request(const ir::Workload& w, const std::vector<const ir::NDArray*>& inputs,
                          const ir::NDArray& output, const std::string& library) {
  static const char* const kOps[] = {"matmul", "batch_matmul", "dense_bias_gelu", "dense_bias_relu", "conv2d"};
  bool known = false;
  for (const char* op : kOps) known = known || w.op == op;
  if (!known)
    throw UsageError("workload '" + w.spec + "': no " + library + " peer for op '" + w.op +
                     "' (peers: matmul, batch_matmul, dense_bias_gelu, dense_bias_relu, conv2d)");
  const auto& params = w.func->params;
  if (w.num_outputs != 1 || params.size() != inputs.size() + 1)
    throw UsageError("workload '" + w.spec + "': expected " + std::to_string(params.size() - w.num_outputs) +
                     " input(s) and one output, got " + std::to_string(inputs.size()) + " input(s)");
  for (size_t i = 0; i < params.size(); ++i) {
    const ir::NDArray& a = i < inputs.size() ? *inputs[i] : output;
    if (params[i]->dtype != ir::DType::f32)
      throw UsageError("workload '" + w.spec + "': parameter '" + params[i]->name +
                       "' is not f32; only f32 workloads have a " + library + " peer");
    if (a.dtype() != ir::DType::f32 || a.shape() != params[i]->shape)
      throw UsageError("workload '" + w.spec + "': the array for parameter '" + params[i]->name +
                       "' does not match its dtype or shape");
  }
  return spec_parameters(w.spec);
}

}  // namespace weft::bench
