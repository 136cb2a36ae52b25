#include "ir/workload_spec.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "support/error.h"

namespace weft::ir {

// ---- parameter declarations ------------------------------------------------------

ParamDef int_param(const std::string& name) {
  ParamDef p;
  p.name = name;
  p.type = ParamType::Int;
  return p;
}

ParamDef int_param(const std::string& name, int64_t default_value, int64_t min_value, int64_t max_value) {
  ParamDef p = int_param(name);
  p.default_text = std::to_string(default_value);
  p.min_int = min_value;
  p.max_int = max_value;
  return p;
}

ParamDef flag_param(const std::string& name) { return int_param(name, 0, 0, 1); }

ParamDef float_param(const std::string& name, double default_value) {
  ParamDef p;
  p.name = name;
  p.type = ParamType::Float;
  p.default_text = format_param_value(default_value);
  return p;
}

ParamDef dtype_param(const std::string& name, DType default_value, std::vector<DType> allowed) {
  ParamDef p;
  p.name = name;
  p.type = ParamType::DType;
  p.default_text = std::string(dtype_name(default_value));
  p.dtypes = std::move(allowed);
  return p;
}

ParamDef word_param(const std::string& name, const std::string& default_value, std::vector<std::string> allowed) {
  ParamDef p;
  p.name = name;
  p.type = ParamType::Word;
  p.default_text = default_value;
  p.words = std::move(allowed);
  return p;
}

const std::vector<DType>& float_dtypes() {
  static const std::vector<DType> kTypes = {DType::f64, DType::f32, DType::f16, DType::bf16};
  return kTypes;
}

std::string format_param_value(const ParamValue& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) return std::to_string(*i);
  if (const auto* t = std::get_if<DType>(&value)) return std::string(dtype_name(*t));
  if (const auto* w = std::get_if<std::string>(&value)) return *w;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof(buf), std::get<double>(value));  // shortest round-trip form
  return std::string(buf, res.ptr);
}

// ---- typed access ------------------------------------------------------------------

const ParamValue& ParamValues::at(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw InternalError("workload spec '" + spec_ + "' has no parameter '" + name + "'");
  return it->second;
}

template <typename T>
static const T& typed(const ParamValue& v, const std::string& name, const std::string& spec, const char* type) {
  if (const T* p = std::get_if<T>(&v)) return *p;
  throw InternalError("parameter '" + name + "' of workload spec '" + spec + "' read as " + type);
}

int64_t ParamValues::get_int(const std::string& name) const { return typed<int64_t>(at(name), name, spec_, "an integer"); }
double ParamValues::get_float(const std::string& name) const { return typed<double>(at(name), name, spec_, "a number"); }
DType ParamValues::get_dtype(const std::string& name) const { return typed<DType>(at(name), name, spec_, "a dtype"); }
const std::string& ParamValues::get_word(const std::string& name) const {
  return typed<std::string>(at(name), name, spec_, "a word");
}

void ParamValues::fail(const std::string& message) const {
  throw UsageError("bad workload spec '" + spec_ + "': " + message);
}

// ---- parsing -------------------------------------------------------------------------

namespace {

std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string dtype_list(const std::vector<DType>& types, const char* sep) {
  std::vector<std::string> names;
  for (DType t : types) names.emplace_back(dtype_name(t));
  return join(names, sep);
}

class SpecParser {
 public:
  SpecParser(const std::string& spec, const std::vector<OpDef>& ops) : spec_(spec), ops_(ops) {}

  ParsedSpec parse() {
    size_t colon = spec_.find(':');
    std::string name = spec_.substr(0, colon);
    if (name.empty()) fail(0, "expected an op name");
    const OpDef* op = find_op(name);
    std::map<std::string, ParamValue> given;
    std::map<std::string, size_t> given_at;
    if (colon != std::string::npos) parse_params(*op, colon + 1, &given, &given_at);

    // Fill defaults in declared order so derived defaults see the parameters before them.
    std::map<std::string, ParamValue> values;
    std::vector<std::string> missing;
    for (const ParamDef& p : op->params) {
      if (auto it = given.find(p.name); it != given.end()) {
        values[p.name] = it->second;
      } else if (p.default_text) {
        values[p.name] = parse_value(p, *p.default_text, std::string::npos);
      } else if (p.derived_default) {
        values[p.name] = parse_value(p, p.derived_default(ParamValues(spec_, values)), std::string::npos);
      } else {
        missing.push_back(p.name);
      }
    }
    if (!missing.empty())
      throw UsageError(prefix() + "missing required parameter" + (missing.size() > 1 ? "s " : " ") +
                       join(missing, ", ") + " for " + op->name + " (" + describe_params(*op) + ")");

    ParsedSpec out;
    out.op = op;
    out.canonical = op->name;
    for (size_t i = 0; i < op->params.size(); ++i)
      out.canonical += (i == 0 ? ":" : ",") + op->params[i].name + "=" + format_param_value(values[op->params[i].name]);
    out.values = ParamValues(spec_, std::move(values));
    return out;
  }

 private:
  std::string prefix() const { return "bad workload spec '" + spec_ + "': "; }

  // `index` is 0-based; messages give the 1-based column.
  [[noreturn]] void fail(size_t index, const std::string& message) const {
    throw UsageError(prefix() + "at position " + std::to_string(index + 1) + ": " + message);
  }

  const OpDef* find_op(const std::string& name) const {
    std::vector<std::string> names;
    for (const OpDef& op : ops_) {
      if (op.name == name) return &op;
      names.push_back(op.name);
    }
    fail(0, "unknown op '" + name + "'; available ops: " + join(names, ", "));
  }

  void parse_params(const OpDef& op, size_t pos, std::map<std::string, ParamValue>* given,
                    std::map<std::string, size_t>* given_at) const {
    while (true) {
      size_t key_end = spec_.find_first_of("=,", pos);
      if (key_end == std::string::npos) key_end = spec_.size();
      std::string key = spec_.substr(pos, key_end - pos);
      if (key.empty()) fail(pos, "expected a parameter name");
      const ParamDef* def = nullptr;
      std::vector<std::string> names;
      for (const ParamDef& p : op.params) {
        if (p.name == key) def = &p;
        names.push_back(p.name);
      }
      if (!def) fail(pos, "unknown parameter '" + key + "' for " + op.name + "; parameters: " + join(names, ", "));
      if (given_at->count(key))
        fail(pos, "parameter '" + key + "' is given twice (first at position " +
                      std::to_string(given_at->at(key) + 1) + ")");
      if (key_end == spec_.size() || spec_[key_end] != '=') fail(key_end, "expected '=' after '" + key + "'");
      size_t value_start = key_end + 1;
      size_t value_end = spec_.find(',', value_start);
      if (value_end == std::string::npos) value_end = spec_.size();
      (*given)[key] = parse_value(*def, spec_.substr(value_start, value_end - value_start), value_start);
      (*given_at)[key] = pos;
      if (value_end == spec_.size()) return;
      pos = value_end + 1;
    }
  }

  // `at` is the value's index in the spec, or npos for a default (a bad default is a bug).
  ParamValue parse_value(const ParamDef& p, const std::string& text, size_t at) const {
    auto bad = [&](const std::string& message) -> ParamValue {
      if (at == std::string::npos) throw InternalError("default of '" + p.name + "' is invalid: " + message);
      fail(at, message);
    };
    if (text.empty()) return bad("expected a value for " + p.name);
    const char* first = text.data();
    const char* last = text.data() + text.size();
    switch (p.type) {
      case ParamType::Int: {
        int64_t v = 0;
        auto [ptr, ec] = std::from_chars(first, last, v);
        if (ec == std::errc::result_out_of_range)
          return bad(p.name + " must be at most " + std::to_string(p.max_int) + ", got " + text);
        if (ec != std::errc() || ptr != last) return bad("expected an integer for " + p.name + ", got '" + text + "'");
        if (v < p.min_int || v > p.max_int) {
          if (p.max_int == INT32_MAX)
            return bad(p.name + " must be at least " + std::to_string(p.min_int) + ", got " + text);
          return bad(p.name + " must be between " + std::to_string(p.min_int) + " and " + std::to_string(p.max_int) +
                     ", got " + text);
        }
        return v;
      }
      case ParamType::Float: {
        double v = 0;
        auto [ptr, ec] = std::from_chars(first, last, v);
        if (ec != std::errc() || ptr != last || !std::isfinite(v))
          return bad("expected a number for " + p.name + ", got '" + text + "'");
        return v;
      }
      case ParamType::DType: {
        std::optional<DType> t = parse_dtype(text);
        if (!t)
          return bad("unknown dtype '" + text + "' for " + p.name + "; expected one of " + dtype_list(p.dtypes, ", "));
        for (DType allowed : p.dtypes)
          if (allowed == *t) return *t;
        return bad("dtype " + text + " is not supported for " + p.name + "; expected one of " +
                   dtype_list(p.dtypes, ", "));
      }
      case ParamType::Word: {
        if (!p.words.empty() && std::find(p.words.begin(), p.words.end(), text) == p.words.end())
          return bad("expected one of " + join(p.words, ", ") + " for " + p.name + ", got '" + text + "'");
        if (p.check) {
          std::string problem = p.check(text);
          if (!problem.empty()) return bad(problem);
        }
        return text;
      }
    }
    throw InternalError("parameter '" + p.name + "' has an unknown type");
  }

  const std::string& spec_;
  const std::vector<OpDef>& ops_;
};

}  // namespace

ParsedSpec parse_workload_spec(const std::string& spec, const std::vector<OpDef>& ops) {
  return SpecParser(spec, ops).parse();
}

std::string describe_params(const OpDef& op) {
  std::vector<std::string> parts;
  for (const ParamDef& p : op.params) {
    std::string s = p.name;
    std::string choices;
    switch (p.type) {
      case ParamType::Int:
        if (p.max_int != INT32_MAX) choices = std::to_string(p.min_int) + ".." + std::to_string(p.max_int);
        else if (p.min_int != 1) choices = ">=" + std::to_string(p.min_int);
        break;
      case ParamType::Float: break;
      case ParamType::DType: choices = dtype_list(p.dtypes, "|"); break;
      case ParamType::Word: choices = join(p.words, "|"); break;
    }
    if (p.default_text) s += "=" + *p.default_text;
    else if (p.derived_default) s += "=<" + p.derived_default_doc + ">";
    else s += " (required)";
    if (!choices.empty()) s += " (" + choices + ")";
    parts.push_back(s);
  }
  return join(parts, ", ");
}

}  // namespace weft::ir
