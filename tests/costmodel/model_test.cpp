#include <gtest/gtest.h>

#include <cmath>

#include "costmodel/cost_model.h"
#include "costmodel/random_model.h"
#include "costmodel/xgboost_model.h"
#include "support/error.h"
#include "support/rng.h"

namespace weft::costmodel::testing {
namespace {

// A program of 1-3 stores with random features; its throughput is a sum over its
// stores of their first two features, which a sum of per-store predictions can learn.
Sample synthetic_sample(Rng& rng, const std::string& task) {
  Sample s;
  s.task = task;
  int stores = static_cast<int>(rng.uniform_int(1, 3));
  for (int i = 0; i < stores; ++i) {
    StoreFeatures row(num_features());
    for (float& v : row) v = static_cast<float>(rng.uniform_real() * 10);
    s.features.push_back(row);
  }
  s.gflops = 1;
  for (const StoreFeatures& row : s.features) s.gflops += row[0] + 2 * row[1];
  if (rng.uniform_real() < 0.05) s.gflops = 0;  // a failed candidate
  return s;
}

std::vector<Sample> synthetic_samples(int n, uint64_t seed) {
  Rng rng(seed);
  std::vector<Sample> out;
  for (int i = 0; i < n; ++i) out.push_back(synthetic_sample(rng, i % 2 ? "task_a" : "task_b"));
  return out;
}

std::vector<ProgramFeatures> programs_of(const std::vector<Sample>& samples) {
  std::vector<ProgramFeatures> p;
  for (const Sample& s : samples) p.push_back(s.features);
  return p;
}

// Fraction of pairs (with different throughput) the scores order like the samples.
double pairwise_accuracy(const std::vector<Sample>& samples, const std::vector<double>& scores) {
  int right = 0, total = 0;
  for (size_t a = 0; a < samples.size(); ++a)
    for (size_t b = a + 1; b < samples.size(); ++b) {
      if (samples[a].gflops == samples[b].gflops) continue;
      ++total;
      right += (samples[a].gflops > samples[b].gflops) == (scores[a] > scores[b]);
    }
  return total ? static_cast<double>(right) / total : 0;
}

void expect_parse_error(CostModel& model, const std::string& blob, const std::string& fragment) {
  try {
    model.load(blob);
    ADD_FAILURE() << "blob accepted: " << blob.substr(0, 80);
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find("cost model blob"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(CostModelFactory, MakesEachKindAndRejectsOthers) {
  EXPECT_EQ(make_cost_model("xgb", 1)->name(), "xgb");
  EXPECT_EQ(make_cost_model("random", 1)->name(), "random");
  EXPECT_THROW(make_cost_model("gbm", 1), UsageError);
}

TEST(RandomModel, SeededAndDeterministic) {
  std::vector<ProgramFeatures> programs = programs_of(synthetic_samples(20, 3));
  RandomModel a(42), b(42), c(43);
  std::vector<double> sa = a.predict(programs);
  EXPECT_EQ(sa, b.predict(programs));
  EXPECT_NE(sa, c.predict(programs));
  EXPECT_NE(sa, a.predict(programs)) << "a second call draws new scores";
  for (double s : sa) {
    EXPECT_GE(s, 0);
    EXPECT_LT(s, 1);
  }
}

TEST(RandomModel, SaveLoadContinuesTheSequence) {
  std::vector<ProgramFeatures> programs = programs_of(synthetic_samples(5, 3));
  RandomModel a(7);
  a.predict(programs);
  a.update(synthetic_samples(3, 1));
  RandomModel b(99);
  b.load(a.save());
  EXPECT_EQ(b.num_samples(), 3u);
  EXPECT_EQ(a.predict(programs), b.predict(programs));
  expect_parse_error(b, "", "expected a blob starting with");
  expect_parse_error(b, "weft-costmodel random v1 state=12x samples=3\n", "bad integer");
  expect_parse_error(b, "weft-costmodel random v1 state=1 samples=3 extra\n", "trailing");
}

TEST(XGBoostModel, RanksRandomlyUntilItHasEnoughSamples) {
  const size_t one_short = XGBoostParams{}.min_samples - 1;
  std::vector<Sample> samples = synthetic_samples(static_cast<int>(one_short), 5);
  std::vector<ProgramFeatures> programs = programs_of(samples);
  XGBoostModel model(11);
  RandomModel reference(11);
  model.update(samples);
  EXPECT_EQ(model.num_samples(), one_short);
  EXPECT_FALSE(model.trained());
  EXPECT_EQ(model.predict(programs), reference.predict(programs));
}

TEST(XGBoostModel, RetrainsWhenTheDataGrowsByATenth) {
  XGBoostModel model(1);
  model.update(synthetic_samples(64, 9));
  EXPECT_TRUE(model.trained());
  EXPECT_EQ(model.num_trainings(), 1);
  model.update(synthetic_samples(12, 10));  // 76 < 1.2 * 64
  EXPECT_EQ(model.num_trainings(), 1);
  model.update(synthetic_samples(1, 11));  // 77 >= 76.8
  EXPECT_EQ(model.num_trainings(), 2);
  EXPECT_EQ(model.num_samples(), 77u);
}

TEST(XGBoostModel, LearnsASignalAndRanksUnseenPrograms) {
  XGBoostModel model(2);
  std::vector<Sample> train = synthetic_samples(200, 21);
  model.update(train);
  ASSERT_TRUE(model.trained());
  std::vector<Sample> test = synthetic_samples(60, 22);
  double trained = pairwise_accuracy(test, model.predict(programs_of(test)));
  RandomModel random(2);
  double baseline = pairwise_accuracy(test, random.predict(programs_of(test)));
  std::printf("synthetic pairwise accuracy: xgb %.3f, random %.3f\n", trained, baseline);
  EXPECT_GT(trained, 0.8);
  EXPECT_LT(baseline, 0.65);
}

TEST(XGBoostModel, SaveLoadGivesIdenticalPredictions) {
  XGBoostModel model(3);
  model.update(synthetic_samples(80, 31));
  ASSERT_TRUE(model.trained());
  std::vector<ProgramFeatures> programs = programs_of(synthetic_samples(30, 32));
  std::string blob = model.save();
  XGBoostModel loaded(999);
  loaded.load(blob);
  EXPECT_TRUE(loaded.trained());
  EXPECT_EQ(model.predict(programs), loaded.predict(programs));
  EXPECT_EQ(loaded.save(), blob);
  // An untrained model round-trips too, and ranks randomly after load.
  XGBoostModel fresh(4), fresh_loaded(4);
  fresh_loaded.load(fresh.save());
  EXPECT_FALSE(fresh_loaded.trained());
}

TEST(XGBoostModel, RefusesBadBlobsNamingThem) {
  XGBoostModel model(3);
  model.update(synthetic_samples(70, 41));
  std::string blob = model.save();
  size_t eol = blob.find('\n');
  std::string header = blob.substr(0, eol);
  std::string booster = blob.substr(eol + 1);
  XGBoostModel target(5);
  expect_parse_error(target, "not a model", "expected a header line");
  expect_parse_error(target, blob.substr(0, blob.size() - 10), "bytes");
  std::string other_version = header;
  other_version.replace(other_version.find("features=1"), 10, "features=7");
  expect_parse_error(target, other_version + "\n" + booster, "feature version 7");
  std::string bad_field = header + " width=abc";
  expect_parse_error(target, bad_field + "\n" + booster, "width=abc");
  std::string garbage(booster.size(), 'x');
  expect_parse_error(target, header + "\n" + garbage, "XGBoost cannot load");
  EXPECT_FALSE(target.trained()) << "a refused blob leaves the model as it was";
}

TEST(XGBoostModel, RejectsStoresOfTheWrongWidth) {
  XGBoostModel model(3);
  model.update(synthetic_samples(64, 51));
  ProgramFeatures narrow = {StoreFeatures(10, 1.0f)};
  EXPECT_THROW(model.predict({narrow}), UsageError);
}

TEST(XGBoostModel, FailedCandidatesAndEmptyProgramsAreHandled) {
  XGBoostModel model(8);
  std::vector<Sample> samples = synthetic_samples(64, 61);
  for (int i = 0; i < 10; ++i) samples[i].gflops = 0;
  model.update(samples);
  ASSERT_TRUE(model.trained());
  std::vector<double> scores = model.predict({ProgramFeatures{}, samples[20].features});
  EXPECT_EQ(scores[0], 0);  // no stores, nothing to sum
  EXPECT_TRUE(std::isfinite(scores[1]));
}

}  // namespace
}  // namespace weft::costmodel::testing
