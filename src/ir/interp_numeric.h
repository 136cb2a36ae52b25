// Scalar arithmetic shared by NDArray and the interpreter: f16/bf16 bit encodings
// (round-to-nearest-even), per-dtype rounding, integer wrap-around and floor
// division. Header-only because the interpreter calls these once per element.
// Every function agrees with round_to_dtype() in dtype.h (tests check it).
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "ir/dtype.h"

namespace weft::ir::interp {

// ---- f16 (IEEE binary16) --------------------------------------------------------

inline double f16_bits_to_double(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t man = h & 0x3ffu;
  float f;
  if (exp == 0) {  // zero or subnormal: man * 2^-24, exact in float
    f = static_cast<float>(man) * 0x1p-24f;
    if (sign) f = -f;
  } else if (exp == 31) {  // inf / NaN: keep the payload's top bits
    f = std::bit_cast<float>(sign | 0x7f800000u | (man << 13));
  } else {
    f = std::bit_cast<float>(sign | ((exp + 112) << 23) | (man << 13));
  }
  return static_cast<double>(f);
}

// Rounds to nearest, ties to even, directly from the double's bits (no double
// rounding through float); overflow gives infinity, NaN stays NaN.
inline uint16_t f16_bits_from_double(double v) {
  uint64_t bits = std::bit_cast<uint64_t>(v);
  auto sign = static_cast<uint16_t>((bits >> 48) & 0x8000u);
  uint64_t a = bits & 0x7fffffffffffffffull;
  if (a > 0x7ff0000000000000ull) return sign | 0x7e00u;  // NaN
  if (a >= std::bit_cast<uint64_t>(65520.0)) return sign | 0x7c00u;  // rounds to infinity
  int64_t exp = static_cast<int64_t>(a >> 52) - 1023;
  uint64_t man = a & 0xfffffffffffffull;
  if (exp >= -14) {  // normal half: keep 10 of 52 mantissa bits
    uint64_t h = (static_cast<uint64_t>(exp + 15) << 10) + (man >> 42);
    uint64_t rest = man & ((1ull << 42) - 1);
    constexpr uint64_t kHalf = 1ull << 41;
    if (rest > kHalf || (rest == kHalf && (h & 1))) ++h;  // a carry bumps the exponent, as it should
    return static_cast<uint16_t>(sign | h);
  }
  if (exp < -25) return sign;  // below half the smallest subnormal (2^-25), or a double subnormal
  // Subnormal half: value * 2^24 rounded to an integer (1024 means the smallest normal).
  uint64_t full = man | (1ull << 52);
  int shift = static_cast<int>(28 - exp);  // 43..53
  uint64_t h = full >> shift;
  uint64_t rest = full & ((1ull << shift) - 1);
  uint64_t half = 1ull << (shift - 1);
  if (rest > half || (rest == half && (h & 1))) ++h;
  return static_cast<uint16_t>(sign | h);
}

// ---- bf16 (upper half of an f32) ------------------------------------------------

inline double bf16_bits_to_double(uint16_t b) {
  return static_cast<double>(std::bit_cast<float>(static_cast<uint32_t>(b) << 16));
}

// Rounds to f32 first, then to bf16 (nearest, ties to even), as hardware
// converters that take an f32 do.
inline uint16_t bf16_bits_from_double(double v) {
  uint32_t u = std::bit_cast<uint32_t>(static_cast<float>(v));
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40u);  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>(u >> 16);
}

// ---- rounding and conversions ---------------------------------------------------

// Rounds a double to what the float type T holds.
template <DType T>
inline double round_float(double v) {
  static_assert(T == DType::f64 || T == DType::f32 || T == DType::f16 || T == DType::bf16);
  if constexpr (T == DType::f64) return v;
  else if constexpr (T == DType::f32) return static_cast<double>(static_cast<float>(v));
  else if constexpr (T == DType::f16) return f16_bits_to_double(f16_bits_from_double(v));
  else return bf16_bits_to_double(bf16_bits_from_double(v));
}

// Wraps an int64 to the integer type T (two's complement); bool gives 0/1.
template <DType T>
inline int64_t wrap_int(int64_t v) {
  if constexpr (T == DType::i64) return v;
  else if constexpr (T == DType::i32) return static_cast<int32_t>(v);
  else if constexpr (T == DType::i8) return static_cast<int8_t>(v);
  else {
    static_assert(T == DType::boolean);
    return v != 0;
  }
}

inline int64_t wrap_int(int64_t v, DType t) {
  switch (t) {
    case DType::i32: return wrap_int<DType::i32>(v);
    case DType::i8: return wrap_int<DType::i8>(v);
    case DType::boolean: return wrap_int<DType::boolean>(v);
    default: return v;
  }
}

// Wrapping int64 arithmetic (signed overflow is undefined in C++).
inline int64_t wrapping_add(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
inline int64_t wrapping_sub(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
inline int64_t wrapping_mul(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

// Division rounding toward negative infinity; requires b != 0.
inline int64_t floor_div(int64_t a, int64_t b) {
  if (b == -1) return wrapping_sub(0, a);  // INT64_MIN / -1 overflows
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// The remainder matching floor_div: it has the sign of b; requires b != 0.
inline int64_t floor_mod(int64_t a, int64_t b) {
  if (b == -1) return 0;
  int64_t r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

// ---- elements in native storage ----------------------------------------------------

// Reads element `i` of float storage of type T as a double.
template <DType T>
inline double load_float_element(const void* data, int64_t i) {
  if constexpr (T == DType::f64) return static_cast<const double*>(data)[i];
  else if constexpr (T == DType::f32) return static_cast<const float*>(data)[i];
  else if constexpr (T == DType::f16) return f16_bits_to_double(static_cast<const uint16_t*>(data)[i]);
  else return bf16_bits_to_double(static_cast<const uint16_t*>(data)[i]);
}

// Writes a double to element `i` of float storage of type T, rounding to nearest even.
template <DType T>
inline void store_float_element(void* data, int64_t i, double v) {
  if constexpr (T == DType::f64) static_cast<double*>(data)[i] = v;
  else if constexpr (T == DType::f32) static_cast<float*>(data)[i] = static_cast<float>(v);
  else if constexpr (T == DType::f16) static_cast<uint16_t*>(data)[i] = f16_bits_from_double(v);
  else static_cast<uint16_t*>(data)[i] = bf16_bits_from_double(v);
}

// Reads element `i` of integer or bool storage of type T.
template <DType T>
inline int64_t load_int_element(const void* data, int64_t i) {
  if constexpr (T == DType::i64) return static_cast<const int64_t*>(data)[i];
  else if constexpr (T == DType::i32) return static_cast<const int32_t*>(data)[i];
  else if constexpr (T == DType::i8) return static_cast<const int8_t*>(data)[i];
  else return static_cast<const uint8_t*>(data)[i] != 0;
}

// Writes an int64 to element `i` of integer or bool storage of type T, wrapping.
template <DType T>
inline void store_int_element(void* data, int64_t i, int64_t v) {
  if constexpr (T == DType::i64) static_cast<int64_t*>(data)[i] = v;
  else if constexpr (T == DType::i32) static_cast<int32_t*>(data)[i] = static_cast<int32_t>(v);
  else if constexpr (T == DType::i8) static_cast<int8_t*>(data)[i] = static_cast<int8_t>(v);
  else static_cast<uint8_t*>(data)[i] = v != 0;
}

}  // namespace weft::ir::interp
