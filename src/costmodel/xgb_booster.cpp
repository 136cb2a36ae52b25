#include "costmodel/xgb_booster.h"

#include <limits>

#include "support/error.h"

namespace weft::costmodel::xgb {

namespace {

void check(int rc, const char* call) {
  if (rc != 0) throw RuntimeError(std::string("xgboost ") + call + ": " + XGBGetLastError());
}

}  // namespace

DMatrix::DMatrix(const std::vector<float>& values, size_t rows, size_t cols) : rows_(rows) {
  if (values.size() != rows * cols)
    throw InternalError("DMatrix of " + std::to_string(rows) + " x " + std::to_string(cols) + " given " +
                        std::to_string(values.size()) + " values");
  // NaN marks missing values; features are always finite, so nothing is missing.
  check(XGDMatrixCreateFromMat(values.data(), rows, cols, std::numeric_limits<float>::quiet_NaN(), &handle_),
        "XGDMatrixCreateFromMat");
}

DMatrix::~DMatrix() {
  if (handle_) XGDMatrixFree(handle_);
}

Booster::Booster(const std::map<std::string, std::string>& params, const DMatrix* train) {
  DMatrixHandle cache[1] = {train ? train->handle() : nullptr};
  check(XGBoosterCreate(train ? cache : nullptr, train ? 1 : 0, &handle_), "XGBoosterCreate");
  for (const auto& [key, value] : params)
    check(XGBoosterSetParam(handle_, key.c_str(), value.c_str()), ("XGBoosterSetParam(" + key + ")").c_str());
}

Booster::~Booster() {
  if (handle_) XGBoosterFree(handle_);
}

void Booster::boost(const DMatrix& data, std::vector<float>& grad, std::vector<float>& hess) {
  if (grad.size() != data.rows() || hess.size() != data.rows())
    throw InternalError("gradient of " + std::to_string(grad.size()) + " values for " + std::to_string(data.rows()) +
                        " rows");
  check(XGBoosterBoostOneIter(handle_, data.handle(), grad.data(), hess.data(), grad.size()), "XGBoosterBoostOneIter");
}

std::vector<float> Booster::predict(const DMatrix& data, bool training) const {
  std::string config = std::string(R"({"type": 1, "training": )") + (training ? "true" : "false") +
                       R"(, "iteration_begin": 0, "iteration_end": 0, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  check(XGBoosterPredictFromDMatrix(handle_, data.handle(), config.c_str(), &shape, &dim, &result),
        "XGBoosterPredictFromDMatrix");
  bst_ulong n = 1;
  for (bst_ulong d = 0; d < dim; ++d) n *= shape[d];
  if (n != data.rows())
    throw RuntimeError("xgboost predicted " + std::to_string(n) + " values for " + std::to_string(data.rows()) +
                       " rows");
  return std::vector<float>(result, result + n);
}

std::string Booster::save() const {
  bst_ulong len = 0;
  const char* data = nullptr;
  check(XGBoosterSaveModelToBuffer(handle_, R"({"format": "ubj"})", &len, &data), "XGBoosterSaveModelToBuffer");
  return std::string(data, len);
}

void Booster::load(const std::string& bytes, const std::string& blob_name) {
  if (XGBoosterLoadModelFromBuffer(handle_, bytes.data(), bytes.size()) != 0)
    throw ParseError(blob_name, 1, 1, std::string("XGBoost cannot load the model: ") + XGBGetLastError());
}

}  // namespace weft::costmodel::xgb
