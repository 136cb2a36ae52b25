#include "frontend/model_spec.h"

#include <cmath>
#include <cstdio>

#include "support/error.h"

namespace weft::frontend {

namespace {

[[noreturn]] void spec_error(const std::string& spec, int column, const std::string& message) {
  throw UsageError("model spec '" + spec + "', column " + std::to_string(column) + ": " + message);
}

std::string format_real(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

ModelSpec parse_model_spec(const std::string& spec) {
  ModelSpec out;
  size_t colon = spec.find(':');
  out.model = spec.substr(0, colon);
  if (out.model.empty()) spec_error(spec, 1, "missing model name");
  if (colon == std::string::npos) return out;
  size_t pos = colon + 1;
  if (pos >= spec.size()) spec_error(spec, static_cast<int>(pos + 1), "expected 'tiny' or key=value after ':'");
  while (pos <= spec.size()) {
    size_t comma = spec.find(',', pos);
    if (comma == std::string::npos) comma = spec.size();
    std::string item = spec.substr(pos, comma - pos);
    int column = static_cast<int>(pos + 1);
    if (item.empty()) spec_error(spec, column, "empty item");
    if (item == "tiny") {
      out.tiny = true;
    } else {
      size_t eq = item.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
        spec_error(spec, column, "expected 'tiny' or key=value, got '" + item + "'");
      out.overrides.emplace_back(item.substr(0, eq), item.substr(eq + 1));
      out.override_columns.push_back(column);
    }
    pos = comma + 1;
  }
  return out;
}

void ConfigTable::add_int(const std::string& key, int64_t* field, int64_t paper, int64_t tiny,
                          const std::string& help, int64_t min) {
  fields_.push_back(Field{key, help, field, nullptr, static_cast<double>(paper), static_cast<double>(tiny),
                          static_cast<double>(min), 1e18});
}

void ConfigTable::add_real(const std::string& key, double* field, double paper, double tiny, const std::string& help,
                           double min, double max) {
  fields_.push_back(Field{key, help, nullptr, field, paper, tiny, min, max});
}

void ConfigTable::apply(const ModelSpec& spec, const std::string& text) const {
  for (const Field& f : fields_) {
    double v = spec.tiny ? f.tiny : f.paper;
    if (f.int_field) *f.int_field = static_cast<int64_t>(v);
    else *f.real_field = v;
  }
  for (size_t i = 0; i < spec.overrides.size(); ++i) {
    const auto& [key, value] = spec.overrides[i];
    int column = spec.override_columns[i];
    const Field* field = nullptr;
    for (const Field& f : fields_)
      if (f.key == key) field = &f;
    if (!field) {
      std::string keys;
      for (const Field& f : fields_) keys += (keys.empty() ? "" : ", ") + f.key;
      spec_error(text, column, "unknown key '" + key + "' for model '" + spec.model + "' (keys: " + keys + ")");
    }
    size_t used = 0;
    double parsed = 0;
    try {
      if (field->int_field) parsed = static_cast<double>(std::stoll(value, &used));
      else parsed = std::stod(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != value.size() || !std::isfinite(parsed))
      spec_error(text, column, "'" + key + "' needs " + (field->int_field ? "an integer" : "a number") + ", got '" +
                                   value + "'");
    if (parsed < field->min || parsed > field->max)
      spec_error(text, column, "'" + key + "' must be at least " + format_real(field->min) +
                                   (field->max < 1e18 ? " and at most " + format_real(field->max) : "") + ", got " +
                                   value);
    if (field->int_field) *field->int_field = static_cast<int64_t>(parsed);
    else *field->real_field = parsed;
  }
}

std::string ConfigTable::canonical() const {
  std::string out;
  for (const Field& f : fields_) {
    out += out.empty() ? "" : ",";
    out += f.key + "=" + (f.int_field ? std::to_string(*f.int_field) : format_real(*f.real_field));
  }
  return out;
}

std::string ConfigTable::describe() const {
  std::string out;
  for (const Field& f : fields_)
    out += "  " + f.key + " (paper " + format_real(f.paper) + ", tiny " + format_real(f.tiny) + "): " + f.help + "\n";
  return out;
}

}  // namespace weft::frontend
