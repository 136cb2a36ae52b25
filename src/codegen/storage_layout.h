// Strides of the buffers generated code indexes: row-major, except that a block's
// storage_align annotation (schedule/primitives_cache.h) pads the stride of an
// axis of a buffer the block writes so that stride % factor == offset, as TVM's
// storage_align does (it spreads the rows of a tile over cache sets or banks).
//
//   annotation  storage_align_<buffer> = "<axis>,<factor>,<offset>;..."
//
// Strides are built from the innermost dimension out: stride[n-1] = 1 and
// stride[d] = stride[d+1] * shape[d+1], raised to the next value with the
// requested remainder when axis d is aligned. An aligned buffer occupies
// stride[0] * shape[0] elements. Codegen applies this after buffer compaction,
// so the padding is relative to the compacted tile.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "ir/stmt.h"
#include "ir/storage_align.h"

namespace weft::codegen {

using AxisAlign = ir::StorageAlign;

// Explicit strides of the buffers that some annotation aligns (others are row-major).
using StrideTable = std::unordered_map<const ir::BufferNode*, std::vector<int64_t>>;

// Parses an annotation value; BuildError naming `where` for a malformed one.
std::vector<AxisAlign> parse_axis_aligns(const std::string& value, const std::string& where);

// Row-major strides of `shape` with `aligns` applied (axes must be < ndim - 1).
std::vector<int64_t> aligned_strides(const std::vector<int64_t>& shape, const std::vector<AxisAlign>& aligns);

// The strides every storage_align annotation of `func` asks for. BuildError when
// an annotation is malformed, names no buffer the block writes, names a function
// parameter (its layout belongs to the caller) or an axis out of range.
StrideTable storage_strides(const ir::PrimFunc& func);

// Elements to allocate for `buffer` under `strides`.
int64_t allocated_elements(const ir::Buffer& buffer, const StrideTable& strides);

}  // namespace weft::codegen
