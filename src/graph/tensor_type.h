// Static types of graph values: shape, element type and an optional layout tag
// (e.g. "NHWC"), which passes may read but the executor ignores.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace weft::graph {

using ir::DType;
using Shape = std::vector<int64_t>;

struct TensorType {
  Shape shape;
  DType dtype = DType::f32;
  std::string layout;  // empty: unspecified

  int64_t rank() const { return static_cast<int64_t>(shape.size()); }
  int64_t numel() const;
  bool operator==(const TensorType& other) const = default;
  // "f32[2,3]" or "f32[2,3]{NHWC}".
  std::string str() const;
};

// "[2,3]"
std::string shape_str(const Shape& shape);
int64_t shape_numel(const Shape& shape);
// The graph supports float tensors (f32, f64) and i64 indices/labels.
bool is_graph_dtype(DType t);
bool is_graph_float(DType t);

}  // namespace weft::graph
