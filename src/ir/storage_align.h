// The storage layout annotations, shared by the schedule primitives that write them
// and the code generator that lays buffers out by them. On the block that allocates
// or writes the buffer:
//   storage_align_<buffer> = "axis,factor,offset;..." (axes increasing): the stride
//     of `axis` is padded until stride % factor == offset;
//   storage_block_<buffer> = "axis,factor": index a of `axis` is stored as the pair
//     (a / factor at the axis, a % factor in a new innermost axis), so that `factor`
//     consecutive rows are interleaved element by element (a packed GEMM panel).
// A buffer has at most one of the two.
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

struct StorageBlock {
  int64_t axis = 0, factor = 1;
  bool operator==(const StorageBlock&) const = default;
};

inline constexpr const char* kStorageBlockPrefix = "storage_block_";

std::string storage_block_key(const std::string& buffer_name);
// nullopt for a malformed value (not two integers, axis < 0 or factor < 1).
std::optional<StorageBlock> parse_storage_block(const std::string& value);
std::string format_storage_block(const StorageBlock& block);

}  // namespace weft::ir
