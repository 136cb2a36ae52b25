// The worker side of CpuMeasurer: a forked child runs candidates one after another
// and reports each result on a pipe. The parent reads with a per-candidate deadline.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <vector>

#include "runtime/cpu_module.h"
#include "runtime/measure.h"

namespace weft::runtime::worker {

struct Job {
  const std::vector<std::optional<CpuFunction>>* functions;  // nullopt: failed to build, skipped
  const std::vector<ir::NDArray>* inputs;
  const std::vector<ir::NDArray>* expected;
  int num_outputs;
  RunnerConfig runner;
};

struct Worker {
  pid_t pid = -1;
  int fd = -1;  // read end of the result pipe
};

// Forks a worker that runs job candidates first, first+1, ... and writes results.
Worker start(const Job& job, size_t first);
// The next result, or nullopt when the deadline passed (the worker is killed) or the
// worker died; `failure` then holds the status (Timeout or RunError) and why.
std::optional<std::pair<size_t, MeasureResult>> next_result(Worker& w, double timeout_s, MeasureResult& failure);
void stop(Worker& w);

// The same protocol for other workers (the CUDA one): forks a child that runs
// body(result_fd), reporting with send_result, then exits (code 3 when body throws).
Worker start_process(const std::function<void(int result_fd)>& body);
void send_result(int fd, size_t index, const MeasureResult& result);

}  // namespace weft::runtime::worker
