// JSON form of a trace: {"version": 1, "instructions": [{"kind": "split",
// "inputs": [{"rv": "l1"}, [{"rv": "v4"}, 8]], "attrs": [["key", value]],
// "outputs": ["l8", "l9"], "decision": [4, 8]}]}. Handles are {"rv": name} so that
// strings stay strings.
#include <nlohmann/json.hpp>

#include "schedule/instruction.h"
#include "schedule/trace.h"
#include "support/error.h"

namespace weft::sched {

using nlohmann::json;

static std::string rv_name(const RV& rv) { return std::string(1, rv_prefix(rv.kind)) + std::to_string(rv.id); }

static json arg_to_json(const Arg& a) {
  return std::visit(
      [](const auto& v) -> json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) return nullptr;
        else if constexpr (std::is_same_v<T, RV>) return json{{"rv", rv_name(v)}};
        else if constexpr (std::is_same_v<T, Arg::List>) {
          json arr = json::array();
          for (const Arg& x : v) arr.push_back(arg_to_json(x));
          return arr;
        } else return v;
      },
      a.value);
}

std::string Trace::to_json() const {
  json insts = json::array();
  for (const Instruction& inst : insts_) {
    json j;
    j["kind"] = inst.kind;
    json inputs = json::array();
    for (const Arg& a : inst.inputs) inputs.push_back(arg_to_json(a));
    j["inputs"] = inputs;
    json attrs = json::array();
    for (const auto& [k, a] : inst.attrs) attrs.push_back(json::array({k, arg_to_json(a)}));
    j["attrs"] = attrs;
    json outputs = json::array();
    for (const RV& o : inst.outputs) outputs.push_back(rv_name(o));
    j["outputs"] = outputs;
    if (inst.decision) j["decision"] = arg_to_json(*inst.decision);
    insts.push_back(j);
  }
  return json{{"version", 1}, {"instructions", insts}}.dump();
}

namespace {

class JsonReader {
 public:
  explicit JsonReader(std::string input) : input_(std::move(input)) {}

  [[noreturn]] void fail(size_t index, const std::string& msg) const {
    throw ParseError(input_, static_cast<int>(index) + 1, 0, "instruction " + std::to_string(index) + ": " + msg);
  }

  Arg arg(const json& j, size_t index) {
    if (j.is_null()) return Arg();
    if (j.is_boolean()) fail(index, "booleans are not instruction arguments");
    if (j.is_number_integer()) return Arg(j.get<int64_t>());
    if (j.is_number_float()) return Arg(j.get<double>());
    if (j.is_string()) return Arg(j.get<std::string>());
    if (j.is_array()) {
      Arg::List items;
      for (const json& x : j) items.push_back(arg(x, index));
      return Arg(std::move(items));
    }
    if (j.is_object() && j.size() == 1 && j.contains("rv") && j["rv"].is_string()) {
      std::string name = j["rv"].get<std::string>();
      auto it = names_.find(name);
      if (it == names_.end()) fail(index, "unknown handle '" + name + "'");
      return Arg(it->second);
    }
    fail(index, "malformed argument " + j.dump());
  }

  Trace read(const std::string& text) {
    json doc;
    try {
      doc = json::parse(text);
    } catch (const json::parse_error& e) {
      throw ParseError(input_, 1, static_cast<int>(e.byte), std::string("invalid JSON: ") + e.what());
    }
    if (!doc.is_object() || !doc.contains("instructions") || !doc["instructions"].is_array())
      throw ParseError(input_, 1, 1, "a trace is an object with an \"instructions\" array");
    if (doc.value("version", 0) != 1)
      throw ParseError(input_, 1, 1, "unsupported trace version " + doc.value("version", json(0)).dump());
    Trace trace;
    const json& insts = doc["instructions"];
    for (size_t i = 0; i < insts.size(); ++i) {
      const json& j = insts[i];
      if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string()) fail(i, "missing \"kind\"");
      std::string kind_name = j["kind"].get<std::string>();
      if (!has_instruction_kind(kind_name)) fail(i, "unknown instruction '" + kind_name + "'");
      const InstructionKind& kind = instruction_kind(kind_name);
      Instruction inst;
      inst.kind = kind_name;
      for (const json& a : j.value("inputs", json::array())) inst.inputs.push_back(arg(a, i));
      for (const json& kv : j.value("attrs", json::array())) {
        if (!kv.is_array() || kv.size() != 2 || !kv[0].is_string()) fail(i, "malformed attribute " + kv.dump());
        inst.attrs.emplace_back(kv[0].get<std::string>(), arg(kv[1], i));
      }
      if (j.contains("decision")) {
        if (!kind.sampling) fail(i, kind_name + " takes no decision");
        inst.decision = arg(j["decision"], i);
      }
      for (const json& o : j.value("outputs", json::array())) {
        if (!o.is_string()) fail(i, "output names must be strings");
        std::string name = o.get<std::string>();
        if (names_.count(name)) fail(i, "handle '" + name + "' is defined twice");
        RV rv{kind.output_kind, next_id_++};
        names_[name] = rv;
        inst.outputs.push_back(rv);
      }
      trace.append(std::move(inst));
    }
    return trace;
  }

 private:
  std::string input_;
  std::map<std::string, RV> names_;
  int next_id_ = 0;
};

}  // namespace

Trace Trace::parse_json(const std::string& text, const std::string& input_name) {
  return JsonReader(input_name).read(text);
}

}  // namespace weft::sched
