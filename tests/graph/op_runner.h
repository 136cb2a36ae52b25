// Runs one op on given tensors through a one-node graph and the reference executor.
#pragma once

#include <string>
#include <vector>

#include "graph/executor.h"
#include "graph/graph.h"

namespace weft::graph::testing {

inline std::vector<Tensor> run_op(const std::string& op, const std::vector<Tensor>& inputs, Attrs attrs = {}) {
  Graph g("run_" + op);
  TensorMap feeds;
  std::vector<ValueId> ids;
  for (size_t i = 0; i < inputs.size(); ++i) {
    std::string name = "in" + std::to_string(i);
    ids.push_back(g.add_input(name, inputs[i].type(), InputKind::data));
    feeds[name] = inputs[i];
  }
  std::vector<ValueId> outs = g.add_node(op, ids, std::move(attrs), op);
  for (size_t i = 0; i < outs.size(); ++i) g.add_output("out" + std::to_string(i), outs[i]);
  TensorMap result = execute(g, feeds);
  std::vector<Tensor> out;
  for (size_t i = 0; i < outs.size(); ++i) out.push_back(result.at("out" + std::to_string(i)));
  return out;
}

inline Tensor run1(const std::string& op, const std::vector<Tensor>& inputs, Attrs attrs = {}) {
  return run_op(op, inputs, std::move(attrs)).at(0);
}

inline Tensor tensor(Shape shape, std::vector<double> values, DType dtype = DType::f64) {
  return Tensor(TensorType{std::move(shape), dtype, ""}, values);
}

}  // namespace weft::graph::testing
