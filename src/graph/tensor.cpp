#include "graph/tensor.h"

#include <algorithm>
#include <cmath>

namespace weft::graph {

Tensor::Tensor(TensorType type) : type_(std::move(type)) {
  for (int64_t d : type_.shape)
    WEFT_CHECK(d >= 0, UsageError, "tensor shape " + shape_str(type_.shape) + " has a negative dimension");
  size_t n = static_cast<size_t>(type_.numel());
  switch (type_.dtype) {
    case DType::f64: storage_ = std::vector<double>(n, 0.0); break;
    case DType::f32: storage_ = std::vector<float>(n, 0.0f); break;
    case DType::i64: storage_ = std::vector<int64_t>(n, 0); break;
    default:
      throw UsageError("graph tensors hold f32, f64 or i64, not " + std::string(ir::dtype_name(type_.dtype)));
  }
}

Tensor::Tensor(TensorType type, const std::vector<double>& values) : Tensor(std::move(type)) {
  WEFT_CHECK(static_cast<int64_t>(values.size()) == numel(), UsageError,
             "tensor " + type_.str() + " needs " + std::to_string(numel()) + " values, got " +
                 std::to_string(values.size()));
  for (size_t i = 0; i < values.size(); ++i) set(static_cast<int64_t>(i), values[i]);
}

Tensor Tensor::scalar(double value, DType dtype) { return Tensor(TensorType{{}, dtype, ""}, {value}); }

Tensor Tensor::random(TensorType type, Rng& rng, double lo, double hi) {
  Tensor t(std::move(type));
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (t.dtype() == DType::i64)
      t.set(i, static_cast<double>(rng.uniform_int(static_cast<int64_t>(lo), static_cast<int64_t>(hi) - 1)));
    else
      t.set(i, lo + (hi - lo) * rng.uniform_real());
  }
  return t;
}

double Tensor::at(int64_t flat) const {
  return std::visit(
      [&](const auto& v) -> double {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::monostate>) {
          throw InternalError("read from an undefined tensor");
        } else {
          return static_cast<double>(v.at(static_cast<size_t>(flat)));
        }
      },
      storage_);
}

void Tensor::set(int64_t flat, double value) {
  std::visit(
      [&](auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::monostate>) {
          throw InternalError("write to an undefined tensor");
        } else {
          v.at(static_cast<size_t>(flat)) = static_cast<typename V::value_type>(value);
        }
      },
      storage_);
}

std::vector<double> Tensor::to_doubles() const {
  std::vector<double> out(static_cast<size_t>(numel()));
  for (int64_t i = 0; i < numel(); ++i) out[static_cast<size_t>(i)] = at(i);
  return out;
}

Tensor Tensor::cast(DType dtype) const {
  TensorType t = type_;
  t.dtype = dtype;
  return Tensor(t, to_doubles());
}

Tensor Tensor::reshaped(const Shape& shape) const {
  WEFT_CHECK(shape_numel(shape) == numel(), InternalError,
             "reshape of " + type_.str() + " to " + shape_str(shape) + " changes the element count");
  Tensor out = *this;
  out.type_.shape = shape;
  return out;
}

double closeness(const Tensor& actual, const Tensor& expected, double rtol, double atol) {
  WEFT_CHECK(actual.shape() == expected.shape(), UsageError,
             "cannot compare " + actual.type().str() + " with " + expected.type().str());
  double worst = 0;
  for (int64_t i = 0; i < actual.numel(); ++i) {
    double a = actual.at(i), e = expected.at(i);
    if (std::isnan(a) || std::isnan(e)) {
      if (std::isnan(a) != std::isnan(e)) return INFINITY;
      continue;
    }
    worst = std::max(worst, std::fabs(a - e) / (atol + rtol * std::fabs(e)));
  }
  return worst;
}

bool all_close(const Tensor& actual, const Tensor& expected, double rtol, double atol) {
  return actual.shape() == expected.shape() && closeness(actual, expected, rtol, atol) <= 1.0;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
  WEFT_CHECK(a.shape() == b.shape(), UsageError, "cannot compare " + a.type().str() + " with " + b.type().str());
  double worst = 0;
  for (int64_t i = 0; i < a.numel(); ++i) worst = std::max(worst, std::fabs(a.at(i) - b.at(i)));
  return worst;
}

}  // namespace weft::graph
