// Helpers the zoo models share to build forward graphs: parameters named by
// layer prefix, linear layers, layernorm, dropout with fresh seeds, multi-head
// self-attention, conv + batchnorm.
#pragma once

#include <string>

#include "graph/graph.h"

namespace weft::frontend {

using graph::Attrs;
using graph::DType;
using graph::Shape;
using graph::ValueId;

class ModelBuilder {
 public:
  ModelBuilder(const std::string& name, DType dtype) : graph_(name), dtype_(dtype) {}

  graph::Graph& graph() { return graph_; }
  DType dtype() const { return dtype_; }
  std::string dtype_name() const;

  ValueId param(const std::string& name, Shape shape);
  ValueId data(const std::string& name, Shape shape);
  ValueId ids(const std::string& name, Shape shape, graph::InputKind kind = graph::InputKind::data);
  ValueId label_values(const std::string& name, Shape shape);  // float labels (e.g. multi-label targets)

  ValueId op(const std::string& op, const std::vector<ValueId>& inputs, Attrs attrs = {}, const std::string& name = "");
  ValueId reshape(ValueId x, Shape shape);
  ValueId permute(ValueId x, std::vector<int64_t> perm);
  ValueId scalar(double value);
  // x[rows, in] -> [rows, out] (+ bias); parameters "<prefix>.weight" [in, out], "<prefix>.bias".
  ValueId linear(ValueId x, int64_t in, int64_t out, const std::string& prefix, bool bias = true);
  ValueId layernorm(ValueId x, int64_t dim, const std::string& prefix, double eps = 1e-12);
  // Identity when p == 0; every call gets its own seed, so masks differ per layer.
  ValueId dropout(ValueId x, double p);
  // Multi-head self-attention of x[batch*seq, hidden] with fused QKV projection.
  ValueId self_attention(ValueId x, int64_t batch, int64_t seq, int64_t hidden, int64_t heads, double p,
                         const std::string& prefix);
  // Position-wise MLP: linear -> gelu -> linear.
  ValueId mlp(ValueId x, int64_t hidden, int64_t inner, const std::string& prefix);
  // NHWC conv (no bias) -> batchnorm -> optional relu.
  ValueId conv_bn(ValueId x, int64_t cin, int64_t cout, int64_t kernel, int64_t stride, int64_t padding,
                  const std::string& prefix, bool relu);

 private:
  graph::Graph graph_;
  DType dtype_;
  int64_t next_seed_ = 1;
};

}  // namespace weft::frontend
