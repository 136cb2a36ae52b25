#include "codegen/cuda_prelude.h"

namespace weft::codegen {

static const char* const kTypes = R"PRELUDE(// ==== weft CUDA prelude ====
typedef long int64_t;
typedef unsigned long uint64_t;
typedef int int32_t;
typedef unsigned int uint32_t;
typedef unsigned short uint16_t;
typedef signed char int8_t;
typedef unsigned char uint8_t;
)PRELUDE";

static const char* const kHalfIncludes = R"PRELUDE(#include <cuda_fp16.h>
#include <cuda_bf16.h>
)PRELUDE";

static const char* const kScalarHelpers = R"PRELUDE(
#define WRT_FN static __device__ __forceinline__
namespace wrt {

// ---- integers ----
WRT_FN int64_t floordiv(int64_t a, int64_t b) {
  if (b == -1) return (int64_t)(0ull - (uint64_t)a);
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
WRT_FN int64_t floormod(int64_t a, int64_t b) {
  if (b == -1) return 0;
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}
WRT_FN int64_t wrap_i32(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }
WRT_FN int64_t wrap_i8(int64_t v) { return (int8_t)(uint8_t)(uint64_t)v; }
// Truncation toward zero; NaN gives 0 and out-of-range values saturate.
WRT_FN int64_t f2i(double v) {
  if (v != v) return 0;
  if (v >= 0x1p63) return 9223372036854775807L;
  if (v < -0x1p63) return -9223372036854775807L - 1;
  return (int64_t)v;
}
// Float min/max ignore a NaN operand, as on the CPU.
WRT_FN int64_t min(int64_t a, int64_t b) { return b < a ? b : a; }
WRT_FN int64_t max(int64_t a, int64_t b) { return a < b ? b : a; }
WRT_FN float min(float a, float b) { return (b < a || a != a) ? b : a; }
WRT_FN float max(float a, float b) { return (a < b || a != a) ? b : a; }
WRT_FN double min(double a, double b) { return (b < a || a != a) ? b : a; }
WRT_FN double max(double a, double b) { return (a < b || a != a) ? b : a; }

// ---- math intrinsics: the CUDA math library at the value's precision ----
WRT_FN float exp(float x) { return ::expf(x); }
WRT_FN double exp(double x) { return ::exp(x); }
WRT_FN float log(float x) { return ::logf(x); }
WRT_FN double log(double x) { return ::log(x); }
WRT_FN float tanh(float x) { return ::tanhf(x); }
WRT_FN double tanh(double x) { return ::tanh(x); }
WRT_FN float erf(float x) { return ::erff(x); }
WRT_FN double erf(double x) { return ::erf(x); }
WRT_FN float sqrt(float x) { return ::sqrtf(x); }
WRT_FN double sqrt(double x) { return ::sqrt(x); }
WRT_FN float rsqrt(float x) { return ::rsqrtf(x); }
WRT_FN double rsqrt(double x) { return ::rsqrt(x); }
WRT_FN float sigmoid(float x) { return 1.0f / (1.0f + ::expf(-x)); }
WRT_FN double sigmoid(double x) { return 1.0 / (1.0 + ::exp(-x)); }
WRT_FN float abs(float x) { return ::fabsf(x); }
WRT_FN double abs(double x) { return ::fabs(x); }
WRT_FN float pow(float x, float y) { return ::powf(x, y); }
WRT_FN double pow(double x, double y) { return ::pow(x, y); }
)PRELUDE";

// f16 / bf16 stored as __half / __nv_bfloat16, computed in float.
static const char* const kHalfHelpers = R"PRELUDE(
// ---- f16 / bf16: stored as __half / __nv_bfloat16, computed in float ----
WRT_FN float f16_to_f32(__half h) { return __half2float(h); }
WRT_FN __half f32_to_f16(float f) { return __float2half_rn(f); }
WRT_FN float bf16_to_f32(__nv_bfloat16 b) { return __bfloat162float(b); }
WRT_FN __nv_bfloat16 f32_to_bf16(float f) { return __float2bfloat16_rn(f); }
WRT_FN float round_f16(float v) { return __half2float(__float2half_rn(v)); }
// From double directly (no double rounding through float).
WRT_FN float round_f16(double v) { return __half2float(__double2half(v)); }
WRT_FN float round_bf16(float v) { return __bfloat162float(__float2bfloat16_rn(v)); }
)PRELUDE";

static const char* const kEnd = R"PRELUDE(
}  // namespace wrt
#undef WRT_FN
// ==== end of prelude ====

)PRELUDE";

std::string cuda_prelude(bool half_types) {
  std::string out = kTypes;
  if (half_types) out += kHalfIncludes;
  out += kScalarHelpers;
  if (half_types) out += kHalfHelpers;
  return out + kEnd;
}

}  // namespace weft::codegen
