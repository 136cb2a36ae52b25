// What an op's rules see of the node they work on. NodeView gives typed attribute
// access whose errors name the node; InferContext adds the input types (for shape
// and dtype inference) and KernelContext the input and output tensors (for the
// reference kernels).
#pragma once

#include <string>
#include <vector>

#include "graph/attrs.h"
#include "graph/tensor.h"
#include "graph/tensor_type.h"

namespace weft::graph {

class NodeView {
 public:
  NodeView(const std::string& op, const std::string& name, const Attrs& attrs)
      : op_(op), name_(name), attrs_(attrs) {}

  const std::string& op() const { return op_; }
  const std::string& node_name() const { return name_; }
  const Attrs& attrs() const { return attrs_; }
  // "node 'fc1' (matmul)"
  std::string describe() const { return "node '" + name_ + "' (" + op_ + ")"; }

  int64_t attr_int(const std::string& name) const;
  int64_t attr_int(const std::string& name, int64_t fallback) const;
  double attr_float(const std::string& name) const;  // ints are accepted
  double attr_float(const std::string& name, double fallback) const;
  std::string attr_string(const std::string& name) const;
  std::string attr_string(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& name) const;
  std::vector<int64_t> attr_ints(const std::string& name, const std::vector<int64_t>& fallback) const;
  bool attr_bool(const std::string& name, bool fallback) const;  // an int attribute, 0 or 1
  DType attr_dtype(const std::string& name, DType fallback) const;

  // Throws IRError("<describe()>: <message>").
  [[noreturn]] void fail(const std::string& message) const;

 private:
  const AttrValue& require(const std::string& name) const;
  const std::string& op_;
  const std::string& name_;
  const Attrs& attrs_;
};

class InferContext : public NodeView {
 public:
  InferContext(const std::string& op, const std::string& name, const Attrs& attrs,
               const std::vector<TensorType>& inputs)
      : NodeView(op, name, attrs), inputs_(inputs) {}

  size_t num_inputs() const { return inputs_.size(); }
  const TensorType& input(size_t i) const { return inputs_.at(i); }
  const Shape& shape(size_t i) const { return inputs_.at(i).shape; }
  int64_t rank(size_t i) const { return inputs_.at(i).rank(); }

  void expect_float(size_t i) const;
  void expect_index(size_t i) const;  // i64
  void expect_rank(size_t i, int64_t rank) const;
  void expect_min_rank(size_t i, int64_t rank) const;
  // Inputs i and j are floats of the same dtype.
  void expect_same_float(size_t i, size_t j) const;
  // Maps a possibly negative axis into [0, rank) or fails.
  int64_t axis(int64_t axis, int64_t rank) const;
  // Names input i in messages: "input 1 (f32[2,3])".
  std::string input_desc(size_t i) const;

 private:
  const std::vector<TensorType>& inputs_;
};

class KernelContext : public NodeView {
 public:
  KernelContext(const std::string& op, const std::string& name, const Attrs& attrs,
                std::vector<const Tensor*> inputs, std::vector<Tensor>& outputs)
      : NodeView(op, name, attrs), inputs_(std::move(inputs)), outputs_(outputs) {}

  size_t num_inputs() const { return inputs_.size(); }
  const Tensor& in(size_t i) const { return *inputs_.at(i); }
  Tensor& out(size_t i) { return outputs_.at(i); }
  // Bad data found at run time (an index out of range, ...): RuntimeError naming the node.
  [[noreturn]] void runtime_fail(const std::string& message) const;

 private:
  std::vector<const Tensor*> inputs_;
  std::vector<Tensor>& outputs_;
};

}  // namespace weft::graph
