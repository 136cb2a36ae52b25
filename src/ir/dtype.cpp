#include "ir/dtype.h"

#include <cmath>
#include <cstring>

namespace weft::ir {

std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::f64: return "f64";
    case DType::f32: return "f32";
    case DType::f16: return "f16";
    case DType::bf16: return "bf16";
    case DType::i64: return "i64";
    case DType::i32: return "i32";
    case DType::i8: return "i8";
    case DType::boolean: return "bool";
  }
  return "?";
}

std::optional<DType> parse_dtype(std::string_view name) {
  for (DType t : {DType::f64, DType::f32, DType::f16, DType::bf16, DType::i64, DType::i32, DType::i8,
                  DType::boolean})
    if (dtype_name(t) == name) return t;
  return std::nullopt;
}

bool is_float(DType t) { return t == DType::f64 || t == DType::f32 || t == DType::f16 || t == DType::bf16; }
bool is_int(DType t) { return t == DType::i64 || t == DType::i32 || t == DType::i8; }

int dtype_bytes(DType t) {
  switch (t) {
    case DType::f64:
    case DType::i64: return 8;
    case DType::f32:
    case DType::i32: return 4;
    case DType::f16:
    case DType::bf16: return 2;
    case DType::i8:
    case DType::boolean: return 1;
  }
  return 0;
}

// Round-to-nearest-even to a float format with `mantissa` explicit bits and the given
// minimum normal exponent; overflow goes to infinity.
static double round_float(double v, int mantissa, int min_exp, double max_finite) {
  if (std::isnan(v) || std::isinf(v) || v == 0) return v;
  int e;
  std::frexp(v, &e);  // v = m * 2^e, 0.5 <= |m| < 1
  int exp = std::max(e - 1, min_exp);
  double quantum = std::ldexp(1.0, exp - mantissa);
  double r = std::nearbyint(v / quantum) * quantum;  // default rounding mode: to nearest even
  if (std::fabs(r) > max_finite) return std::copysign(INFINITY, v);
  return r;
}

int64_t float_to_int64(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 0x1p63) return INT64_MAX;
  if (v < -0x1p63) return INT64_MIN;
  return static_cast<int64_t>(v);
}

double round_to_dtype(double v, DType t) {
  switch (t) {
    case DType::f64: return v;
    case DType::f32: return static_cast<double>(static_cast<float>(v));
    case DType::f16: return round_float(v, 10, -14, 65504.0);
    case DType::bf16: return round_float(static_cast<float>(v), 7, -126, 3.38953138925153547590470800371487866880e+38);
    case DType::i64: return static_cast<double>(float_to_int64(v));
    case DType::i32: return static_cast<double>(static_cast<int32_t>(float_to_int64(v)));
    case DType::i8: return static_cast<double>(static_cast<int8_t>(float_to_int64(v)));
    case DType::boolean: return v != 0 ? 1.0 : 0.0;
  }
  return v;
}

}  // namespace weft::ir
