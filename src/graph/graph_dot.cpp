#include "graph/graph_dot.h"

#include "graph/op_registry.h"

namespace weft::graph {
namespace {

// A DOT double-quoted string: names come from user input, so escape everything
// that could end the string or start an escape.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string group_colour(FusionGroup g) {
  switch (g) {
    case FusionGroup::main: return "#f4a582";
    case FusionGroup::fusible: return "#92c5de";
    case FusionGroup::layout: return "#e0e0e0";
  }
  return "white";
}

}  // namespace

std::string graph_to_dot(const Graph& graph) {
  std::string out = "digraph " + quoted(graph.name()) + " {\n  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n";
  for (const GraphInput& in : graph.inputs()) {
    const Value& v = graph.value(in.value);
    bool param = in.kind == InputKind::parameter;
    out += "  " + quoted("v:" + v.name) + " [shape=ellipse" + (param ? ", style=filled, fillcolor=\"#fddbc7\"" : "") +
           ", label=" + quoted(v.name + "\n" + v.type.str() + " (" + std::string(input_kind_name(in.kind)) + ")") +
           "];\n";
  }
  const OpRegistry& registry = OpRegistry::global();
  for (const Node& n : graph.nodes()) {
    const OpDef* def = registry.find(n.op);
    std::string colour = def ? group_colour(fusion_group(def->fusion)) : "white";
    std::string label = n.name + "\n" + n.op;
    if (!n.attrs.empty()) label += "\n" + n.attrs.str();
    out += "  " + quoted("n:" + n.name) + " [shape=box, style=filled, fillcolor=" + quoted(colour) +
           ", label=" + quoted(label) + "];\n";
  }
  // Edge source: the producing node, or the input's ellipse.
  auto source = [&](ValueId v) {
    const Value& val = graph.value(v);
    return val.producer < 0 ? quoted("v:" + val.name) : quoted("n:" + graph.node(val.producer).name);
  };
  for (const Node& n : graph.nodes())
    for (ValueId v : n.inputs)
      out += "  " + source(v) + " -> " + quoted("n:" + n.name) + " [label=" + quoted(graph.type(v).str()) + "];\n";
  for (const GraphOutput& o : graph.outputs()) {
    out += "  " + quoted("o:" + o.name) + " [shape=doubleoctagon, label=" + quoted(o.name) + "];\n";
    out += "  " + source(o.value) + " -> " + quoted("o:" + o.name) + " [label=" + quoted(graph.type(o.value).str()) +
           "];\n";
  }
  return out + "}\n";
}

}  // namespace weft::graph
