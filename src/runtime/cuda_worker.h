// The worker side of CudaMeasurer: a forked child owns the only CUDA context (the
// parent never calls cuInit), runs candidates one after another and reports each on
// the CPU worker's pipe protocol (measure_worker.h). A candidate is all of its
// kernels launched in order with its scratch buffers (allocated per candidate,
// freed after it). Besides candidate results the child sends two markers: kReady once its context and buffers exist (or with the
// reason they could not be made), and kRetiring after a sticky error (an illegal
// address, a trap), when its context is unusable: it then exits and the parent
// starts a fresh worker for the rest of the batch.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

#include "runtime/cuda_measure.h"
#include "runtime/measure_worker.h"

namespace weft::runtime::cuda_worker {

constexpr size_t kReady = std::numeric_limits<size_t>::max();
constexpr size_t kRetiring = std::numeric_limits<size_t>::max() - 1;

struct Job {
  const std::vector<std::optional<CudaBinary>>* binaries;  // nullopt: not built, skipped
  const ir::PrimFunc* func;                               // the workload's program (parameter names)
  const std::vector<ir::NDArray>* inputs;                 // every parameter, outputs included
  const std::vector<ir::NDArray>* expected;               // the reference's final arguments
  int num_outputs = 1;
  int device = 0;
  int warmup = 1;
  int repeats = 10;
  bool flush_l2 = true;
};

// Forks a worker that runs job candidates first, first+1, ... (see the markers above).
worker::Worker start(const Job& job, size_t first);

// Waits for the worker's kReady. Throws RuntimeError with the worker's reason when it
// could not set up (no GPU, out of memory for the buffers), died or did not answer.
void await_ready(worker::Worker& w, double timeout_s);

}  // namespace weft::runtime::cuda_worker
