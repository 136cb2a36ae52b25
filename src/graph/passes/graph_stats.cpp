#include "graph/passes/graph_stats.h"

#include "graph/op_registry.h"

namespace weft::graph {
namespace {

double numel(const Graph& g, ValueId v) { return static_cast<double>(g.type(v).numel()); }

double bytes_of(const Graph& g, ValueId v) { return numel(g, v) * ir::dtype_bytes(g.type(v).dtype); }

// 2 * |[N,OH,OW,O] tensor| * KH*KW*C for a conv and its two gradients.
double conv_flops(const Graph& g, ValueId big, ValueId weight) {
  const Shape& w = g.type(weight).shape;
  return 2.0 * numel(g, big) * numel(g, weight) / static_cast<double>(w.back());
}

bool flag(const Node& node, const std::string& name) {
  const AttrValue* a = node.attrs.find(name);
  auto* i = a ? std::get_if<int64_t>(a) : nullptr;
  return i && *i != 0;
}

}  // namespace

double node_flops(const Graph& g, const Node& node) {
  const std::string& op = node.op;
  ValueId out = node.outputs[0];
  if (op == "matmul" || op == "batch_matmul" || op == "addmm") {
    // addmm(bias, a, b): the GEMM plus one scale and one add per output.
    bool addmm = op == "addmm";
    const Shape& a = g.type(node.inputs[addmm ? 1 : 0]).shape;
    double k = static_cast<double>(flag(node, "transpose_a") ? a[a.size() - 2] : a.back());
    return 2.0 * numel(g, out) * k + (addmm ? 2.0 * numel(g, out) : 0.0);
  }
  if (op == "conv2d") return conv_flops(g, out, node.inputs[1]);
  if (op == "conv2d_grad_data") return conv_flops(g, node.inputs[0], node.inputs[1]);
  if (op == "conv2d_grad_weight") return conv_flops(g, node.inputs[1], out);
  if (op == "spmm") return 2.0 * numel(g, node.inputs[2]) * static_cast<double>(g.type(out).shape.back());
  if (op == "spmm_grad_values")
    return 2.0 * numel(g, node.inputs[2]) * static_cast<double>(g.type(node.inputs[3]).shape.back());
  if (op == "softmax" || op == "log_softmax" || op == "cross_entropy") return 5.0 * numel(g, node.inputs[0]);
  if (op == "softmax_grad" || op == "log_softmax_grad") return 4.0 * numel(g, out);
  if (op == "layernorm" || op == "batchnorm") return 8.0 * numel(g, out);
  if (op == "layernorm_grad" || op == "batchnorm_grad") return 12.0 * numel(g, out);
  const OpDef& def = OpRegistry::global().get(op);
  switch (fusion_group(def.fusion)) {
    case FusionGroup::layout: return 0;
    case FusionGroup::main:
    case FusionGroup::fusible:
      if (def.fusion == FusionClass::reduction && !node.inputs.empty()) return numel(g, node.inputs[0]);
      return numel(g, out);
  }
  return 0;
}

GraphStats graph_stats(const Graph& g) {
  GraphStats s;
  s.nodes = g.nodes().size();
  for (const Node& node : g.nodes()) {
    ++s.by_op[node.op];
    ++s.by_fusion_class[std::string(fusion_class_name(OpRegistry::global().get(node.op).fusion))];
    s.flops += node_flops(g, node);
    for (ValueId v : node.inputs) s.bytes += bytes_of(g, v);
    for (ValueId v : node.outputs) s.bytes += bytes_of(g, v);
  }
  return s;
}

OptimisedGraph optimise_graph(const Graph& graph, const std::vector<std::string>& passes) {
  OptimisedGraph r{graph, graph_stats(graph), {}, {}};
  r.graph = run_passes(graph, passes, &r.passes);
  r.after = graph_stats(r.graph);
  return r;
}

}  // namespace weft::graph
