#include "partition/tasks.h"

#include <map>

#include "graph/op_registry.h"
#include "support/error.h"
#include "support/hash.h"

namespace weft::partition {

Graph kernel_graph(const Graph& g, const Partition& p, int kernel) {
  Graph sub(g.name() + "/kernel" + std::to_string(kernel));
  std::map<graph::ValueId, graph::ValueId> mapped;
  std::vector<bool> read_outside(g.values().size(), false);
  for (size_t v = 0; v < g.nodes().size(); ++v)
    if (p.kernel_of[v] != kernel)
      for (graph::ValueId in : g.nodes()[v].inputs) read_outside[in] = true;
  for (const graph::GraphOutput& o : g.outputs()) read_outside[o.value] = true;
  for (size_t v = 0; v < g.nodes().size(); ++v) {
    if (p.kernel_of[v] != kernel) continue;
    const graph::Node& node = g.nodes()[v];
    std::vector<graph::ValueId> inputs;
    for (graph::ValueId in : node.inputs) {
      if (!mapped.count(in)) {
        const graph::GraphInput* gi = g.find_input(in);
        mapped[in] = sub.add_input(g.value(in).name, g.type(in), gi ? gi->kind : graph::InputKind::data);
      }
      inputs.push_back(mapped.at(in));
    }
    std::vector<graph::ValueId> outs = sub.add_node(node.op, inputs, node.attrs, node.name);
    for (size_t k = 0; k < outs.size(); ++k) {
      if (sub.type(outs[k]) != g.type(node.outputs[k]))
        throw InternalError("kernel " + std::to_string(kernel) + ": node " + node.name + " infers another type");
      mapped[node.outputs[k]] = outs[k];
      if (read_outside[node.outputs[k]]) sub.add_output(g.value(node.outputs[k]).name, outs[k]);
    }
  }
  return sub;
}

std::string task_text(const Graph& k) {
  std::string s;
  for (const graph::GraphInput& in : k.inputs()) s += "in " + k.type(in.value).str() + "\n";
  for (const graph::Node& node : k.nodes()) {
    graph::Attrs attrs = node.attrs;
    attrs.erase("seed");  // a runtime argument: dropout masks of every layer are one task
    s += node.op + "{" + attrs.str() + "}(";
    for (graph::ValueId in : node.inputs) s += std::to_string(in) + ",";
    s += ") ->";
    for (graph::ValueId out : node.outputs) s += " " + std::to_string(out) + ":" + k.type(out).str();
    s += "\n";
  }
  for (const graph::GraphOutput& o : k.outputs()) s += "out " + std::to_string(o.value) + "\n";
  return s;
}

std::vector<Task> extract_tasks(const Graph& g, const Partition& p) {
  std::vector<Task> tasks;
  std::map<std::string, size_t> by_text;
  for (int k = 0; k < p.num_kernels; ++k) {
    Graph sub = kernel_graph(g, p, k);
    std::string text = task_text(sub);
    auto [it, inserted] = by_text.emplace(text, tasks.size());
    if (inserted) {
      Task t{hash_hex(stable_hash(text)), std::move(sub), 0, {}, ""};
      for (const graph::Node& node : t.graph.nodes())
        if (graph::is_main(graph::OpRegistry::global().get(node.op).fusion)) t.main_op = node.op;
      tasks.push_back(std::move(t));
    }
    tasks[it->second].weight += 1;
    tasks[it->second].kernels.push_back(k);
  }
  return tasks;
}

graph::TensorMap execute_by_kernel(const Graph& g, const Partition& p, const graph::TensorMap& feeds) {
  graph::TensorMap store = feeds;
  for (int k = 0; k < p.num_kernels; ++k) {
    Graph sub = kernel_graph(g, p, k);
    graph::TensorMap in;
    for (const graph::GraphInput& input : sub.inputs()) {
      const std::string& name = sub.value(input.value).name;
      auto it = store.find(name);
      if (it == store.end())
        throw InternalError("kernel " + std::to_string(k) + " reads " + name + " before any kernel computed it");
      in.emplace(name, it->second);
    }
    for (auto& [name, tensor] : graph::execute(sub, in)) store.insert_or_assign(name, std::move(tensor));
  }
  graph::TensorMap out;
  for (const graph::GraphOutput& o : g.outputs()) out.emplace(o.name, store.at(g.value(o.value).name));
  return out;
}

}  // namespace weft::partition
