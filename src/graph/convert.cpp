#include "graph/convert.h"

#include "support/error.h"

namespace weft::graph {

Graph with_float_dtype(const Graph& graph, DType dtype) {
  WEFT_CHECK(is_graph_float(dtype), UsageError,
             "with_float_dtype: target must be f32 or f64, not " + std::string(ir::dtype_name(dtype)));
  Graph out(graph.name());
  std::vector<ValueId> map(graph.values().size(), -1);
  for (const GraphInput& in : graph.inputs()) {
    const Value& v = graph.value(in.value);
    TensorType t = v.type;
    if (is_graph_float(t.dtype)) t.dtype = dtype;
    map[in.value] = out.add_input(v.name, t, in.kind);
  }
  std::string dtype_name(ir::dtype_name(dtype));
  for (const Node& node : graph.nodes()) {
    std::vector<ValueId> inputs;
    for (ValueId v : node.inputs) inputs.push_back(map[v]);
    Attrs attrs = node.attrs;
    if (const auto* s = std::get_if<std::string>(attrs.find("dtype") ? attrs.find("dtype") : nullptr))
      if (auto t = ir::parse_dtype(*s); t && is_graph_float(*t)) attrs.set("dtype", dtype_name);
    std::vector<ValueId> outs = out.add_node(node.op, inputs, attrs, node.name);
    for (size_t i = 0; i < outs.size(); ++i) map[node.outputs[i]] = outs[i];
  }
  for (const GraphOutput& o : graph.outputs()) out.add_output(o.name, map[o.value]);
  return out;
}

}  // namespace weft::graph
