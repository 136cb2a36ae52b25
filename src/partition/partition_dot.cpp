#include "partition/partition_dot.h"

#include <array>

#include "graph/op_registry.h"

namespace weft::partition {
namespace {

// Graphviz quotes: escape backslashes and quotes of names taken from the input.
std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c == '\n' ? ' ' : c;
  }
  return out;
}
std::string quoted(const std::string& s) { return "\"" + escaped(s) + "\""; }

constexpr std::array<const char*, 12> kColours = {"#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99",
                                                  "#8dd3c7", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69"};

}  // namespace

std::string partition_to_dot(const Graph& g, const Partition& p) {
  std::string s = "digraph " + quoted(g.name() + " partition") + " {\n  rankdir=TB;\n  node [shape=box, style=filled];\n";
  for (const graph::GraphInput& in : g.inputs())
    s += "  " + quoted("in:" + g.value(in.value).name) + " [shape=ellipse, fillcolor=white, label=" +
         quoted(g.value(in.value).name) + "];\n";
  std::vector<std::vector<NodeId>> kernels = p.kernels();
  for (int k = 0; k < p.num_kernels; ++k) {
    const char* colour = kColours[k % kColours.size()];
    bool cluster = kernels[k].size() > 1;
    if (cluster)
      s += "  subgraph " + quoted("cluster_" + std::to_string(k)) + " {\n    style=filled; fillcolor=" +
           quoted(std::string(colour) + "40") + "; label=" + quoted("kernel " + std::to_string(k)) + ";\n";
    for (NodeId n : kernels[k]) {
      const graph::Node& node = g.node(n);
      bool main = graph::is_main(graph::OpRegistry::global().get(node.op).fusion);
      s += std::string(cluster ? "    " : "  ") + quoted(node.name) + " [fillcolor=" + quoted(colour) +
           ", label=\"" + escaped(node.name) + "\\n" + escaped(node.op) + " k" + std::to_string(k) + "\"" +
           (main ? ", penwidth=3" : "") + "];\n";
    }
    if (cluster) s += "  }\n";
  }
  for (const graph::Node& node : g.nodes())
    for (graph::ValueId in : node.inputs) {
      const graph::Value& v = g.value(in);
      std::string from = v.producer >= 0 ? g.node(v.producer).name : "in:" + v.name;
      bool cut = v.producer >= 0 && p.kernel_of[v.producer] != p.kernel_of[&node - g.nodes().data()];
      s += "  " + quoted(from) + " -> " + quoted(node.name) + " [label=" + quoted(v.type.str()) +
           (cut || v.producer < 0 ? ", style=dashed" : "") + "];\n";
    }
  return s + "}\n";
}

}  // namespace weft::partition
