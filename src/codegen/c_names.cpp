#include "codegen/c_names.h"

#include "support/error.h"

namespace weft::codegen {

using ir::DType;

const char* storage_type(DType t) {
  switch (t) {
    case DType::f64: return "double";
    case DType::f32: return "float";
    case DType::f16:
    case DType::bf16: return "uint16_t";
    case DType::i64: return "int64_t";
    case DType::i32: return "int32_t";
    case DType::i8: return "int8_t";
    case DType::boolean: return "uint8_t";
  }
  return "?";
}

const char* compute_type(DType t) {
  switch (t) {
    case DType::f64: return "double";
    case DType::f32:
    case DType::f16:
    case DType::bf16: return "float";
    case DType::i64:
    case DType::i32:
    case DType::i8: return "int64_t";
    case DType::boolean: return "bool";
  }
  return "?";
}

const char* storage_lane(DType t) {
  switch (t) {
    case DType::f64: return "f64";
    case DType::f32: return "f32";
    case DType::f16:
    case DType::bf16: return "u16";
    case DType::i64: return "i64";
    case DType::i32: return "i32";
    case DType::i8: return "i8";
    case DType::boolean: return "u8";
  }
  return "?";
}

const char* compute_lane(DType t) {
  switch (t) {
    case DType::f64: return "f64";
    case DType::f32:
    case DType::f16:
    case DType::bf16: return "f32";
    case DType::i64:
    case DType::i32:
    case DType::i8: return "i64";
    case DType::boolean: return "i64";  // masks; the vector emitter tracks their width
  }
  return "?";
}

bool is_cpp_keyword(const std::string& name) {
  static const std::set<std::string> kKeywords = {
      "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
      "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
      "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
      "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
      "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
      "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
      "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
      "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
      "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq"};
  return kKeywords.count(name) != 0;
}

std::string NameTable::unique(const std::string& wanted) {
  std::string name = wanted;
  for (int k = 1; used_.count(name); ++k) name = wanted + "_" + std::to_string(k);
  used_.insert(name);
  return name;
}

std::string NameTable::bind(const void* key, const std::string& prefix, const std::string& base) {
  auto it = names_.find(key);
  if (it != names_.end()) return it->second;
  // A prefix ending in '_' followed by a name starting with '_' would give a
  // reserved double underscore.
  std::string wanted = !base.empty() && base[0] == '_' && !prefix.empty() && prefix.back() == '_'
                           ? prefix.substr(0, prefix.size() - 1) + base
                           : prefix + base;
  std::string name = unique(wanted);
  names_.emplace(key, name);
  return name;
}

std::string NameTable::fresh(const std::string& base) { return unique("t_" + base); }

const std::string& NameTable::at(const void* key) const {
  auto it = names_.find(key);
  if (it == names_.end()) throw InternalError("codegen: a variable or buffer is used outside its scope");
  return it->second;
}

}  // namespace weft::codegen
