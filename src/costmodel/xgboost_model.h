// The learned cost model: gradient-boosted trees over per-store features. A
// program's score is the sum of its stores' predictions, and training fits that
// sum to the program's label (gflops / best gflops of its task) with a custom
// squared-error objective, so a program counts once however many stores it has.
// Until `min_samples` samples exist it ranks randomly (a RandomModel of the same
// seed); after that it retrains whenever the samples grew by `retrain_growth`.
#pragma once

#include <memory>

#include "costmodel/random_model.h"

namespace weft::costmodel {

namespace xgb {
class Booster;
}

struct XGBoostParams {
  size_t min_samples = 32;      // no training below this: a 64-trial run trains half-way
  double retrain_growth = 1.2;  // retrain when samples >= growth * samples of the last training
  int rounds = 80;
  int max_depth = 10;
  double eta = 0.2;
  double min_child_weight = 2;
  int nthread = 1;  // OpenMP threads spin-wait badly on a loaded machine; trees this small need one
};

class XGBoostModel : public CostModel {
 public:
  explicit XGBoostModel(uint64_t seed, XGBoostParams params = {});
  ~XGBoostModel() override;

  std::string name() const override { return "xgb"; }
  std::vector<double> predict(const std::vector<ProgramFeatures>& programs) override;
  void update(const std::vector<Sample>& samples) override;
  // The trained booster (if any) with the feature version and width it expects.
  // Samples are not saved: they live in the database.
  std::string save() const override;
  void load(const std::string& bytes) override;
  size_t num_samples() const override { return samples_.size(); }

  bool trained() const { return booster_ != nullptr; }
  int num_trainings() const { return num_trainings_; }
  // Trains now on every sample held (UsageError with fewer than two programs).
  void train();

 private:
  XGBoostParams params_;
  uint64_t seed_;
  RandomModel fallback_;
  std::vector<Sample> samples_;
  std::unique_ptr<xgb::Booster> booster_;
  size_t trained_on_ = 0;
  int num_trainings_ = 0;
};

}  // namespace weft::costmodel
