// A reader for the parts of ONNX's protobuf schema the importer needs
// (ModelProto > GraphProto > NodeProto / TensorProto / ValueInfoProto), written
// against the protobuf wire format directly: the schema's field numbers are
// stable, and weft then needs no protobuf or libonnx at build time. Unknown
// fields are skipped, as protobuf readers do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace weft::frontend::onnx {

// TensorProto.DataType values the importer understands.
inline constexpr int32_t kFloat = 1, kInt32 = 6, kInt64 = 7, kDouble = 11;

struct Dim {
  std::optional<int64_t> value;  // nullopt: symbolic (dim_param) or unknown
  std::string param;
};

struct ValueInfo {
  std::string name;
  int32_t elem_type = 0;
  std::optional<std::vector<Dim>> shape;
};

struct TensorData {
  std::string name;
  int32_t data_type = 0;
  std::vector<int64_t> dims;
  std::vector<double> floats;  // float and double data
  std::vector<int64_t> ints;   // int32 and int64 data
};

struct Attribute {
  std::string name;
  std::optional<double> f;
  std::optional<int64_t> i;
  std::optional<std::string> s;
  std::vector<double> floats;
  std::vector<int64_t> ints;
  std::optional<TensorData> t;
};

struct NodeProto {
  std::string name, op_type, domain;
  std::vector<std::string> inputs, outputs;
  std::vector<Attribute> attributes;
  const Attribute* find(const std::string& attr) const;
};

struct GraphProto {
  std::string name;
  std::vector<NodeProto> nodes;
  std::vector<TensorData> initializers;
  std::vector<ValueInfo> inputs, outputs;
};

struct ModelProto {
  int64_t ir_version = 0;
  int64_t opset = 0;  // of the default domain; 0 when not declared
  std::string producer;
  std::optional<GraphProto> graph;
};

// Parses a serialised ModelProto. Malformed bytes throw UsageError
// "<input_name>: byte <offset> (<message path>): <what>".
ModelProto parse_model(const std::string& bytes, const std::string& input_name);

}  // namespace weft::frontend::onnx
