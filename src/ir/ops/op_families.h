// The op families of the workload library, one source file each. workload.cpp
// gathers them into the table that specs are parsed against.
#pragma once

#include <vector>

#include "ir/workload_spec.h"

namespace weft::ir::ops {

std::vector<OpDef> matmul_ops();         // matmul, batch_matmul
std::vector<OpDef> conv_ops();           // conv2d
std::vector<OpDef> unary_ops();          // relu, gelu, gelu_tanh, tanh, sigmoid, exp, log, sqrt, rsqrt
std::vector<OpDef> binary_ops();         // add, sub, mul, div, maximum, bias_add
std::vector<OpDef> reduction_ops();      // sum, max, mean
std::vector<OpDef> normalization_ops();  // softmax, layernorm
std::vector<OpDef> dense_ops();          // dense_bias_gelu, dense_bias_relu

// `out_dtype` defaults to f32 for f16/bf16 inputs and to `dtype` otherwise.
ParamDef out_dtype_param();

}  // namespace weft::ir::ops
