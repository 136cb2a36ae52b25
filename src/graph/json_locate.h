// Positions inside JSON text, for error messages about documents that parsed but
// mean something wrong ("/nodes/3/op: unknown op"): nlohmann::json keeps no
// positions, so we re-scan the (already valid) text along a JSON pointer.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace weft::graph {

struct TextPosition {
  int line = 1;    // 1-based
  int column = 1;  // 1-based, in bytes
};

// Line and column of a byte offset.
TextPosition position_of_offset(std::string_view text, size_t offset);

// Byte offset where the value at `pointer` (e.g. {"nodes", "3", "op"}) starts in
// valid JSON `text`; the deepest existing ancestor's offset when the path ends
// early, 0 when the text is not the JSON it should be.
size_t locate_json_pointer(std::string_view text, const std::vector<std::string>& pointer);

}  // namespace weft::graph
