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

// Every array must be f32 and shaped as the workload's parameter it stands for;
// UsageError naming the spec, the parameter and `library` otherwise.
void check_peer_arrays(const ir::Workload& w, const std::vector<const ir::NDArray*>& inputs, const ir::NDArray& output,
                       const std::string& library);

}  // namespace weft::bench
