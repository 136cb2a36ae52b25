#include "graph/grad_context.h"

#include "support/error.h"

namespace weft::graph {

GradContext::GradContext(Graph& graph, const Node& node, std::vector<std::optional<ValueId>> out_grads,
                         std::vector<bool> needs)
    : detail::NodeCopy{node},
      NodeView(node_copy.op, node_copy.name, node_copy.attrs),
      graph_(graph),
      out_grads_(std::move(out_grads)),
      needs_(std::move(needs)) {
  WEFT_CHECK(out_grads_.size() == node_copy.outputs.size() && needs_.size() == node_copy.inputs.size(),
             InternalError, describe() + ": gradient context built with mismatched sizes");
}

ValueId GradContext::out_grad_or_zeros(size_t i) {
  if (auto g = out_grad(i)) return *g;
  return zeros(type(output(i)));
}

std::vector<ValueId> GradContext::emit_multi(const std::string& op, const std::vector<ValueId>& inputs,
                                             Attrs attrs) {
  return graph_.add_node(op, inputs, std::move(attrs), "grad/" + node_name() + "/" + op);
}

ValueId GradContext::emit(const std::string& op, const std::vector<ValueId>& inputs, Attrs attrs) {
  return graph_.add(op, inputs, std::move(attrs), "grad/" + node_name() + "/" + op);
}

ValueId GradContext::scalar(double value, DType dtype) {
  return emit("full", {}, {{"shape", std::vector<int64_t>{}}, {"value", value},
                           {"dtype", std::string(ir::dtype_name(dtype))}});
}

ValueId GradContext::zeros(const TensorType& t) {
  return emit("full", {}, {{"shape", t.shape}, {"value", 0.0}, {"dtype", std::string(ir::dtype_name(t.dtype))}});
}

ValueId GradContext::sum_to(ValueId grad, Shape target) {
  Shape from = shape(grad);
  if (from == target) return grad;
  WEFT_CHECK(from.size() >= target.size(), InternalError,
             describe() + ": cannot sum gradient " + shape_str(from) + " down to " + shape_str(target));
  size_t lead = from.size() - target.size();
  std::vector<int64_t> axes;
  for (size_t i = 0; i < from.size(); ++i)
    if (i < lead || (target[i - lead] == 1 && from[i] != 1)) axes.push_back(static_cast<int64_t>(i));
  ValueId summed = axes.empty() ? grad : emit("sum", {grad}, {{"axes", axes}, {"keepdims", int64_t{1}}});
  if (shape(summed) == target) return summed;
  return emit("reshape", {summed}, {{"shape", target}});
}

}  // namespace weft::graph
