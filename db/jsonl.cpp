#include "db/jsonl.h"

#include <nlohmann/json.hpp>

#include "db/database_impl.h"
#include "support/error.h"

namespace weft::db {
namespace {

using nlohmann::json;

class LineReader {
 public:
  LineReader(const json& doc, const std::string& input, int line) : doc_(doc), input_(input), line_(line) {}

  [[noreturn]] void fail(const std::string& message) const { throw ParseError(input_, line_, 1, message); }

  const json& field(const char* name) const {
    auto it = doc_.find(name);
    if (it == doc_.end()) fail(std::string("missing field '") + name + "'");
    return *it;
  }
  std::string text(const char* name) const {
    const json& v = field(name);
    if (!v.is_string()) fail(std::string("field '") + name + "' must be a string");
    return v.get<std::string>();
  }
  double number(const char* name) const {
    const json& v = field(name);
    if (!v.is_number()) fail(std::string("field '") + name + "' must be a number");
    return v.get<double>();
  }
  int integer(const char* name) const {
    const json& v = field(name);
    if (!v.is_number_integer() || v.get<int64_t>() < 0 || v.get<int64_t>() > INT32_MAX)
      fail(std::string("field '") + name + "' must be a non-negative integer");
    return v.get<int>();
  }
  std::vector<double> numbers(const char* name) const {
    const json& v = field(name);
    if (!v.is_array()) fail(std::string("field '") + name + "' must be an array of numbers");
    std::vector<double> out;
    for (const json& x : v) {
      if (!x.is_number()) fail(std::string("field '") + name + "' must be an array of numbers");
      out.push_back(x.get<double>());
    }
    return out;
  }

 private:
  const json& doc_;
  const std::string& input_;
  int line_;
};

}  // namespace

std::string to_json_line(const WorkloadEntry& w, const Record& r) {
  json j = {{"workload_hash", w.hash},
            {"workload_name", w.name},
            {"ir_text", w.ir_text},
            {"flops", w.flops},
            {"target", r.target_key},
            {"trace", r.trace_text},
            {"median_us", r.median_us},
            {"latencies_us", r.latencies_us},
            {"status", to_string(r.status)},
            {"error", r.error},
            {"feature_version", r.feature_version},
            {"weft_version", r.weft_version},
            {"created_at", r.created_at}};
  return j.dump();
}

JsonLine parse_json_line(const std::string& line, const std::string& input_name, int line_number) {
  json doc;
  try {
    doc = json::parse(line);
  } catch (const json::parse_error& e) {
    throw ParseError(input_name, line_number, static_cast<int>(e.byte), std::string("invalid JSON: ") + e.what());
  }
  if (!doc.is_object()) throw ParseError(input_name, line_number, 1, "expected one JSON object per line");
  LineReader in(doc, input_name, line_number);
  JsonLine out;
  out.workload.hash = in.text("workload_hash");
  out.workload.name = in.text("workload_name");
  out.workload.ir_text = in.text("ir_text");
  out.workload.flops = in.number("flops");
  Record& r = out.record;
  r.workload_hash = out.workload.hash;
  r.target_key = in.text("target");
  r.trace_text = in.text("trace");
  r.median_us = in.number("median_us");
  r.latencies_us = in.numbers("latencies_us");
  try {
    r.status = parse_record_status(in.text("status"));
  } catch (const UsageError& e) {
    in.fail(e.what());
  }
  r.error = in.text("error");
  r.feature_version = in.integer("feature_version");
  r.weft_version = in.text("weft_version");
  r.created_at = in.text("created_at");
  if (r.created_at.empty()) in.fail("field 'created_at' is empty");
  if (out.workload.hash.empty()) in.fail("field 'workload_hash' is empty");
  if (!(out.workload.flops >= 0)) in.fail("field 'flops' must not be negative");
  try {
    check_record(r);
  } catch (const UsageError& e) {
    in.fail(e.what());
  }
  return out;
}

}  // namespace weft::db
