// The op registry: for every op its shape/dtype inference, reference CPU kernel,
// gradient rule and fusion class. Op families register themselves from one file
// each under ops/ (listed in op_registry.cpp, so the static library keeps them).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/fusion_class.h"
#include "graph/graph.h"
#include "graph/op_context.h"

namespace weft::graph {

class GradContext;

// Output types of a node from its input types and attributes.
using InferFn = std::function<std::vector<TensorType>(const InferContext&)>;
// Fills ctx.out(i), which arrive allocated with the inferred types and zeroed.
using KernelFn = std::function<void(KernelContext&)>;
// Builds backward nodes; returns one gradient per input (nullopt: none, e.g. for
// integer inputs or inputs that need no gradient).
using GradFn = std::function<std::vector<std::optional<ValueId>>(GradContext&)>;

struct OpDef {
  std::string name;
  FusionClass fusion = FusionClass::elementwise;
  int min_inputs = 0;
  int max_inputs = 0;  // -1: no upper bound
  std::string summary;  // one line: inputs, attributes, outputs
  InferFn infer;
  KernelFn kernel;
  GradFn gradient;  // empty: not differentiable
};

class OpRegistry {
 public:
  // The registry with every built-in op.
  static const OpRegistry& global();

  void add(OpDef def);  // InternalError on a duplicate name or missing rule
  const OpDef* find(const std::string& name) const;
  // UsageError naming the op (and `context`, e.g. a node) when unknown.
  const OpDef& get(const std::string& name, const std::string& context = "") const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, OpDef> ops_;
};

}  // namespace weft::graph
