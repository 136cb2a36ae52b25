// C++ spellings for generated code: element types per dtype and a name table that
// turns IR names (already validated identifiers) into unique C++ identifiers.
#pragma once

#include <map>
#include <set>
#include <string>

#include "ir/dtype.h"

namespace weft::codegen {

// How a buffer element is stored: f16/bf16 as their uint16 bits, bool as uint8.
const char* storage_type(ir::DType t);
// The type a value of `t` is computed in: f16/bf16 in float, every integer type in
// int64_t (indices never overflow; wrap-around happens on casts and stores).
const char* compute_type(ir::DType t);
// Vector lane spelling used by the prelude's typedefs ("f32", "i64", "u16", ...).
const char* storage_lane(ir::DType t);
const char* compute_lane(ir::DType t);

bool is_cpp_keyword(const std::string& name);

// Unique identifiers for one generated function. Every IR entity gets a prefixed
// name (so no IR name can clash with a keyword or a prelude helper), made unique
// with a numeric suffix when two entities share a name.
class NameTable {
 public:
  // The name bound to `key`, creating `prefix + base` (made unique) the first time.
  std::string bind(const void* key, const std::string& prefix, const std::string& base);
  // A fresh temporary name that is bound to nothing.
  std::string fresh(const std::string& base);
  bool has(const void* key) const { return names_.count(key) != 0; }
  // The bound name; InternalError when `key` was never bound.
  const std::string& at(const void* key) const;

 private:
  std::string unique(const std::string& wanted);
  std::set<std::string> used_;
  std::map<const void*, std::string> names_;
};

}  // namespace weft::codegen
