// Thin owners of XGBoost C API handles. Every call is checked: a failure throws
// RuntimeError carrying XGBGetLastError(), or ParseError when loading a model blob.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <xgboost/c_api.h>

namespace weft::costmodel::xgb {

// A dense row-major matrix of features.
class DMatrix {
 public:
  DMatrix(const std::vector<float>& values, size_t rows, size_t cols);
  ~DMatrix();
  DMatrix(const DMatrix&) = delete;
  DMatrix& operator=(const DMatrix&) = delete;
  DMatrixHandle handle() const { return handle_; }
  size_t rows() const { return rows_; }

 private:
  DMatrixHandle handle_ = nullptr;
  size_t rows_;
};

class Booster {
 public:
  // `train`, when given, is the matrix boost() will be called with: XGBoost learns
  // the number of features from the matrices a booster is created with.
  explicit Booster(const std::map<std::string, std::string>& params, const DMatrix* train = nullptr);
  ~Booster();
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;

  // One boosting round with the caller's gradient and hessian (one per row).
  void boost(const DMatrix& data, std::vector<float>& grad, std::vector<float>& hess);
  // Raw margins (sum of the trees plus base_score), one per row.
  std::vector<float> predict(const DMatrix& data, bool training) const;

  std::string save() const;  // UBJSON model
  // ParseError naming `blob_name` if XGBoost refuses the bytes.
  void load(const std::string& bytes, const std::string& blob_name);

 private:
  BoosterHandle handle_ = nullptr;
};

}  // namespace weft::costmodel::xgb
