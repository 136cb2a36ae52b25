// Builders for small ONNX models in tests, written with the protobuf classes of
// Debian's libonnx (onnx-ml.pb.h) and serialised with SerializeAsString.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstring>
#include <string>
#include <vector>

namespace weft::graph::testing {

using Dims = std::vector<int64_t>;

inline onnx::TensorProto float_tensor(const std::string& name, const Dims& dims, const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  for (int64_t d : dims) t.add_dims(d);
  t.set_data_type(onnx::TensorProto_DataType_FLOAT);
  for (float v : values) t.add_float_data(v);
  return t;
}

// The same values stored the way exporters usually write them: little-endian raw_data.
inline onnx::TensorProto raw_float_tensor(const std::string& name, const Dims& dims, const std::vector<float>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  for (int64_t d : dims) t.add_dims(d);
  t.set_data_type(onnx::TensorProto_DataType_FLOAT);
  std::string raw(values.size() * sizeof(float), '\0');
  std::memcpy(raw.data(), values.data(), raw.size());
  t.set_raw_data(raw);
  return t;
}

inline onnx::TensorProto double_tensor(const std::string& name, const Dims& dims, const std::vector<double>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  for (int64_t d : dims) t.add_dims(d);
  t.set_data_type(onnx::TensorProto_DataType_DOUBLE);
  for (double v : values) t.add_double_data(v);
  return t;
}

inline onnx::TensorProto int_tensor(const std::string& name, const std::vector<int64_t>& values) {
  onnx::TensorProto t;
  t.set_name(name);
  t.add_dims(static_cast<int64_t>(values.size()));
  t.set_data_type(onnx::TensorProto_DataType_INT64);
  for (int64_t v : values) t.add_int64_data(v);
  return t;
}

inline onnx::ValueInfoProto value_info(const std::string& name, const Dims& dims, const std::string& symbolic = "",
                                       int32_t elem_type = onnx::TensorProto_DataType_FLOAT) {
  onnx::ValueInfoProto v;
  v.set_name(name);
  onnx::TypeProto_Tensor* t = v.mutable_type()->mutable_tensor_type();
  t->set_elem_type(elem_type);
  onnx::TensorShapeProto* shape = t->mutable_shape();
  for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
  if (!symbolic.empty()) shape->add_dim()->set_dim_param(symbolic);
  return v;
}

inline onnx::AttributeProto int_attr(const std::string& name, int64_t v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_INT);
  a.set_i(v);
  return a;
}
inline onnx::AttributeProto float_attr(const std::string& name, float v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_FLOAT);
  a.set_f(v);
  return a;
}
inline onnx::AttributeProto ints_attr(const std::string& name, const std::vector<int64_t>& v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_INTS);
  for (int64_t x : v) a.add_ints(x);
  return a;
}
inline onnx::AttributeProto string_attr(const std::string& name, const std::string& v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto_AttributeType_STRING);
  a.set_s(v);
  return a;
}

// A node named "<output>_node".
inline onnx::NodeProto node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output,
                            const std::vector<onnx::AttributeProto>& attrs = {}) {
  onnx::NodeProto n;
  for (const std::string& i : inputs) n.add_input(i);
  n.add_output(output);
  n.set_name(output + "_node");
  n.set_op_type(op);
  for (const onnx::AttributeProto& a : attrs) *n.add_attribute() = a;
  return n;
}

inline onnx::ModelProto model_proto(const std::vector<onnx::NodeProto>& nodes,
                                    const std::vector<onnx::TensorProto>& inits,
                                    const std::vector<onnx::ValueInfoProto>& inputs,
                                    const std::vector<std::string>& outputs, int64_t opset = 17) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("weft-test");
  onnx::OperatorSetIdProto* o = m.add_opset_import();
  o->set_domain("");
  o->set_version(opset);
  onnx::GraphProto* g = m.mutable_graph();
  g->set_name("test");
  for (const onnx::NodeProto& n : nodes) *g->add_node() = n;
  for (const onnx::TensorProto& t : inits) *g->add_initializer() = t;
  for (const onnx::ValueInfoProto& i : inputs) *g->add_input() = i;
  for (const std::string& out : outputs) g->add_output()->set_name(out);
  return m;
}

inline std::string model(const std::vector<onnx::NodeProto>& nodes, const std::vector<onnx::TensorProto>& inits,
                         const std::vector<onnx::ValueInfoProto>& inputs, const std::vector<std::string>& outputs) {
  return model_proto(nodes, inits, inputs, outputs).SerializeAsString();
}

inline std::vector<float> ramp(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>(static_cast<int>(i % 7) - 3);
  return v;
}

}  // namespace weft::graph::testing
