// Measuring candidate programs of one workload on the CPU, as the tuner does:
// build the batch with several compiler calls in parallel (one per candidate, each
// with a deadline), then run every candidate
// in a worker subprocess that checks its outputs against the reference and times it.
// A candidate that fails to build, computes a wrong result, crashes or hangs is
// reported with its status and error; it never takes the caller down. A crash or a
// hang costs a worker restart, not the batch.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/ndarray.h"
#include "ir/workload.h"
#include "runtime/cpu_builder.h"
#include "runtime/runner.h"

namespace weft::runtime {

enum class MeasureStatus { Ok, WrongResult, BuildError, RunError, Timeout };
// ok, wrong, build_error, run_error, timeout (the tuning database's words).
const char* to_string(MeasureStatus status);

struct MeasureResult {
  MeasureStatus status = MeasureStatus::Ok;
  double median_us = 0;               // 0 unless ok
  std::vector<double> latencies_us;   // every timed repeat, unless failed
  std::string error;                  // why it failed
};

struct MeasureConfig {
  RunnerConfig runner{1, 5, 1, false};  // warm-up, repeats, min_repeat_ms, flush_cache
  CpuBuildConfig build;
  int build_jobs = 0;               // compiler calls in parallel; 0: the host's cores
  // A candidate whose compiler call runs longer is a build error (huge unrolled
  // bodies can take GCC minutes); it replaces build.compile_timeout_s.
  double compile_timeout_s = 60;
  double run_timeout_s = 20;        // per candidate: checking and timing together
  uint64_t input_seed = 0;          // the random inputs of every candidate and the reference
  // The reference is the interpreter running the unscheduled program; above this
  // many FLOPs (where the interpreter takes too long) it is the unscheduled program
  // compiled, whose codegen the test suite checks against the interpreter.
  double interpreter_max_flops = 3e8;
};

class CpuMeasurer {
 public:
  CpuMeasurer(ir::Workload workload, MeasureConfig config = {});

  // One result per candidate, in order. Candidates must have the workload's parameters.
  std::vector<MeasureResult> measure(const std::vector<ir::PrimFunc>& candidates);

  const ir::Workload& workload() const { return workload_; }
  // "interpreter" or "compiled unscheduled program".
  std::string reference_kind() const;

 private:
  const std::vector<ir::NDArray>& reference();

  ir::Workload workload_;
  MeasureConfig config_;
  std::vector<ir::NDArray> inputs_;                   // every parameter, outputs included
  std::optional<std::vector<ir::NDArray>> expected_;  // the reference's final arguments
};

}  // namespace weft::runtime
