// The storage_align annotation, shared by the schedule primitive that writes it and
// the code generator that pads strides by it. On the block that allocates or writes
// the buffer:  key "storage_align_<buffer>", value "axis,factor,offset;..." (axes
// increasing): the stride of `axis` is padded until stride % factor == offset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace weft::ir {

struct StorageAlign {
  int64_t axis = 0, factor = 1, offset = 0;
  bool operator==(const StorageAlign&) const = default;
};

inline constexpr const char* kStorageAlignPrefix = "storage_align_";

std::string storage_align_key(const std::string& buffer_name);
// nullopt for a malformed value (wrong field count, non-integers, axis < 0,
// factor < 1, offset outside [0, factor), axes not increasing).
std::optional<std::vector<StorageAlign>> parse_storage_align(const std::string& value);
std::string format_storage_align(const std::vector<StorageAlign>& entries);

}  // namespace weft::ir
