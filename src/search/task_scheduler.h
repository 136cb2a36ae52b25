// Splitting a trial budget across tasks (Ansor's gradient-based task scheduler): the
// objective is the weighted sum of the tasks' best latencies, and the next round goes
// to the task whose latency is expected to fall fastest per trial, weighted:
//   g_i = w_i * (alpha * backward_i + (1 - alpha) * forward_i)
// backward_i: latency gained per trial over the last `window` rounds of task i;
// forward_i: best_i / trials_i, the optimistic guess that as many trials again would
// gain as much again. Every task gets one round first; a task without a valid
// candidate yet comes before any with one.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace weft::search {

class TaskScheduler {
 public:
  explicit TaskScheduler(std::vector<double> weights, double alpha = 0.2, int window = 3);

  // Task `task` finished a round: `trials` candidates measured in it, `best_us` the
  // best latency known now (infinity when none is valid yet).
  void record_round(size_t task, int trials, double best_us);
  // Trials a task had before this run (resuming from the database).
  void set_prior(size_t task, int trials, double best_us);
  // The task cannot produce new candidates any more.
  void mark_done(size_t task);

  // The task to tune next; nullopt when all are done.
  std::optional<size_t> next() const;
  double gradient(size_t task) const;  // for tests and the progress display

 private:
  struct Task {
    double weight;
    int trials = 0;
    int rounds = 0;                  // rounds in this run
    std::vector<double> best;        // best latency after each round (incl. the prior)
    std::vector<int> trials_at;      // cumulative trials after each round
    bool done = false;
  };
  std::vector<Task> tasks_;
  double alpha_;
  int window_;
};

}  // namespace weft::search
