// Words the IR text gives a meaning to; a variable or buffer with one of these names
// is printed with a trailing underscore so the text still parses.
#pragma once

#include <string>

namespace weft::ir {

bool is_reserved_word(const std::string& name);

}  // namespace weft::ir
