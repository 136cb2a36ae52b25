// The canonical text form of the IR. It round-trips exactly through the parser, and
// with normalised names it is what structural equality and hashing are defined on.
#pragma once

#include <string>

#include "ir/stmt.h"

namespace weft::ir {

struct PrintOptions {
  // Rename variables and buffers v0, v1, ... / b0, b1, ... in order of definition,
  // and omit the function name: two programs equal up to renaming print the same.
  bool normalize_names = false;
};

std::string to_text(const PrimFunc& func, const PrintOptions& options = {});
std::string to_text(const Stmt& stmt, const PrintOptions& options = {});
std::string to_text(const Expr& expr, const PrintOptions& options = {});

}  // namespace weft::ir
