// The cost model interface the search is written against: it scores candidate
// programs from their per-store features (features.h) and learns from measured
// samples. Kinds: "xgb" (XGBoostModel, the real one) and "random" (RandomModel).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "costmodel/features.h"

namespace weft::costmodel {

struct Sample {
  ProgramFeatures features;
  std::string task;  // samples of one task are compared with each other
  double gflops = 0;  // 0 = failed candidate
};

class CostModel {
 public:
  virtual ~CostModel() = default;
  virtual std::string name() const = 0;
  // Higher is better. One score per program (per-store predictions summed).
  virtual std::vector<double> predict(const std::vector<ProgramFeatures>& programs) = 0;
  // Adds measured samples; retrains when the data grew by ~20% since the last
  // training, using labels = gflops / best gflops of the sample's task.
  virtual void update(const std::vector<Sample>& samples) = 0;
  virtual std::string save() const = 0;             // bytes to keep in the database
  virtual void load(const std::string& bytes) = 0;  // ParseError naming the blob when it is bad
  virtual size_t num_samples() const = 0;
};

// "xgb" or "random"; UsageError for any other kind.
std::unique_ptr<CostModel> make_cost_model(const std::string& kind, uint64_t seed);

}  // namespace weft::costmodel
