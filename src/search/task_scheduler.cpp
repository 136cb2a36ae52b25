#include "search/task_scheduler.h"

#include <cmath>
#include <limits>

#include "support/error.h"

namespace weft::search {

TaskScheduler::TaskScheduler(std::vector<double> weights, double alpha, int window) : alpha_(alpha), window_(window) {
  for (size_t i = 0; i < weights.size(); ++i) {
    if (!(weights[i] > 0)) throw UsageError("task " + std::to_string(i) + " has weight " + std::to_string(weights[i]) +
                                            "; weights must be positive");
    tasks_.push_back(Task{weights[i]});
  }
}

void TaskScheduler::set_prior(size_t task, int trials, double best_us) {
  Task& t = tasks_.at(task);
  t.trials = trials;
  if (trials > 0) {
    t.best.push_back(best_us);
    t.trials_at.push_back(trials);
  }
}

void TaskScheduler::record_round(size_t task, int trials, double best_us) {
  Task& t = tasks_.at(task);
  t.trials += trials;
  t.rounds += 1;
  t.best.push_back(best_us);
  t.trials_at.push_back(t.trials);
}

void TaskScheduler::mark_done(size_t task) { tasks_.at(task).done = true; }

double TaskScheduler::gradient(size_t task) const {
  const Task& t = tasks_.at(task);
  const double inf = std::numeric_limits<double>::infinity();
  if (t.best.empty() || std::isinf(t.best.back())) return inf;
  size_t last = t.best.size() - 1;
  size_t back = last >= static_cast<size_t>(window_) ? last - static_cast<size_t>(window_) : 0;
  double backward = 0;
  int span = t.trials_at[last] - t.trials_at[back];
  if (span > 0 && !std::isinf(t.best[back])) backward = (t.best[back] - t.best[last]) / span;
  double forward = t.trials > 0 ? t.best[last] / t.trials : t.best[last];
  return t.weight * (alpha_ * backward + (1 - alpha_) * forward);
}

std::optional<size_t> TaskScheduler::next() const {
  for (size_t i = 0; i < tasks_.size(); ++i)
    if (!tasks_[i].done && tasks_[i].rounds == 0) return i;
  std::optional<size_t> best;
  double best_g = -1;
  for (size_t i = 0; i < tasks_.size(); ++i) {
    if (tasks_[i].done) continue;
    double g = gradient(i);
    if (!best || g > best_g) {
      best = i;
      best_g = g;
    }
  }
  return best;
}

}  // namespace weft::search
