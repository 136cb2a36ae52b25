// Reverse-mode automatic differentiation: from a forward graph with a scalar loss
// output, builds the joint training graph (forward, backward and the gradients of
// the parameters as outputs) using each op's gradient rule.
#pragma once

#include <string>

#include "graph/graph.h"

namespace weft::graph {

struct AutodiffOptions {
  std::string loss_output = "loss";
  // Also output gradients of float data inputs (not only of parameters).
  bool data_gradients = false;
  // Keep the forward graph's other outputs in the training graph.
  bool keep_forward_outputs = true;
};

// "grad:<name>": the output holding the gradient of input `name`.
std::string gradient_output_name(const std::string& input_name);

// Outputs of the result: the loss (under its name), the other forward outputs if
// kept, then gradient_output_name(p) for every parameter p in input order (zeros
// when the loss does not depend on p). The loss must be a rank-0 float. An op
// without a gradient rule on the path from a parameter to the loss throws
// UsageError naming the node.
Graph build_training_graph(const Graph& forward, const AutodiffOptions& options = {});

}  // namespace weft::graph
