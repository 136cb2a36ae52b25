// The ONNX importer's state, shared by its two source files: onnx_import.cpp
// (graph inputs, initializers, general ops) and onnx_nn.cpp (Conv and pooling,
// which translate ONNX's NCHW layout to weft's NHWC ops). Private to src/frontend.
#pragma once

#include <onnx/onnx_pb.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "frontend/onnx_import.h"
#include "frontend/onnx_tensor.h"

namespace weft::frontend::detail {

using Ints = std::vector<int64_t>;

class OnnxImporter {
 public:
  OnnxImporter(const onnx::ModelProto& model, const std::string& input);
  OnnxModel run();

 private:
  // Model-level pieces.
  int64_t default_opset() const;  // 0 when the model declares none
  graph::DType dtype_of(int32_t elem_type, const std::string& what) const;
  void add_initializer(const onnx::TensorProto& t);
  void add_graph_input(const onnx::ValueInfoProto& v);

  // Node conversion (node_ and index_ name the node being converted).
  void convert();
  void convert_gemm();
  void convert_constant();
  void convert_reduce(const std::string& op);
  void convert_conv();                                   // onnx_nn.cpp
  void convert_pool(const std::string& op);              // onnx_nn.cpp: MaxPool, AveragePool
  void convert_global_pool(const std::string& reducer);  // onnx_nn.cpp
  // [pad_h, pad_w] from pads / auto_pad; weft pads both sides of an axis equally.
  Ints symmetric_pads(const Ints& kernel, const Ints& strides, const Ints& dilations, graph::ValueId x) const;

  [[noreturn]] void fail(const std::string& what) const;
  bool has_input(int i) const;
  graph::ValueId in(int i) const;
  const Ints& constant_ints(int i) const;
  const graph::Shape& shape(graph::ValueId v) const;
  int64_t rank(graph::ValueId v) const;

  // Attributes; a present attribute of another type fails naming it.
  const onnx::AttributeProto* attr(const std::string& name, onnx::AttributeProto_AttributeType type) const;
  int64_t attr_int(const std::string& name, int64_t fallback) const;
  double attr_float(const std::string& name, double fallback) const;
  std::optional<std::string> attr_string(const std::string& name) const;
  std::optional<Ints> attr_ints(const std::string& name) const;
  // A two-element spatial attribute (strides, dilations) defaulting to {v, v}.
  Ints attr_pair(const std::string& name, int64_t fallback) const;

  // Adds a graph node; type errors are reported against the ONNX node.
  graph::ValueId add(const std::string& op, const std::vector<graph::ValueId>& inputs, graph::Attrs attrs,
                     const std::string& name);
  // Adds the node producing the ONNX node's (only) output, under its name.
  graph::ValueId emit(const std::string& op, const std::vector<graph::ValueId>& inputs, graph::Attrs attrs = {});
  // The ONNX node's only output name (fails on extra outputs).
  const std::string& output_name() const;
  void alias(graph::ValueId v);
  graph::ValueId scalar(double value, graph::DType dtype, const std::string& name);

  const onnx::ModelProto& model_;
  const std::string& input_;
  OnnxModel out_;
  std::map<std::string, graph::ValueId> values_;
  std::map<std::string, Ints> int_constants_;
  const onnx::NodeProto* node_ = nullptr;
  int index_ = 0;
};

}  // namespace weft::frontend::detail
