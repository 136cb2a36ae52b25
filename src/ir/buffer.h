// Buffers: named, typed, statically shaped storage in a memory scope.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/dtype.h"
#include "ir/expr.h"

namespace weft::ir {

// Known memory scopes. "global" is device/host memory; the others are on-chip
// (GPU) or thread-private; fragment scopes hold tensor-core operands.
bool is_valid_scope(const std::string& scope);

class BufferNode {
 public:
  BufferNode(std::string name, DType dtype, std::vector<int64_t> shape, std::string scope = "global");
  const std::string name;
  const DType dtype;
  const std::vector<int64_t> shape;
  const std::string scope;

  int64_t num_elements() const;
  int64_t bytes() const { return num_elements() * dtype_bytes(dtype); }
  int ndim() const { return static_cast<int>(shape.size()); }
};

Buffer make_buffer(const std::string& name, DType dtype, std::vector<int64_t> shape,
                   const std::string& scope = "global");

// True if `name` is a plain identifier ([A-Za-z_][A-Za-z0-9_]*). Every name that
// reaches generated source goes through this check.
bool is_identifier(const std::string& name);

}  // namespace weft::ir
