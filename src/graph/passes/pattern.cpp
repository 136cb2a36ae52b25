#include "graph/passes/pattern.h"

#include <algorithm>

namespace weft::graph {

std::optional<Node> producer_of(const Graph& g, ValueId v) {
  NodeId p = g.value(v).producer;
  if (p < 0) return std::nullopt;
  return g.node(p);
}

bool produced_by(const Graph& g, ValueId v, const std::string& op) {
  NodeId p = g.value(v).producer;
  return p >= 0 && g.node(p).op == op;
}

std::optional<double> full_value(const Graph& g, ValueId v) {
  NodeId p = g.value(v).producer;
  if (p < 0 || g.node(p).op != "full") return std::nullopt;
  const AttrValue* value = g.node(p).attrs.find("value");
  if (!value) return std::nullopt;
  if (auto* d = std::get_if<double>(value)) return *d;
  if (auto* i = std::get_if<int64_t>(value)) return static_cast<double>(*i);
  return std::nullopt;
}

ValueId add_full(Graph& g, const Shape& shape, double value, DType dtype, const std::string& name) {
  return g.add("full", {}, {{"shape", shape}, {"value", value}, {"dtype", dtype_attr(dtype)}}, name);
}

std::vector<int64_t> reduced_axes(const Node& node, int64_t rank) {
  std::vector<int64_t> axes;
  if (const AttrValue* a = node.attrs.find("axes"))
    if (auto* list = std::get_if<std::vector<int64_t>>(a)) axes = *list;
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
  for (int64_t& a : axes)
    if (a < 0) a += rank;
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

Shape right_aligned(const Shape& shape, size_t rank) {
  Shape out(rank > shape.size() ? rank - shape.size() : 0, 1);
  out.insert(out.end(), shape.begin(), shape.end());
  return out;
}

std::string dtype_attr(DType dtype) { return std::string(ir::dtype_name(dtype)); }

}  // namespace weft::graph
