#include "search/task_scheduler.h"

#include <gtest/gtest.h>

#include <limits>

#include "support/error.h"

namespace weft::search {
namespace {

const double kInf = std::numeric_limits<double>::infinity();

TEST(TaskScheduler, EveryTaskGetsARoundFirst) {
  TaskScheduler s({1, 1, 1});
  EXPECT_EQ(s.next(), 0u);
  s.record_round(0, 8, 100);
  EXPECT_EQ(s.next(), 1u);
  s.record_round(1, 8, 100);
  EXPECT_EQ(s.next(), 2u);
}

TEST(TaskScheduler, PrefersTheTaskWithTheLargestWeightedGradient) {
  TaskScheduler s({1, 1});
  s.record_round(0, 8, 100);
  s.record_round(1, 8, 60);
  s.record_round(0, 8, 60);   // task 0 keeps improving
  s.record_round(1, 8, 60);   // task 1 is flat at the same latency
  EXPECT_GT(s.gradient(0), 0);
  EXPECT_GT(s.gradient(0), s.gradient(1));
  EXPECT_EQ(s.next(), 0u);
}

TEST(TaskScheduler, WeightsScaleTheGradient) {
  TaskScheduler s({1, 10});
  s.record_round(0, 8, 100);
  s.record_round(1, 8, 100);
  EXPECT_DOUBLE_EQ(s.gradient(1), 10 * s.gradient(0));
  EXPECT_EQ(s.next(), 1u);
}

TEST(TaskScheduler, ATaskWithoutAValidCandidateComesFirst) {
  TaskScheduler s({1, 1});
  s.record_round(0, 8, 10);
  s.record_round(1, 8, kInf);
  EXPECT_EQ(s.next(), 1u);
}

TEST(TaskScheduler, DoneTasksAreSkippedAndPriorTrialsCount) {
  TaskScheduler s({1, 1});
  s.set_prior(0, 64, 10);  // resumed from the database
  s.record_round(0, 8, 10);
  s.record_round(1, 8, 10);
  // Same best latency, but task 0 already spent 72 trials: task 1 promises more.
  EXPECT_EQ(s.next(), 1u);
  s.mark_done(1);
  EXPECT_EQ(s.next(), 0u);
  s.mark_done(0);
  EXPECT_FALSE(s.next().has_value());
}

TEST(TaskScheduler, RejectsNonPositiveWeights) {
  EXPECT_THROW(TaskScheduler({1, 0}), UsageError);
  EXPECT_THROW(TaskScheduler({-2}), UsageError);
}

}  // namespace
}  // namespace weft::search
