// The values of an ONNX TensorProto (initializers and Constant attributes) as
// doubles or int64s, read from whichever field holds them: the typed repeated
// fields or little-endian raw_data.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace weft::frontend {

struct OnnxTensorValues {
  int32_t data_type = 0;  // onnx::TensorProto_DataType
  std::vector<int64_t> dims;
  std::vector<double> floats;  // float and double tensors
  std::vector<int64_t> ints;   // int32 and int64 tensors

  bool is_integer() const;
  int64_t numel() const;
};

// Reads float, double, int32 and int64 tensors. Anything else (other element
// types, external data, a value count that disagrees with the dims) throws
// UsageError "<what>: ...", so `what` should name the input and the tensor.
OnnxTensorValues read_onnx_tensor(const onnx::TensorProto& tensor, const std::string& what);

}  // namespace weft::frontend
