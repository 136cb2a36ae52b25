// ONNX import of forward graphs for the op subset weft's graph IR supports:
// Add, Sub, Mul, Div, Neg, Exp, Log, Sqrt, Relu, Gelu, Tanh, Sigmoid, MatMul,
// Gemm (addmm), Conv, MaxPool, AveragePool, GlobalAveragePool, GlobalMaxPool,
// Softmax, LogSoftmax, Transpose, Reshape, Flatten, Concat, ReduceSum,
// ReduceMean, ReduceMax, LayerNormalization, Identity, Dropout (inference: the
// identity) and Constant. Float initializers become parameters (their values
// come back as feeds); int64 initializers and constants may only feed the
// shape and axes inputs of Reshape and the reductions. Conv and the pools keep
// ONNX's NCHW tensors (and OIHW weights) and permute around weft's NHWC ops
// (onnx_nn.cpp). Parsing uses Debian's libonnx protobuf classes.
#pragma once

#include <string>

#include "graph/executor.h"
#include "graph/graph.h"

namespace weft::frontend {

struct OnnxModel {
  graph::Graph graph;
  graph::TensorMap initializers;  // parameter values by input name
};

// Converts a serialised ONNX ModelProto. Errors throw UsageError naming
// `input_name` and the position: the node's index, name and op type for an
// unsupported op or attribute, the initializer or graph input at fault; bytes
// protobuf cannot parse say so (protobuf reports no offset).
OnnxModel import_onnx(const std::string& bytes, const std::string& input_name = "<onnx>");
// Reads and converts a .onnx file (UsageError naming the path when unreadable).
OnnxModel load_onnx(const std::string& path);

}  // namespace weft::frontend
