// A cost model without knowledge: uniform random scores from a seeded Rng, so the
// same seed and the same calls give the same scores. It ranks before the real
// model has data, and is the baseline the real model must beat.
#pragma once

#include "costmodel/cost_model.h"
#include "support/rng.h"

namespace weft::costmodel {

class RandomModel : public CostModel {
 public:
  explicit RandomModel(uint64_t seed) : rng_(seed) {}

  std::string name() const override { return "random"; }
  std::vector<double> predict(const std::vector<ProgramFeatures>& programs) override;
  void update(const std::vector<Sample>& samples) override { num_samples_ += samples.size(); }
  // The generator's state and the sample count, so a loaded model goes on drawing
  // the same sequence.
  std::string save() const override;
  void load(const std::string& bytes) override;
  size_t num_samples() const override { return num_samples_; }

 private:
  Rng rng_;
  size_t num_samples_ = 0;
};

}  // namespace weft::costmodel
