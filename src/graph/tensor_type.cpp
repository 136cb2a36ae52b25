#include "graph/tensor_type.h"

namespace weft::graph {

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

int64_t TensorType::numel() const { return shape_numel(shape); }

std::string shape_str(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

std::string TensorType::str() const {
  std::string s = std::string(ir::dtype_name(dtype)) + shape_str(shape);
  if (!layout.empty()) s += "{" + layout + "}";
  return s;
}

bool is_graph_dtype(DType t) { return t == DType::f32 || t == DType::f64 || t == DType::i64; }
bool is_graph_float(DType t) { return t == DType::f32 || t == DType::f64; }

}  // namespace weft::graph
