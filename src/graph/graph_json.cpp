#include "graph/graph_json.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "graph/json_locate.h"
#include "graph/op_registry.h"
#include "support/error.h"

namespace weft::graph {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

ordered_json type_json(const std::string& name, const TensorType& t) {
  ordered_json j;
  j["name"] = name;
  j["dtype"] = std::string(ir::dtype_name(t.dtype));
  j["shape"] = t.shape;
  if (!t.layout.empty()) j["layout"] = t.layout;
  return j;
}

ordered_json attr_json(const AttrValue& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return *i;
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return std::get<std::vector<int64_t>>(v);
}

}  // namespace

std::string graph_to_json(const Graph& graph, int indent) {
  ordered_json doc;
  doc["format"] = "weft-graph";
  doc["version"] = kGraphJsonVersion;
  doc["name"] = graph.name();
  doc["inputs"] = ordered_json::array();
  for (const GraphInput& in : graph.inputs()) {
    const Value& v = graph.value(in.value);
    ordered_json j = type_json(v.name, v.type);
    j["kind"] = std::string(input_kind_name(in.kind));
    doc["inputs"].push_back(j);
  }
  doc["nodes"] = ordered_json::array();
  for (const Node& n : graph.nodes()) {
    ordered_json j;
    j["name"] = n.name;
    j["op"] = n.op;
    j["inputs"] = ordered_json::array();
    for (ValueId v : n.inputs) j["inputs"].push_back(graph.value(v).name);
    j["attrs"] = ordered_json::object();
    for (const auto& [name, value] : n.attrs.items()) j["attrs"][name] = attr_json(value);
    j["outputs"] = ordered_json::array();
    for (ValueId v : n.outputs) j["outputs"].push_back(type_json(graph.value(v).name, graph.type(v)));
    doc["nodes"].push_back(j);
  }
  doc["outputs"] = ordered_json::array();
  for (const GraphOutput& o : graph.outputs()) doc["outputs"].push_back({{"name", o.name}, {"value", graph.value(o.value).name}});
  return doc.dump(indent);
}

namespace {

using Path = std::vector<std::string>;

Path operator/(Path p, const std::string& token) {
  p.push_back(token);
  return p;
}
Path operator/(Path p, size_t index) { return std::move(p) / std::to_string(index); }

// Reads a parsed document, reporting problems at their position in the text.
class Reader {
 public:
  Reader(const std::string& text, const std::string& input) : text_(text), input_(input) {}

  [[noreturn]] void fail(const Path& path, const std::string& message) const {
    TextPosition p = position_of_offset(text_, locate_json_pointer(text_, path));
    std::string where;
    for (const std::string& t : path) where += "/" + t;
    throw ParseError(input_, p.line, p.column, (where.empty() ? "" : where + ": ") + message);
  }

  const json& member(const json& obj, const Path& path, const std::string& key) const {
    if (!obj.is_object()) fail(path, "expected an object");
    auto it = obj.find(key);
    if (it == obj.end()) fail(path, "missing \"" + key + "\"");
    return *it;
  }

  std::string string_member(const json& obj, const Path& path, const std::string& key) const {
    const json& v = member(obj, path, key);
    if (!v.is_string()) fail(path / key, "\"" + key + "\" must be a string");
    return v.get<std::string>();
  }

  const json& array_member(const json& obj, const Path& path, const std::string& key) const {
    const json& v = member(obj, path, key);
    if (!v.is_array()) fail(path / key, "\"" + key + "\" must be an array");
    return v;
  }

  TensorType type_of(const json& obj, const Path& path) const {
    TensorType t;
    std::string dtype = string_member(obj, path, "dtype");
    auto parsed = ir::parse_dtype(dtype);
    if (!parsed || !is_graph_dtype(*parsed)) fail(path / "dtype", "dtype must be f32, f64 or i64, got \"" + dtype + "\"");
    t.dtype = *parsed;
    const json& shape = array_member(obj, path, "shape");
    for (size_t i = 0; i < shape.size(); ++i) {
      if (!shape[i].is_number_integer()) fail(path / "shape" / i, "dimensions must be integers");
      t.shape.push_back(shape[i].get<int64_t>());
    }
    if (obj.contains("layout")) t.layout = string_member(obj, path, "layout");
    return t;
  }

  AttrValue attr_of(const json& v, const Path& path) const {
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_number_float()) return v.get<double>();
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
      std::vector<int64_t> list;
      for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_number_integer()) fail(path / i, "attribute lists hold integers only");
        list.push_back(v[i].get<int64_t>());
      }
      return list;
    }
    fail(path, "attributes are integers, numbers, strings or lists of integers");
  }

  ValueId value_ref(const Graph& g, const json& v, const Path& path) const {
    if (!v.is_string()) fail(path, "value references are strings");
    auto id = g.find_value(v.get<std::string>());
    if (!id) fail(path, "unknown value '" + v.get<std::string>() + "' (not an input or an earlier node's output)");
    return *id;
  }

  Graph read(const json& doc) const {
    Path root;
    if (!doc.is_object()) fail(root, "a graph document is a JSON object");
    if (string_member(doc, root, "format") != "weft-graph")
      fail(root / "format", "\"format\" must be \"weft-graph\"");
    const json& version = member(doc, root, "version");
    if (!version.is_number_integer()) fail(root / "version", "\"version\" must be an integer");
    if (version.get<int64_t>() != kGraphJsonVersion)
      fail(root / "version", "unsupported version " + version.dump() + " (this weft reads version " +
                                 std::to_string(kGraphJsonVersion) + ")");
    Graph g(doc.contains("name") ? string_member(doc, root, "name") : "graph");

    const json& inputs = array_member(doc, root, "inputs");
    for (size_t i = 0; i < inputs.size(); ++i) {
      Path p = root / "inputs" / i;
      std::string name = string_member(inputs[i], p, "name");
      std::string kind = string_member(inputs[i], p, "kind");
      auto k = parse_input_kind(kind);
      if (!k) fail(p / "kind", "kind must be data, label or parameter, got \"" + kind + "\"");
      TensorType t = type_of(inputs[i], p);
      if (g.has_name(name)) fail(p / "name", "the name '" + name + "' is used twice");
      try {
        g.add_input(name, t, *k);
      } catch (const IRError& e) {
        fail(p, e.what());
      }
    }

    const json& nodes = array_member(doc, root, "nodes");
    for (size_t i = 0; i < nodes.size(); ++i) read_node(g, nodes[i], root / "nodes" / i);

    const json& outputs = array_member(doc, root, "outputs");
    for (size_t i = 0; i < outputs.size(); ++i) {
      Path p = root / "outputs" / i;
      std::string name = string_member(outputs[i], p, "name");
      ValueId v = value_ref(g, member(outputs[i], p, "value"), p / "value");
      if (g.find_output(name)) fail(p / "name", "output '" + name + "' is declared twice");
      g.add_output(name, v);
    }
    return g;
  }

 private:
  void read_node(Graph& g, const json& n, const Path& p) const {
    std::string name = string_member(n, p, "name");
    std::string op = string_member(n, p, "op");
    if (name.empty()) fail(p / "name", "node names must not be empty");
    if (g.has_name(name)) fail(p / "name", "the name '" + name + "' is used twice");
    if (!OpRegistry::global().find(op)) fail(p / "op", "unknown op '" + op + "'");
    std::vector<ValueId> ins;
    const json& in_refs = array_member(n, p, "inputs");
    for (size_t j = 0; j < in_refs.size(); ++j) ins.push_back(value_ref(g, in_refs[j], p / "inputs" / j));
    Attrs attrs;
    if (n.contains("attrs")) {
      const json& a = member(n, p, "attrs");
      if (!a.is_object()) fail(p / "attrs", "\"attrs\" must be an object");
      for (const auto& [key, value] : a.items()) attrs.set(key, attr_of(value, p / "attrs" / key));
    }
    std::vector<ValueId> outs;
    try {
      outs = g.add_node(op, ins, attrs, name);
    } catch (const IRError& e) {
      fail(p, e.what());
    }
    if (!n.contains("outputs")) return;
    const json& declared = array_member(n, p, "outputs");
    if (declared.size() != outs.size())
      fail(p / "outputs", "declares " + std::to_string(declared.size()) + " outputs; op '" + op + "' has " +
                              std::to_string(outs.size()));
    for (size_t k = 0; k < outs.size(); ++k) {
      Path q = p / "outputs" / k;
      if (declared[k].contains("name") && string_member(declared[k], q, "name") != g.value(outs[k]).name)
        fail(q / "name", "output " + std::to_string(k) + " of node '" + name + "' is named '" +
                             g.value(outs[k]).name + "'");
      TensorType t = type_of(declared[k], q);
      const TensorType& inferred = g.type(outs[k]);
      if (t.dtype != inferred.dtype || t.shape != inferred.shape)
        fail(q, "declared type " + t.str() + " differs from the inferred " + inferred.str());
    }
  }

  const std::string& text_;
  const std::string& input_;
};

}  // namespace

Graph graph_from_json(const std::string& text, const std::string& input_name) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    TextPosition p = position_of_offset(text, offset);
    // nlohmann's message repeats the position; keep only the description.
    std::string message = e.what();
    size_t colon = message.find(": ", message.find("parse error"));
    if (colon != std::string::npos) message = message.substr(colon + 2);
    throw ParseError(input_name, p.line, p.column, "invalid JSON: " + message);
  }
  return Reader(text, input_name).read(doc);
}

void save_graph_json(const Graph& graph, const std::string& path) {
  std::ofstream out(path);
  if (!out) throw UsageError("cannot write graph file '" + path + "'");
  out << graph_to_json(graph) << "\n";
  if (!out) throw UsageError("failed writing graph file '" + path + "'");
}

Graph load_graph_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read graph file '" + path + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return graph_from_json(buffer.str(), path);
}

}  // namespace weft::graph
