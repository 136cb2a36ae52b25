// The helpers every generated CUDA translation unit starts with: the same `wrt::`
// functions the CPU prelude offers (cpp_prelude.h), as device functions, so the
// expression code of CppEmitter serves both targets. Numerics follow the reference
// interpreter: floor division, saturating float-to-int, f16/bf16 computed in float
// with round-to-nearest-even conversions; math intrinsics map to the CUDA math
// library at the precision of the value (expf for float, exp for double; no fast
// approximations).
//
// Integer types are declared here (NVRTC has no standard headers); f16 and bf16
// need cuda_fp16.h / cuda_bf16.h from the toolkit's include directory, so they are
// included only by kernels that use them (the NVRTC builder passes the path).
#pragma once

#include <string>

namespace weft::codegen {

// `half_types`: include cuda_fp16.h / cuda_bf16.h and their conversions.
std::string cuda_prelude(bool half_types);

}  // namespace weft::codegen
