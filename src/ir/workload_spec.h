// Workload specs: `op:key=value,key=value`. Each op declares its parameters (type,
// default, allowed values); parsing checks a spec against them and produces typed
// values plus the canonical spec (every parameter, defaults filled, in declared
// order). Errors are UsageError naming the spec and the 1-based column at fault.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/dtype.h"
#include "ir/stmt.h"

namespace weft::ir {

enum class ParamType : uint8_t { Int, Float, DType, Word };

class ParamValues;

struct ParamDef {
  std::string name;
  ParamType type = ParamType::Int;
  // Default value text; nullopt with no `derived_default` means the parameter is required.
  std::optional<std::string> default_text;
  // A default computed from the parameters declared before this one (e.g. out_dtype).
  std::function<std::string(const ParamValues&)> derived_default;
  std::string derived_default_doc;  // how the derived default is chosen, for describe_op
  int64_t min_int = 1, max_int = INT32_MAX;  // Int: inclusive range
  std::vector<DType> dtypes;                 // DType: allowed types
  std::vector<std::string> words;            // Word: allowed values (empty: any, see `check`)
  // Extra validation of a Word value: returns an error message, empty when fine.
  std::function<std::string(const std::string&)> check;

  bool required() const { return !default_text && !derived_default; }
};

// Shorthands for declaring parameters.
ParamDef int_param(const std::string& name);  // required, >= 1
ParamDef int_param(const std::string& name, int64_t default_value, int64_t min_value = 1,
                   int64_t max_value = INT32_MAX);
ParamDef flag_param(const std::string& name);  // 0 or 1, default 0
ParamDef float_param(const std::string& name, double default_value);
ParamDef dtype_param(const std::string& name, DType default_value, std::vector<DType> allowed);
ParamDef word_param(const std::string& name, const std::string& default_value, std::vector<std::string> allowed);
// The floating-point types the op library computes in.
const std::vector<DType>& float_dtypes();

using ParamValue = std::variant<int64_t, double, DType, std::string>;

// Typed parameter values of one parsed spec.
class ParamValues {
 public:
  ParamValues() = default;
  ParamValues(std::string spec, std::map<std::string, ParamValue> values)
      : spec_(std::move(spec)), values_(std::move(values)) {}

  int64_t get_int(const std::string& name) const;
  double get_float(const std::string& name) const;
  DType get_dtype(const std::string& name) const;
  const std::string& get_word(const std::string& name) const;
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  const std::string& spec() const { return spec_; }  // the spec as the user wrote it
  // Rejects a combination of values the parameter checks cannot see (e.g. a kernel
  // larger than the padded input): throws UsageError naming the spec.
  [[noreturn]] void fail(const std::string& message) const;

 private:
  const ParamValue& at(const std::string& name) const;
  std::string spec_;
  std::map<std::string, ParamValue> values_;
};

struct OpDef {
  std::string name;
  std::string summary;  // one sentence: what it computes and its layout
  std::vector<ParamDef> params;
  int num_outputs = 1;
  // Builds the compute definition; params are inputs first, then outputs.
  std::function<PrimFunc(const ParamValues&)> build;
};

struct ParsedSpec {
  const OpDef* op = nullptr;
  ParamValues values;
  std::string canonical;  // e.g. `matmul:M=64,N=64,K=64,ta=0,tb=0,dtype=f32,out_dtype=f32`
};

// Parses `spec` against `ops` (sorted by name, for the error listing known ops).
ParsedSpec parse_workload_spec(const std::string& spec, const std::vector<OpDef>& ops);

// `M (required), ta=0 (0|1), dtype=f32 (f64|f32|f16|bf16), ...`
std::string describe_params(const OpDef& op);

// The canonical text of a value ("64", "f32", "1e-05").
std::string format_param_value(const ParamValue& value);

}  // namespace weft::ir
