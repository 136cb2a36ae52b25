#include "frontend/onnx_tensor.h"

#include <cstring>

#include "graph/tensor_type.h"
#include "support/error.h"

namespace weft::frontend {
namespace {

// Decodes raw_data holding `count` little-endian values of type Raw (x86 and
// ARM hosts are little-endian, as ONNX's encoding is).
template <class Raw, class Out>
std::vector<Out> decode_raw(const std::string& raw, int64_t count, const std::string& what) {
  if (static_cast<int64_t>(raw.size()) != count * static_cast<int64_t>(sizeof(Raw)))
    throw UsageError(what + ": raw_data holds " + std::to_string(raw.size()) + " bytes, expected " +
                     std::to_string(count) + " values of " + std::to_string(sizeof(Raw)) + " bytes");
  std::vector<Out> out(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    Raw v;
    std::memcpy(&v, raw.data() + i * static_cast<int64_t>(sizeof(Raw)), sizeof(Raw));
    out[static_cast<size_t>(i)] = static_cast<Out>(v);
  }
  return out;
}

template <class Out, class Field>
std::vector<Out> copy_field(const Field& field) {
  return std::vector<Out>(field.begin(), field.end());
}

}  // namespace

bool OnnxTensorValues::is_integer() const {
  return data_type == onnx::TensorProto_DataType_INT32 || data_type == onnx::TensorProto_DataType_INT64;
}

int64_t OnnxTensorValues::numel() const {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

OnnxTensorValues read_onnx_tensor(const onnx::TensorProto& t, const std::string& what) {
  if (t.data_location() == onnx::TensorProto_DataLocation_EXTERNAL)
    throw UsageError(what + " keeps its data in an external file; weft reads only data stored in the model");
  OnnxTensorValues v;
  v.data_type = t.data_type();
  v.dims.assign(t.dims().begin(), t.dims().end());
  for (int64_t d : v.dims)
    if (d < 0) throw UsageError(what + " has a negative dimension " + std::to_string(d));
  int64_t n = v.numel();
  bool raw = t.has_raw_data();
  size_t count = 0;
  switch (v.data_type) {
    case onnx::TensorProto_DataType_FLOAT:
      v.floats = raw ? decode_raw<float, double>(t.raw_data(), n, what) : copy_field<double>(t.float_data());
      count = v.floats.size();
      break;
    case onnx::TensorProto_DataType_DOUBLE:
      v.floats = raw ? decode_raw<double, double>(t.raw_data(), n, what) : copy_field<double>(t.double_data());
      count = v.floats.size();
      break;
    case onnx::TensorProto_DataType_INT32:
      v.ints = raw ? decode_raw<int32_t, int64_t>(t.raw_data(), n, what) : copy_field<int64_t>(t.int32_data());
      count = v.ints.size();
      break;
    case onnx::TensorProto_DataType_INT64:
      v.ints = raw ? decode_raw<int64_t, int64_t>(t.raw_data(), n, what) : copy_field<int64_t>(t.int64_data());
      count = v.ints.size();
      break;
    default:
      throw UsageError(what + " has ONNX element type " + std::to_string(v.data_type) + " (" +
                       onnx::TensorProto_DataType_Name(v.data_type) +
                       "); weft reads FLOAT (1), INT32 (6), INT64 (7) and DOUBLE (11)");
  }
  if (static_cast<int64_t>(count) != n)
    throw UsageError(what + " holds " + std::to_string(count) + " values for shape " + graph::shape_str(v.dims));
  return v;
}

}  // namespace weft::frontend
