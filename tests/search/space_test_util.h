// Helpers of the space and mutator tests: a fixed CPU target, small workloads of
// every op (odd sizes included) and the interpreter check of a realized program.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ir/workload.h"
#include "schedule/schedule_test_util.h"
#include "support/target.h"

namespace weft::search::testing {

inline Target cpu_target(int cores = 4) {
  Target t;
  t.backend = "cpu";
  t.arch = "x86_64-avx2";
  t.device = "test";
  t.num_cores = cores;
  t.vector_bytes = 32;
  return t;
}

// Small shapes of every op of the library; a test fails if an op has none.
inline std::vector<std::string> small_specs(const std::string& op) {
  if (op == "matmul") return {"matmul:M=16,N=12,K=8", "matmul:M=7,N=13,K=5,ta=1,tb=1", "matmul:M=1,N=9,K=33"};
  if (op == "batch_matmul") return {"batch_matmul:B=2,M=6,N=9,K=5", "batch_matmul:B=3,M=4,N=4,K=3,ta=1"};
  if (op == "conv2d")
    return {"conv2d:N=1,H=6,W=6,C=3,K=4,R=3,S=3,pad=1", "conv2d:N=2,H=7,W=5,C=2,K=3,R=1,S=3,stride=2"};
  if (op == "dense_bias_gelu" || op == "dense_bias_relu") return {op + ":M=5,N=12,K=7"};
  if (op == "sum" || op == "max" || op == "mean")
    return {op + ":A=3,B=5,C=7,axes=001", op + ":A=2,B=3,C=64,axes=011", op + ":A=5,B=1,C=3,axes=101"};
  if (op == "add" || op == "sub" || op == "mul" || op == "div" || op == "maximum")
    return {op + ":M=7,N=9,bcast=row", op + ":M=4,N=5,bcast=scalar"};
  if (op == "softmax" || op == "layernorm") return {op + ":M=5,N=33", op + ":M=3,N=4"};
  if (op == "bias_add") return {op + ":M=6,N=10"};
  return {op + ":M=7,N=9"};
}

}  // namespace weft::search::testing
