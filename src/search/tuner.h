// The tuning driver behind `weft tune`: for each task, a design space and an
// evolutionary search; a task scheduler spends the trial budget; every measured
// batch goes to the tuning database in one transaction; the cost model learns
// from every measurement.
//
// Resumable: `trials` is the number of measured trials the tasks should have in the
// database for this target. A run picks up what the database holds (measured
// programs are not measured again, the best seed the search, all of them train the
// cost model, whose snapshot is loaded when there is one) and measures the rest.
#pragma once

#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "runtime/cuda_measure.h"
#include "runtime/measure.h"
#include "search/search_config.h"
#include "support/target.h"

namespace weft::search {

struct TaskSpec {
  std::string workload;  // a workload spec of the op library
  double weight = 1;     // how often the model runs it
};

struct TaskStatus {
  std::string spec;   // canonical
  std::string hash;   // structural hash of the workload
  double weight = 1;
  double flops = 0;
  int trials = 0;     // measured in the database for the target, failures included
  int failures = 0;
  double best_us = std::numeric_limits<double>::infinity();
  double best_gflops = 0;
  std::string best_trace;  // schedule-language text
  bool exhausted = false;  // the search found nothing new to measure
};

struct TuneProgress {
  std::vector<TaskStatus> tasks;
  int trials_done = 0;    // over all tasks, in the database
  int trials_wanted = 0;
  int trials_this_run = 0;
  double elapsed_s = 0;
};

struct TuneOptions {
  Target target;
  std::string db_path = "weft.db";
  int trials = 64;
  double time_budget_s = 0;      // <= 0: none; checked between batches
  uint64_t seed = 0;
  std::string cost_model = "xgb";
  std::string model_name;        // when set, the tasks are stored as this model's
  SearchConfig search;
  runtime::MeasureConfig measure;            // cpu targets
  runtime::CudaMeasureConfig cuda_measure;   // cuda targets: the local GPU
  std::function<void(const TuneProgress&)> on_progress;  // after every batch
};

// Throws UsageError for a bad spec or option, db errors for a bad database.
TuneProgress tune(const std::vector<TaskSpec>& tasks, const TuneOptions& options);

}  // namespace weft::search
