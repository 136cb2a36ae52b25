// The helpers every generated C++ translation unit starts with: integer floor
// division, float-to-int conversion, f16/bf16 encodings, math intrinsics, heap
// buffers, and the GCC vector types and lane-wise helpers vectorised loops use.
// Everything lives in namespace `wrt`, so no generated `extern "C"` symbol can
// clash with it.
#pragma once

#include <string>

namespace weft::codegen {

// Emit once per translation unit, before any function.
const std::string& cpp_prelude();

// Vector widths (lanes) the prelude declares types for: 2, 4, 8 and 16.
constexpr int kMaxVectorLanes = 16;
// Bytes of one vector chunk of a vectorised loop's values: an AVX2 register. Wider
// GCC vectors on an AVX2 target are split through memory (a 16 x f32 accumulator
// then lives on the stack); AVX-512 targets run 32-byte vectors at full speed.
constexpr int kVectorBytes = 32;

}  // namespace weft::codegen
