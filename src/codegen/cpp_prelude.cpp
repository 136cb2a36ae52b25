#include "codegen/cpp_prelude.h"

namespace weft::codegen {

// Scalar helpers. Numerics follow the reference interpreter (src/ir/interp_numeric.h):
// floor division, saturating float-to-int, round-to-nearest-even f16/bf16.
static const char* const kScalarHelpers = R"PRELUDE(// ==== weft CPU prelude ====
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace wrt {

// ---- integers ----
static inline int64_t floordiv(int64_t a, int64_t b) {
  if (b == -1) return (int64_t)(0ull - (uint64_t)a);
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}
static inline int64_t floormod(int64_t a, int64_t b) {
  if (b == -1) return 0;
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}
static inline int64_t wrap_i32(int64_t v) { return (int32_t)(uint32_t)(uint64_t)v; }
static inline int64_t wrap_i8(int64_t v) { return (int8_t)(uint8_t)(uint64_t)v; }
// Truncation toward zero; NaN gives 0 and out-of-range values saturate.
static inline int64_t f2i(double v) {
  if (v != v) return 0;
  if (v >= 0x1p63) return INT64_MAX;
  if (v < -0x1p63) return INT64_MIN;
  return (int64_t)v;
}
// Float min/max ignore a NaN operand (like std::fmin/fmax) but stay inlinable.
static inline int64_t min(int64_t a, int64_t b) { return b < a ? b : a; }
static inline int64_t max(int64_t a, int64_t b) { return a < b ? b : a; }
static inline float min(float a, float b) { return (b < a || a != a) ? b : a; }
static inline float max(float a, float b) { return (a < b || a != a) ? b : a; }
static inline double min(double a, double b) { return (b < a || a != a) ? b : a; }
static inline double max(double a, double b) { return (a < b || a != a) ? b : a; }

// ---- f16 / bf16: stored as uint16 bits, computed in float ----
static inline float bits_to_float(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
static inline uint32_t float_to_bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }
static inline float f16_to_f32(uint16_t h) {
  uint32_t sign = (uint32_t)(h & 0x8000u) << 16, exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
  if (exp == 0) { float f = (float)man * 0x1p-24f; return sign ? -f : f; }
  if (exp == 31) return bits_to_float(sign | 0x7f800000u | (man << 13));
  return bits_to_float(sign | ((exp + 112) << 23) | (man << 13));
}
// Round to nearest even; overflow gives infinity, NaN stays NaN.
static inline uint16_t f32_to_f16(float f) {
  uint32_t x = float_to_bits(f), sign = (x >> 16) & 0x8000u, a = x & 0x7fffffffu;
  if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00u);
  if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u);  // >= 65520 rounds to infinity
  if (a >= 0x38800000u) {                                    // normal half
    a += 0xfffu + ((a >> 13) & 1u);
    return (uint16_t)(sign | ((a - 0x38000000u) >> 13));
  }
  if (a <= 0x33000000u) return (uint16_t)sign;  // at most half the smallest subnormal
  uint32_t man = (a & 0x7fffffu) | 0x800000u;
  int shift = 126 - (int)(a >> 23);  // 14..24
  uint32_t h = man >> shift, rest = man & ((1u << shift) - 1u), half = 1u << (shift - 1);
  if (rest > half || (rest == half && (h & 1u))) ++h;
  return (uint16_t)(sign | h);
}
// From double directly (no double rounding through float).
static inline uint16_t f64_to_f16(double v) {
  uint64_t bits; std::memcpy(&bits, &v, 8);
  uint16_t sign = (uint16_t)((bits >> 48) & 0x8000u);
  uint64_t a = bits & 0x7fffffffffffffffull;
  if (a > 0x7ff0000000000000ull) return sign | 0x7e00u;
  if (a >= 0x40effe0000000000ull) return sign | 0x7c00u;  // >= 65520
  int64_t exp = (int64_t)(a >> 52) - 1023;
  uint64_t man = a & 0xfffffffffffffull;
  if (exp >= -14) {
    uint64_t h = ((uint64_t)(exp + 15) << 10) + (man >> 42), rest = man & ((1ull << 42) - 1);
    if (rest > (1ull << 41) || (rest == (1ull << 41) && (h & 1))) ++h;
    return (uint16_t)(sign | h);
  }
  if (exp < -25) return sign;
  uint64_t full = man | (1ull << 52);
  int shift = (int)(28 - exp);
  uint64_t h = full >> shift, rest = full & ((1ull << shift) - 1), half = 1ull << (shift - 1);
  if (rest > half || (rest == half && (h & 1))) ++h;
  return (uint16_t)(sign | h);
}
static inline float bf16_to_f32(uint16_t b) { return bits_to_float((uint32_t)b << 16); }
static inline uint16_t f32_to_bf16(float f) {
  uint32_t u = float_to_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);
  u += 0x7fffu + ((u >> 16) & 1u);
  return (uint16_t)(u >> 16);
}
static inline float round_f16(float v) { return f16_to_f32(f32_to_f16(v)); }
static inline float round_f16(double v) { return f16_to_f32(f64_to_f16(v)); }
static inline float round_bf16(float v) { return bf16_to_f32(f32_to_bf16(v)); }

// ---- math intrinsics (float and double overloads) ----
static inline float exp(float x) { return std::exp(x); }
static inline double exp(double x) { return std::exp(x); }
static inline float log(float x) { return std::log(x); }
static inline double log(double x) { return std::log(x); }
static inline float tanh(float x) { return std::tanh(x); }
static inline double tanh(double x) { return std::tanh(x); }
static inline float erf(float x) { return std::erf(x); }
static inline double erf(double x) { return std::erf(x); }
static inline float sqrt(float x) { return std::sqrt(x); }
static inline double sqrt(double x) { return std::sqrt(x); }
static inline float rsqrt(float x) { return 1.0f / std::sqrt(x); }
static inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
static inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }
static inline double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
static inline float abs(float x) { return std::fabs(x); }
static inline double abs(double x) { return std::fabs(x); }
static inline float pow(float x, float y) { return std::pow(x, y); }
static inline double pow(double x, double y) { return std::pow(x, y); }

// ---- buffers a block allocates on the heap (too large for the stack) ----
template <class T> struct heap_array {
  T* ptr;
  heap_array(int64_t n, const char* name) {
    size_t bytes = ((size_t)n * sizeof(T) + 63) / 64 * 64;
    ptr = (T*)std::aligned_alloc(64, bytes);
    // Generated functions may run inside OpenMP regions, where nothing can unwind.
    if (!ptr) { std::fprintf(stderr, "weft: cannot allocate %zu bytes for buffer %s\n", bytes, name); std::abort(); }
  }
  ~heap_array() { std::free(ptr); }
  heap_array(const heap_array&) = delete;
  heap_array& operator=(const heap_array&) = delete;
};
)PRELUDE";

// Lane-wise helpers over GCC vector types. Loops over lanes compile to single
// instructions where the target has them (broadcast, iota, unaligned load/store).
static const char* const kVectorHelpers = R"PRELUDE(
// ---- vectors ----
template <class V> struct lanes { static constexpr int value = (int)(sizeof(V) / sizeof(V{}[0])); };
// s - 0 is s for every value (-0.0 and NaN included) and compiles to one
// broadcast; a lane-by-lane fill sometimes became a chain of inserts.
template <class V, class S> static inline V bcast(S s) {
  typedef __typeof__(((V){})[0]) E;
  return (E)s - (V){};
}
template <class V> static inline V iota() {
  V v = {};
  for (int i = 0; i < lanes<V>::value; ++i) v[i] = i;
  return v;
}
template <class V, class T> static inline V loadu(const T* p) { V v; __builtin_memcpy(&v, p, sizeof(V)); return v; }
template <class T, class V> static inline void storeu(T* p, V v) { __builtin_memcpy(p, &v, sizeof(V)); }
template <class V, class T, class I> static inline V gather(const T* p, I idx) {
  V v = {};
  for (int i = 0; i < lanes<V>::value; ++i) v[i] = p[idx[i]];
  return v;
}
// Lanes are written in order, so a repeated index keeps the last lane's value.
template <class T, class I, class V> static inline void scatter(T* p, I idx, V v) {
  for (int i = 0; i < lanes<V>::value; ++i) p[idx[i]] = v[i];
}
template <class M> static inline bool all(M m) {
  for (int i = 0; i < lanes<M>::value; ++i)
    if (!m[i]) return false;
  return true;
}
template <class V> static inline V vmin(V a, V b) { return ((b < a) | (a != a)) ? b : a; }
template <class V> static inline V vmax(V a, V b) { return ((a < b) | (a != a)) ? b : a; }
#define WRT_LANEWISE1(NAME, FN) \
  template <class R, class V> static inline R NAME(V x) { R r = {}; for (int i = 0; i < lanes<V>::value; ++i) r[i] = FN(x[i]); return r; }
#define WRT_LANEWISE2(NAME, FN) \
  template <class V> static inline V NAME(V x, V y) { V r = {}; for (int i = 0; i < lanes<V>::value; ++i) r[i] = FN(x[i], y[i]); return r; }
WRT_LANEWISE1(vexp, exp)
WRT_LANEWISE1(vlog, log)
WRT_LANEWISE1(vtanh, tanh)
WRT_LANEWISE1(verf_lanes, erf)
WRT_LANEWISE1(vsqrt, sqrt)
WRT_LANEWISE1(vrsqrt, rsqrt)
WRT_LANEWISE1(vsigmoid, sigmoid)
WRT_LANEWISE1(vabs, abs)
WRT_LANEWISE1(vf2i, f2i)
WRT_LANEWISE1(vf16_to_f32, f16_to_f32)
WRT_LANEWISE1(vbf16_to_f32, bf16_to_f32)
WRT_LANEWISE1(vf32_to_f16, f32_to_f16)
WRT_LANEWISE1(vf32_to_bf16, f32_to_bf16)
WRT_LANEWISE1(vround_f16, round_f16)
WRT_LANEWISE1(vround_bf16, round_bf16)
WRT_LANEWISE2(vpow, pow)
WRT_LANEWISE2(vfloordiv, floordiv)
WRT_LANEWISE2(vfloormod, floormod)
#undef WRT_LANEWISE1
#undef WRT_LANEWISE2
// erf of f32 lanes without a libm call per lane (a dense layer's GELU epilogue
// spent more time in std::erf than in its GEMM). |x| < 0.5: the Taylor series to
// x^11 (error < 2e-8). Otherwise Abramowitz & Stegun 7.1.26: 1 - t P(t) exp(-x^2)
// with t = 1 / (1 + p|x|), absolute error <= 1.5e-7; exp by n = round(a / ln 2),
// a two-part ln 2 and a degree-7 Taylor polynomial of the remainder. |x| is
// clamped at 4 (erf(4) rounds to 1 in f32), so +-inf give +-1; NaN stays NaN.
template <class V> static inline V verf_f32(V x) {
  typedef int32_t IV __attribute__((vector_size(sizeof(V))));
  const V zero = {}, one = bcast<V>(1.0f);
  V ax = x < zero ? -x : x;
  V c = ax < bcast<V>(4.0f) ? ax : bcast<V>(4.0f);
  V x2 = c * c;
  V small = c * (1.12837916709551f + x2 * (-0.376126389031838f + x2 * (0.112837916709551f +
            x2 * (-0.0268661706451312f + x2 * (0.00522397762544218f + x2 * -0.000854832702679f)))));
  V t = one / (one + 0.3275911f * c);
  V poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
  V a = -x2;  // in [-16, 0]
  IV n = __builtin_convertvector(a * 1.44269504088896f - 0.5f, IV);  // rounds: a <= 0
  V nf = __builtin_convertvector(n, V);
  V r = a - nf * 0.693359375f + nf * 2.12194440e-4f;
  V e = one + r * (one + r * (0.5f + r * (1.0f / 6 + r * (1.0f / 24 + r * (1.0f / 120 +
        r * (1.0f / 720 + r * (1.0f / 5040)))))));
  IV bits = (n + 127) << 23;  // 2^n, n in [-24, 0]
  V scale;
  __builtin_memcpy(&scale, &bits, sizeof(V));
  V big = one - poly * (e * scale);
  V y = c < bcast<V>(0.5f) ? small : big;
  y = x < zero ? -y : y;
  return x != x ? x : y;
}
template <class R, class V> static inline R verf(V x) {
  typedef __typeof__(((V){})[0]) E;
  if constexpr (sizeof(E) == 4 && sizeof(R) == sizeof(V)) return verf_f32(x);
  else return verf_lanes<R>(x);
}
)PRELUDE";

static std::string vector_typedefs() {
  struct Lane {
    const char* name;
    const char* type;
    int bytes;
  };
  const Lane kLanes[] = {{"f64", "double", 8},  {"f32", "float", 4},   {"i64", "int64_t", 8}, {"i32", "int32_t", 4},
                         {"i8", "int8_t", 1},   {"u8", "uint8_t", 1},  {"u16", "uint16_t", 2}};
  std::string out;
  for (const Lane& l : kLanes)
    for (int w = 2; w <= kMaxVectorLanes; w *= 2)
      out += std::string("typedef ") + l.type + " " + l.name + "x" + std::to_string(w) + " __attribute__((vector_size(" +
             std::to_string(w * l.bytes) + ")));\n";
  return out;
}

const std::string& cpp_prelude() {
  static const std::string prelude = std::string(kScalarHelpers) + "\n" + vector_typedefs() + kVectorHelpers +
                                     "\n}  // namespace wrt\n// ==== end of prelude ====\n\n";
  return prelude;
}

}  // namespace weft::codegen
