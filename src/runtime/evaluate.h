// Evaluating a (possibly scheduled) program of a workload on the CPU: compile it,
// check its outputs against the reference interpreter running the unscheduled
// program on the same random inputs, and time it.
#pragma once

#include <string>

#include "ir/workload.h"
#include "runtime/cpu_builder.h"
#include "runtime/runner.h"

namespace weft::runtime {

struct EvalOptions {
  bool check = true;
  uint64_t seed = 0;  // inputs are drawn from this seed
  RunnerConfig runner;
  CpuBuildConfig build;
};

struct EvalResult {
  double median_us = 0;
  double gflops = 0;
  std::string check = "skipped";  // pass, fail or skipped
  std::string check_message;      // why it failed
};

// `scheduled` must have the same parameters as `workload.func`.
EvalResult evaluate_cpu(const ir::Workload& workload, const ir::PrimFunc& scheduled, const EvalOptions& options);
// The same for a program already compiled (a library written for a user, loaded):
// options.build is not used.
EvalResult evaluate_cpu_function(const ir::Workload& workload, const CpuFunction& compiled, const EvalOptions& options);

}  // namespace weft::runtime
