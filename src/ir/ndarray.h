// Host tensors in their native element layout (float for f32, uint16 bits for
// f16/bf16, ...), so the interpreter and compiled code read and write the same bytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/dtype.h"
#include "support/rng.h"

namespace weft::ir {

class NDArray {
 public:
  NDArray() = default;
  NDArray(DType dtype, std::vector<int64_t> shape);  // zero-filled

  DType dtype() const { return dtype_; }
  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t size() const { return size_; }
  int64_t bytes() const { return size_ * dtype_bytes(dtype_); }
  void* data() { return storage_.data(); }
  const void* data() const { return storage_.data(); }

  // Element access by flat (row-major) index, as a double. `set` rounds to the dtype.
  double get(int64_t flat) const;
  void set(int64_t flat, double value);

  // Uniform values in [lo, hi), rounded to the dtype.
  static NDArray random(DType dtype, std::vector<int64_t> shape, Rng& rng, double lo = -1.0, double hi = 1.0);

 private:
  DType dtype_ = DType::f32;
  std::vector<int64_t> shape_;
  int64_t size_ = 0;
  std::vector<uint64_t> storage_;  // 8-byte aligned raw bytes
};

struct Comparison {
  bool ok = true;
  int64_t worst_index = -1;  // flat index of the largest violation
  double expected = 0, actual = 0;
  std::string message;  // empty when ok
};

// |actual - expected| <= atol + rtol * |expected| elementwise; NaN matches only NaN.
Comparison compare(const NDArray& expected, const NDArray& actual, double rtol, double atol);
// Tolerances suited to the dtype (looser for f16/bf16); for floats atol is scaled by
// the RMS of `expected` where that is above 1.
Comparison compare(const NDArray& expected, const NDArray& actual);

}  // namespace weft::ir
