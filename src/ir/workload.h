// The op library: compute definitions as PrimFuncs with named blocks, addressed by
// a short spec such as `matmul:M=1024,N=1024,K=1024,dtype=f32`.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ir/stmt.h"

namespace weft::ir {

struct Workload {
  std::string spec;   // canonical spec: op name and every parameter, defaults filled in
  std::string op;     // e.g. "matmul"
  PrimFunc func;      // params: inputs first, then `num_outputs` outputs
  int num_outputs = 1;
  double flops = 0;   // floating-point operations of one run, for GFLOP/s
};

// Parses `spec` and builds the workload. Unknown ops, unknown or missing
// parameters and malformed values throw UsageError naming the spec and the
// position of the problem.
Workload make_workload(const std::string& spec);

// Names of every op, sorted, and a one-line description with its parameters.
std::vector<std::string> list_ops();
std::string describe_op(const std::string& op);

}  // namespace weft::ir
