#include "ir/buffer.h"

#include <cctype>

#include "support/error.h"

namespace weft::ir {

bool is_identifier(const std::string& name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

bool is_valid_scope(const std::string& scope) {
  static const char* const kScopes[] = {"global",        "shared",        "shared.dyn",  "local",
                                        "frag.matrix_a", "frag.matrix_b", "frag.accumulator"};
  for (const char* s : kScopes)
    if (scope == s) return true;
  return false;
}

BufferNode::BufferNode(std::string name_in, DType dtype, std::vector<int64_t> shape_in, std::string scope_in)
    : name(std::move(name_in)), dtype(dtype), shape(std::move(shape_in)), scope(std::move(scope_in)) {
  if (!is_identifier(name)) throw IRError("buffer name '" + name + "' is not an identifier");
  for (int64_t d : shape)
    if (d <= 0) throw IRError("buffer '" + name + "' has a non-positive dimension " + std::to_string(d));
  if (!is_valid_scope(scope)) throw IRError("buffer '" + name + "' has unknown scope '" + scope + "'");
}

int64_t BufferNode::num_elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Buffer make_buffer(const std::string& name, DType dtype, std::vector<int64_t> shape, const std::string& scope) {
  return std::make_shared<const BufferNode>(name, dtype, std::move(shape), scope);
}

}  // namespace weft::ir
