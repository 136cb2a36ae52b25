// Helpers of the feature tests: a value of a row by feature name, and scheduled
// variants of a small matmul.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "costmodel/features.h"
#include "support/error.h"

namespace weft::costmodel::testing {

inline int feature_index(const std::string& name) {
  static const std::vector<std::string> names = feature_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int>(i);
  throw UsageError("no feature named '" + name + "'");
}

inline float value(const StoreFeatures& row, const std::string& name) { return row.at(feature_index(name)); }

inline float log_scaled(double x) { return static_cast<float>(std::log2(1.0 + x)); }

}  // namespace weft::costmodel::testing
