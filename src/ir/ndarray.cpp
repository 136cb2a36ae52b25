#include "ir/ndarray.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "ir/interp_numeric.h"
#include "support/error.h"

namespace weft::ir {

namespace {

std::string shape_text(const std::vector<int64_t>& shape) { return fmt::format("[{}]", fmt::join(shape, ", ")); }

// Row-major multi-index of a flat index, for messages.
std::string multi_index_text(const std::vector<int64_t>& shape, int64_t flat) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    idx[d] = flat % shape[d];
    flat /= shape[d];
  }
  return shape_text(idx);
}

}  // namespace

NDArray::NDArray(DType dtype, std::vector<int64_t> shape) : dtype_(dtype), shape_(std::move(shape)) {
  int64_t n = 1;
  for (int64_t d : shape_) {
    if (d < 0) throw UsageError("NDArray shape " + shape_text(shape_) + " has a negative dimension");
    if (d != 0 && n > std::numeric_limits<int64_t>::max() / 8 / d)
      throw UsageError("NDArray shape " + shape_text(shape_) + " is too large");
    n *= d;
  }
  size_ = n;
  storage_.assign(static_cast<size_t>((bytes() + 7) / 8), 0);
}

double NDArray::get(int64_t flat) const {
  if (flat < 0 || flat >= size_)
    throw UsageError(fmt::format("NDArray::get: flat index {} outside [0, {})", flat, size_));
  const void* p = storage_.data();
  switch (dtype_) {
    case DType::f64: return interp::load_float_element<DType::f64>(p, flat);
    case DType::f32: return interp::load_float_element<DType::f32>(p, flat);
    case DType::f16: return interp::load_float_element<DType::f16>(p, flat);
    case DType::bf16: return interp::load_float_element<DType::bf16>(p, flat);
    case DType::i64: return static_cast<double>(interp::load_int_element<DType::i64>(p, flat));
    case DType::i32: return static_cast<double>(interp::load_int_element<DType::i32>(p, flat));
    case DType::i8: return static_cast<double>(interp::load_int_element<DType::i8>(p, flat));
    case DType::boolean: return static_cast<double>(interp::load_int_element<DType::boolean>(p, flat));
  }
  throw InternalError("NDArray::get: unknown dtype");
}

// Same conversions as round_to_dtype: floats round to nearest even, integers
// truncate toward zero and wrap, bool is `!= 0`.
void NDArray::set(int64_t flat, double value) {
  if (flat < 0 || flat >= size_)
    throw UsageError(fmt::format("NDArray::set: flat index {} outside [0, {})", flat, size_));
  void* p = storage_.data();
  switch (dtype_) {
    case DType::f64: return interp::store_float_element<DType::f64>(p, flat, value);
    case DType::f32: return interp::store_float_element<DType::f32>(p, flat, value);
    case DType::f16: return interp::store_float_element<DType::f16>(p, flat, value);
    case DType::bf16: return interp::store_float_element<DType::bf16>(p, flat, value);
    case DType::i64: return interp::store_int_element<DType::i64>(p, flat, float_to_int64(value));
    case DType::i32: return interp::store_int_element<DType::i32>(p, flat, float_to_int64(value));
    case DType::i8: return interp::store_int_element<DType::i8>(p, flat, float_to_int64(value));
    case DType::boolean: return interp::store_int_element<DType::boolean>(p, flat, value != 0);
  }
  throw InternalError("NDArray::set: unknown dtype");
}

NDArray NDArray::random(DType dtype, std::vector<int64_t> shape, Rng& rng, double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || lo > hi)
    throw UsageError(fmt::format("NDArray::random: bad range [{}, {})", lo, hi));
  NDArray out(dtype, std::move(shape));
  bool integral = !is_float(dtype);
  for (int64_t i = 0; i < out.size_; ++i) {
    double v = lo + (hi - lo) * rng.uniform_real();
    // Integers take the floor so that [lo, hi) maps onto the integers it contains.
    out.set(i, integral ? std::floor(v) : v);
  }
  return out;
}

Comparison compare(const NDArray& expected, const NDArray& actual, double rtol, double atol) {
  Comparison c;
  if (expected.dtype() != actual.dtype()) {
    c.ok = false;
    c.message = fmt::format("dtype mismatch: expected {}, got {}", dtype_name(expected.dtype()),
                            dtype_name(actual.dtype()));
    return c;
  }
  if (expected.shape() != actual.shape()) {
    c.ok = false;
    c.message = fmt::format("shape mismatch: expected {}, got {}", shape_text(expected.shape()),
                            shape_text(actual.shape()));
    return c;
  }
  int64_t violations = 0;
  double worst_excess = -1;
  for (int64_t i = 0; i < expected.size(); ++i) {
    double e = expected.get(i), a = actual.get(i);
    if (a == e || (std::isnan(a) && std::isnan(e))) continue;
    double excess;  // how far beyond the tolerance; infinite for NaN or infinity mismatches
    if (std::isnan(a) || std::isnan(e) || std::isinf(a) || std::isinf(e)) {
      excess = std::numeric_limits<double>::infinity();
    } else {
      excess = std::fabs(a - e) - (atol + rtol * std::fabs(e));
      if (excess <= 0) continue;
    }
    ++violations;
    if (excess > worst_excess) {
      worst_excess = excess;
      c.worst_index = i;
      c.expected = e;
      c.actual = a;
    }
  }
  if (violations == 0) return c;
  c.ok = false;
  c.message = fmt::format(
      "{} of {} elements differ beyond rtol {} atol {}; worst at flat index {} {}: expected {}, got {}", violations,
      expected.size(), rtol, atol, c.worst_index, multi_index_text(expected.shape(), c.worst_index), c.expected,
      c.actual);
  return c;
}

namespace {

// The root mean square of the finite values, 0 for none.
double finite_rms(const NDArray& a) {
  double sum = 0;
  int64_t n = 0;
  for (int64_t i = 0; i < a.size(); ++i) {
    double v = a.get(i);
    if (!std::isfinite(v)) continue;
    sum += v * v;
    ++n;
  }
  return n == 0 ? 0 : std::sqrt(sum / static_cast<double>(n));
}

}  // namespace

Comparison compare(const NDArray& expected, const NDArray& actual) {
  // A reassociated long reduction (a tiled 576-term conv) rounds differently by about
  // eps * sqrt(terms) * the output's scale; where the result cancels to near zero that
  // is beyond rtol * |expected|. So atol is relative to the output's RMS when it is
  // above 1. A wrong element is off by about the RMS itself, far beyond either.
  double scale = std::max(1.0, finite_rms(expected));
  switch (expected.dtype()) {
    case DType::f64: return compare(expected, actual, 1e-9, 1e-9 * scale);
    case DType::f32: return compare(expected, actual, 1e-4, 1e-5 * scale);
    case DType::f16: return compare(expected, actual, 1e-2, 1e-2 * scale);
    case DType::bf16: return compare(expected, actual, 2e-2, 2e-2 * scale);
    case DType::i64:
    case DType::i32:
    case DType::i8:
    case DType::boolean: return compare(expected, actual, 0, 0);
  }
  throw InternalError("compare: unknown dtype");
}

}  // namespace weft::ir
