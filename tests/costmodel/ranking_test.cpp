// The ranking test: on the fixed data set of real CPU measurements
// (data/matmul_cpu.jsonl), a model trained on ~80% of each workload's schedules
// must order the held-out ~20% better than chance.
#include <gtest/gtest.h>

#include <map>

#include "costmodel/random_model.h"
#include "costmodel/xgboost_model.h"
#include "ranking_data.h"
#include "support/rng.h"

namespace weft::costmodel::testing {
namespace {

struct Split {
  std::vector<Sample> train, test;
};

// Per workload: a seeded shuffle, the first 80% to train on.
Split split_by_workload(const std::vector<Measurement>& data) {
  std::map<std::string, std::vector<Sample>> by_spec;
  for (const Measurement& m : data) by_spec[m.spec].push_back({features_of(m), m.spec, m.gflops});
  Split s;
  Rng rng(2024);
  for (auto& [spec, samples] : by_spec) {
    for (size_t i = samples.size(); i > 1; --i) std::swap(samples[i - 1], samples[rng.uniform_int(0, i - 1)]);
    size_t cut = samples.size() * 8 / 10;
    s.train.insert(s.train.end(), samples.begin(), samples.begin() + cut);
    s.test.insert(s.test.end(), samples.begin() + cut, samples.end());
  }
  return s;
}

struct Accuracy {
  int right = 0, total = 0;
  double value() const { return total ? static_cast<double>(right) / total : 0; }
};

// Pairs of held-out programs of the same workload whose throughput differs.
Accuracy pairwise_accuracy(const std::vector<Sample>& test, const std::vector<double>& scores) {
  Accuracy a;
  for (size_t x = 0; x < test.size(); ++x)
    for (size_t y = x + 1; y < test.size(); ++y) {
      if (test[x].task != test[y].task || test[x].gflops == test[y].gflops) continue;
      ++a.total;
      a.right += (test[x].gflops > test[y].gflops) == (scores[x] > scores[y]);
    }
  return a;
}

TEST(Ranking, XGBoostRanksHeldOutMeasurementsBetterThanRandom) {
  std::vector<Measurement> data = read_measurements(ranking_data_path());
  ASSERT_GE(data.size(), 200u) << ranking_data_path();
  Split split = split_by_workload(data);
  std::vector<ProgramFeatures> held_out;
  for (const Sample& s : split.test) held_out.push_back(s.features);

  XGBoostModel model(0);
  model.update(split.train);
  ASSERT_TRUE(model.trained());
  Accuracy xgb = pairwise_accuracy(split.test, model.predict(held_out));
  RandomModel random(0);
  Accuracy chance = pairwise_accuracy(split.test, random.predict(held_out));
  std::printf("ranking: %zu measurements, %zu train / %zu held out, %d held-out pairs\n", data.size(),
              split.train.size(), split.test.size(), xgb.total);
  std::printf("pairwise accuracy: xgb %.3f, random %.3f\n", xgb.value(), chance.value());
  ASSERT_GE(xgb.total, 500);
  EXPECT_GT(xgb.value(), 0.6);
}

TEST(Ranking, EveryMeasuredTraceReplays) {
  std::vector<Measurement> data = read_measurements(ranking_data_path());
  for (const Measurement& m : data) {
    ProgramFeatures f = features_of(m);
    EXPECT_FALSE(f.empty()) << m.spec;
    EXPECT_GT(m.gflops, 0) << m.spec;
  }
}

}  // namespace
}  // namespace weft::costmodel::testing
