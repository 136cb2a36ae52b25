// Host tensors for the reference executor: row-major storage in the element type
// itself (double, float or int64), so f32 graphs really compute in f32.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "graph/tensor_type.h"
#include "support/error.h"
#include "support/rng.h"

namespace weft::graph {

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(TensorType type);  // zero-filled; dtype must be f32, f64 or i64
  Tensor(TensorType type, const std::vector<double>& values);  // converted to the dtype
  static Tensor scalar(double value, DType dtype = DType::f64);
  // Uniform in [lo, hi); integers are drawn from [lo, hi) as whole numbers.
  static Tensor random(TensorType type, Rng& rng, double lo = -1.0, double hi = 1.0);

  const TensorType& type() const { return type_; }
  DType dtype() const { return type_.dtype; }
  const Shape& shape() const { return type_.shape; }
  int64_t numel() const { return type_.numel(); }
  bool defined() const { return !std::holds_alternative<std::monostate>(storage_); }

  // Typed views; T must match the dtype (checked).
  template <class T>
  std::span<T> data() {
    auto* v = std::get_if<std::vector<T>>(&storage_);
    if (!v) throw InternalError("tensor " + type_.str() + " accessed with the wrong element type");
    return {v->data(), v->size()};
  }
  template <class T>
  std::span<const T> data() const {
    auto* v = std::get_if<std::vector<T>>(&storage_);
    if (!v) throw InternalError("tensor " + type_.str() + " accessed with the wrong element type");
    return {v->data(), v->size()};
  }

  double at(int64_t flat) const;
  void set(int64_t flat, double value);
  std::vector<double> to_doubles() const;
  Tensor cast(DType dtype) const;
  // Same data, new shape with the same element count.
  Tensor reshaped(const Shape& shape) const;

 private:
  TensorType type_;
  std::variant<std::monostate, std::vector<double>, std::vector<float>, std::vector<int64_t>> storage_;
};

// Largest |a - b| / (atol + rtol * |b|) over all elements; <= 1 means "close".
// Shapes must match (UsageError otherwise).
double closeness(const Tensor& actual, const Tensor& expected, double rtol, double atol);
bool all_close(const Tensor& actual, const Tensor& expected, double rtol = 1e-6, double atol = 1e-9);
double max_abs_diff(const Tensor& a, const Tensor& b);

// Calls f.template operator()<T>() with T = double or float for the dtype.
template <class F>
decltype(auto) dispatch_float(DType dtype, F&& f) {
  if (dtype == DType::f64) return f.template operator()<double>();
  if (dtype == DType::f32) return f.template operator()<float>();
  throw InternalError(std::string("expected a float dtype, got ") + std::string(ir::dtype_name(dtype)));
}

// Calls f.template operator()<T>() with T = double, float or int64_t for the dtype.
template <class F>
decltype(auto) dispatch_any(DType dtype, F&& f) {
  if (dtype == DType::i64) return f.template operator()<int64_t>();
  return dispatch_float(dtype, std::forward<F>(f));
}

}  // namespace weft::graph
