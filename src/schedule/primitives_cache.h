// Cache stages and buffer properties: cache_read, cache_write, set_scope,
// storage_align.
//
// Scopes: "global", "shared", "shared.dyn", "local", "frag.matrix_a",
// "frag.matrix_b", "frag.accumulator" (ir::is_valid_scope).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/storage_align.h"
#include "schedule/schedule.h"

namespace weft::sched {

// Makes `block` read its read region `read_buffer_index` (an index into its
// reads) from a new buffer of the same shape and dtype in `scope`, named
// "<buffer>_<scope>" ("A_shared", "A_frag_matrix_a"; '.' becomes '_'), allocated
// by the block's parent block. A new copy block of the same name fills the cache
// with the region the block reads, right before the outermost of the block's
// loops under which nothing writes the buffer (its outermost loop, unless a
// producer shares some of its loops: then the copy goes inside them, after the
// producer). Only `block` reads the cache; other readers keep the original.
// Fails if the block itself writes the buffer (use cache_write). Returns the
// copy block.
BlockRV cache_read(Schedule& sch, BlockRV block, int64_t read_buffer_index, const std::string& scope);

// Makes `block` write its write region `write_buffer_index` into a new cache
// buffer (named and allocated as above); a copy block writes the region back to
// the original right after the outermost of the block's loops under which no
// other block uses the buffer. The block's own reads of the buffer (the
// accumulation of a reduction) use the cache too; other blocks keep the
// original. The write-back must copy exactly what the block wrote, so it fails
// unless the write region is indexed by constants and distinct spatial
// iterators, the block's predicate only guards its iterator domains (as a
// non-divisible split's does) and no `if` skips it; and it fails if the block
// reads the buffer without an init. Returns the copy (write-back) block.
BlockRV cache_write(Schedule& sch, BlockRV block, int64_t write_buffer_index, const std::string& scope);

// Moves buffer `buffer_index` of the block's writes, which must be allocated by
// some block (not a parameter), to `scope`. Every use is rebuilt on the new buffer.
void set_scope(Schedule& sch, BlockRV block, int64_t buffer_index, const std::string& scope);

// Asks the code generator to pad the stride of dimension `axis` of buffer
// `buffer_index` of the block's writes (an allocated buffer) so that
// stride % factor == offset, as TVM's storage_align (avoids shared-memory bank
// conflicts). Our buffers carry no strides, so the request is a block annotation:
//
//   key   "storage_align_<buffer>"         e.g. storage_align_A_shared
//   value "<axis>,<factor>,<offset>"       one entry per axis, joined by ";" in
//                                          increasing axis order, e.g. "0,32,8"
//
// Aligning an axis again replaces its entry. axis: 0 <= axis < ndim - 1 (the
// innermost dimension has stride 1); factor > 0; 0 <= offset < factor.
void storage_align(Schedule& sch, BlockRV block, int64_t buffer_index, int64_t axis, int64_t factor, int64_t offset);

// Asks the code generator to store buffer `buffer_index` of the block's writes (an
// allocated buffer) in blocks of `factor` along `axis`: index a of that axis is
// stored as (a / factor, ..., a % factor), the remainder becoming a new innermost
// axis. A copy of a GEMM's A[i, k] blocked by the register tile's rows is laid out
// as [i / rows][k][i % rows], so the micro-kernel reads one contiguous stream (the
// packed A panel of BLAS libraries). A block annotation, as for storage_align:
//
//   key   "storage_block_<buffer>"         e.g. storage_block_A_global
//   value "<axis>,<factor>"                e.g. "0,6"
//
// `factor` is an integer or an ExprRV (e.g. a sampled tile size), resolved now.
// axis: 0 <= axis < ndim - 1 (blocking the innermost axis changes nothing);
// factor > 0. A buffer is either aligned or blocked, not both.
void storage_block(Schedule& sch, BlockRV block, int64_t buffer_index, int64_t axis, const Arg& factor);

// The annotations storage_align and storage_block write (ir/storage_align.h), for
// the code generator.
using ir::StorageAlign;
using ir::StorageBlock;
using ir::format_storage_block;
using ir::parse_storage_block;
using ir::storage_block_key;
using ir::format_storage_align;
using ir::parse_storage_align;
using ir::storage_align_key;

}  // namespace weft::sched
