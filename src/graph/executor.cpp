#include "graph/executor.h"

#include "graph/op_registry.h"
#include "support/error.h"

namespace weft::graph {
namespace {

void bind_feeds(const Graph& graph, const TensorMap& feeds, std::vector<Tensor>& values) {
  for (const auto& [name, tensor] : feeds) {
    auto id = graph.find_value(name);
    if (!id || !graph.find_input(*id))
      throw UsageError("graph '" + graph.name() + "' has no input named '" + name + "'");
  }
  for (const GraphInput& in : graph.inputs()) {
    const Value& v = graph.value(in.value);
    auto it = feeds.find(v.name);
    if (it == feeds.end()) throw UsageError("graph '" + graph.name() + "': input '" + v.name + "' is not fed");
    const Tensor& t = it->second;
    if (t.dtype() != v.type.dtype || t.shape() != v.type.shape)
      throw UsageError("graph '" + graph.name() + "': input '" + v.name + "' expects " + v.type.str() + ", got " +
                       t.type().str());
    values[in.value] = t;
  }
}

void run_node(const Graph& graph, const Node& node, std::vector<Tensor>& values) {
  const OpDef& def = OpRegistry::global().get(node.op, "node '" + node.name + "'");
  std::vector<const Tensor*> inputs;
  for (ValueId v : node.inputs) {
    WEFT_CHECK(values[v].defined(), InternalError,
               "node '" + node.name + "' reads value '" + graph.value(v).name + "' before it is computed");
    inputs.push_back(&values[v]);
  }
  std::vector<Tensor> outputs;
  for (ValueId v : node.outputs) outputs.emplace_back(graph.type(v));
  KernelContext ctx(node.op, node.name, node.attrs, std::move(inputs), outputs);
  try {
    def.kernel(ctx);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw InternalError(ctx.describe() + ": kernel failed: " + e.what());
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    WEFT_CHECK(outputs[i].type().shape == graph.type(node.outputs[i]).shape, InternalError,
               ctx.describe() + ": kernel produced " + outputs[i].type().str() + " for output " + std::to_string(i) +
                   " of type " + graph.type(node.outputs[i]).str());
    values[node.outputs[i]] = std::move(outputs[i]);
  }
}

}  // namespace

std::vector<Tensor> execute_all(const Graph& graph, const TensorMap& feeds) {
  std::vector<Tensor> values(graph.values().size());
  bind_feeds(graph, feeds, values);
  for (const Node& node : graph.nodes()) run_node(graph, node, values);
  return values;
}

TensorMap execute(const Graph& graph, const TensorMap& feeds) {
  // Index of the last node that reads each value; outputs are never released.
  std::vector<int64_t> last_use(graph.values().size(), -1);
  for (size_t n = 0; n < graph.nodes().size(); ++n)
    for (ValueId v : graph.nodes()[n].inputs) last_use[v] = static_cast<int64_t>(n);
  for (const GraphOutput& o : graph.outputs()) last_use[o.value] = INT64_MAX;

  std::vector<Tensor> values(graph.values().size());
  bind_feeds(graph, feeds, values);
  for (size_t n = 0; n < graph.nodes().size(); ++n) {
    const Node& node = graph.nodes()[n];
    run_node(graph, node, values);
    for (ValueId v : node.inputs)
      if (last_use[v] == static_cast<int64_t>(n)) values[v] = Tensor();
  }
  TensorMap out;
  for (const GraphOutput& o : graph.outputs()) out[o.name] = values[o.value];
  return out;
}

TensorMap random_feeds(const Graph& graph, Rng& rng, const std::map<std::string, int64_t>& index_bounds) {
  TensorMap feeds;
  for (const GraphInput& in : graph.inputs()) {
    const Value& v = graph.value(in.value);
    if (v.type.dtype == DType::i64) {
      auto it = index_bounds.find(v.name);
      if (it == index_bounds.end())
        throw UsageError("random_feeds: no index bound given for i64 input '" + v.name + "'");
      feeds[v.name] = Tensor::random(v.type, rng, 0, static_cast<double>(it->second));
    } else {
      feeds[v.name] = Tensor::random(v.type, rng);
    }
  }
  return feeds;
}

}  // namespace weft::graph
