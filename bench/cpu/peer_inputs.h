// What every peer library checks before it computes a workload: the parameters of
// its spec and the arrays it is given, with the same errors for OpenBLAS and oneDNN.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/ndarray.h"
#include "ir/workload.h"

namespace weft::bench {

using Params = std::map<std::string, std::string>;

// The parameters of a canonical workload spec ("op:K1=V1,K2=V2,..."), by name.
// UsageError naming the spec when a parameter is not of the form key=value.
Params spec_parameters(const std::string& spec);

// The integer parameter `key`; UsageError naming the spec when it is missing or
// not an integer.
int64_t int_param(const Params& p, const std::string& key, const std::string& spec);

// conv2d's sizes (NHWC input, HWIO weight): from the spec, and P x Q from the output.
struct ConvShape {
  int64_t N, H, W, C, K, R, S, stride, pad, dilation, P, Q;
};
ConvShape conv_shape(const Params& p, const std::string& spec, const ir::NDArray& output);

// The spec's parameters, after checking that `library` has a peer for the op
// (matmul, batch_matmul, dense_bias_gelu, dense_bias_relu, conv2d) and that every
// array is f32 and shaped as the workload's parameter it stands for; UsageError
// naming the spec, the op or parameter, and `library` otherwise.
Params check_peer_request(const ir::Workload& w, const std::vector<const ir::NDArray*>& inputs,
                          const ir::NDArray& output, const std::string& library);

}  // namespace weft::bench
