// How generated code lays out the buffers it indexes: row-major, except where a
// block's annotation (ir/storage_align.h, written by schedule/primitives_cache.h)
// asks otherwise for a buffer the block writes.
//
//   storage_align_<buffer> = "<axis>,<factor>,<offset>;..."   pads the stride of an
//     axis so that stride % factor == offset, as TVM's storage_align does (it
//     spreads the rows of a tile over cache sets or banks). Strides are built from
//     the innermost dimension out: stride[n-1] = 1 and stride[d] = stride[d+1] *
//     shape[d+1], raised to the next value with the requested remainder when axis d
//     is aligned. The buffer occupies stride[0] * shape[0] elements.
//   storage_block_<buffer> = "<axis>,<factor>"   stores index a of the axis as
//     (a / factor, ..., a % factor): the physical shape is the logical one with the
//     axis' extent e replaced by ceil(e / factor) and `factor` appended innermost,
//     row-major. A [M, K] buffer blocked on axis 0 by 6 is [ceil(M/6)][K][6].
//
// Codegen applies this after buffer compaction, so the layout is relative to the
// compacted tile.
#pragma once

#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ir/stmt.h"
#include "ir/storage_align.h"

namespace weft::codegen {

using AxisAlign = ir::StorageAlign;

// The flat position of element (i_0, ..., i_n-1) is sum_d i_d * strides[d], except
// for a blocked axis b, which contributes (i_b / block) * strides[b] + i_b % block.
struct BufferLayout {
  std::vector<int64_t> strides;
  int64_t blocked_axis = -1;  // none
  int64_t block = 1;
  int64_t elements = 0;  // to allocate
  bool linear() const { return blocked_axis < 0; }
};

// The layouts of the buffers some annotation names (others are row-major).
using LayoutTable = std::unordered_map<const ir::BufferNode*, BufferLayout>;

// Parses an annotation value; BuildError naming `where` for a malformed one.
std::vector<AxisAlign> parse_axis_aligns(const std::string& value, const std::string& where);

// Row-major strides of `shape` with `aligns` applied (axes must be < ndim - 1).
std::vector<int64_t> aligned_strides(const std::vector<int64_t>& shape, const std::vector<AxisAlign>& aligns);

// The layout of a buffer of `shape` blocked by `block` (an axis < ndim - 1).
BufferLayout blocked_layout(const std::vector<int64_t>& shape, const ir::StorageBlock& block);

// The layouts every storage_align and storage_block annotation of `func` asks for.
// BuildError when an annotation is malformed, names no buffer the block writes,
// names a function parameter (its layout belongs to the caller) or an axis out of
// range, or when a buffer is both aligned and blocked.
LayoutTable storage_layouts(const ir::PrimFunc& func);

// Elements to allocate for `buffer` under `layouts`.
int64_t allocated_elements(const ir::Buffer& buffer, const LayoutTable& layouts);

// The per-axis strides of `buffer` (row-major unless listed), or nullopt when its
// layout is blocked and so not a linear function of the indices.
std::optional<std::vector<int64_t>> linear_strides(const ir::Buffer& buffer, const LayoutTable& layouts);

}  // namespace weft::codegen
