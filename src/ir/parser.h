// Reads the printer's text back. Errors are ParseError naming the input and the
// line and column of the problem.
#pragma once

#include <string>

#include "ir/stmt.h"

namespace weft::ir {

PrimFunc parse_func(const std::string& text, const std::string& input_name = "<input>");

}  // namespace weft::ir
