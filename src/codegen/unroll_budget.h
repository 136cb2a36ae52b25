// Which `unrolled` loops the C++ emitter really unrolls (`#pragma GCC unroll`).
// Nested unrolled loops multiply: fully unrolling a nest of 256 statements costs GCC
// about 10 s (measured: 11.7 s against 1.6 s with only the innermost 16-way loop
// unrolled), and tuning compiles thousands of candidates. So loops are taken
// innermost first while the copies of the statements below them stay within a budget;
// an outer unrolled loop beyond it stays a loop (the emitter says so in a comment).
#pragma once

#include <cstdint>
#include <unordered_set>

#include "ir/stmt.h"

namespace weft::codegen {

inline constexpr int64_t kMaxUnrolledCopies = 64;

std::unordered_set<const ir::ForNode*> loops_to_unroll(const ir::Stmt& body, int64_t max_copies = kMaxUnrolledCopies);

}  // namespace weft::codegen
