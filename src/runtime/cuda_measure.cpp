#include "runtime/cuda_measure.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "codegen/cuda_emitter.h"
#include "runtime/cuda_device.h"
#include "runtime/cuda_worker.h"
#include "runtime/output_check.h"
#include "runtime/reference.h"
#include "support/error.h"
#include "support/log.h"

namespace weft::runtime {

CudaCompiler nvrtc_compiler() {
  return [](const ir::PrimFunc& candidate, const std::string& arch) {
    return build_cuda(codegen::emit_cuda(candidate, "candidate"), arch);
  };
}

CudaMeasurer::CudaMeasurer(ir::Workload workload, CudaMeasureConfig config, CudaCompiler compiler)
    : workload_(std::move(workload)),
      config_(std::move(config)),
      compiler_(std::move(compiler)),
      inputs_(random_arguments(workload_.func, config_.input_seed)) {
  if (!compiler_) throw UsageError("CudaMeasurer needs a compiler");
  if (config_.repeats < 1 || config_.warmup < 0)
    throw UsageError("CUDA measurement needs repeats >= 1 and warmup >= 0 (got " + std::to_string(config_.repeats) +
                     " and " + std::to_string(config_.warmup) + ")");
}

Target CudaMeasurer::target() const { return cuda_device_target(config_.device); }

const std::vector<ir::NDArray>& CudaMeasurer::reference() {
  if (!expected_) expected_ = reference_arguments(workload_, inputs_, config_.interpreter_max_flops, config_.reference_build);
  return *expected_;
}

std::vector<MeasureResult> CudaMeasurer::measure(const std::vector<ir::PrimFunc>& candidates) {
  const size_t n = candidates.size();
  std::vector<MeasureResult> results(n);
  if (n == 0) return results;
  check_candidate_params(workload_, candidates);
  // Before any work: without a GPU nothing can be measured (see the header).
  const std::string arch = target().arch;

  auto t0 = std::chrono::steady_clock::now();
  // Emitting and NVRTC run in this process, several candidates at once.
  std::vector<std::optional<CudaBinary>> binaries(n);
  int jobs = config_.build_jobs > 0 ? config_.build_jobs : static_cast<int>(std::thread::hardware_concurrency());
  jobs = std::clamp(jobs, 1, static_cast<int>(n));
  std::atomic<size_t> next_to_build{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < jobs; ++t)
    threads.emplace_back([&] {
      for (size_t i; (i = next_to_build++) < n;) {
        try {
          binaries[i] = compiler_(candidates[i], arch);
        } catch (const Error& e) {
          results[i] = MeasureResult{MeasureStatus::BuildError, 0, {}, e.what()};
        }
      }
    });
  for (auto& t : threads) t.join();

  auto t1 = std::chrono::steady_clock::now();
  run(binaries, results);
  auto t2 = std::chrono::steady_clock::now();
  logger()->debug("measured {} candidate(s) of '{}' on the GPU: build {:.1f} s, run {:.1f} s", n, workload_.spec,
                  std::chrono::duration<double>(t1 - t0).count(), std::chrono::duration<double>(t2 - t1).count());
  return results;
}

std::vector<MeasureResult> CudaMeasurer::measure_binaries(const std::vector<CudaBinary>& binaries) {
  std::vector<std::optional<CudaBinary>> built(binaries.begin(), binaries.end());
  std::vector<MeasureResult> results(binaries.size());
  if (!binaries.empty()) {
    target();  // NoGpuError before any work
    run(built, results);
  }
  return results;
}

void CudaMeasurer::run(const std::vector<std::optional<CudaBinary>>& binaries, std::vector<MeasureResult>& results) {
  const size_t n = binaries.size();
  size_t next = 0;
  auto skip_unbuilt = [&] {
    while (next < n && !binaries[next]) ++next;
  };
  skip_unbuilt();
  if (next == n) return;
  const auto& expected = reference();
  cuda_worker::Job job{&binaries,      &workload_.func, &inputs_,        &expected,        workload_.num_outputs,
                       config_.device, config_.warmup,  config_.repeats, config_.flush_l2};
  // A fault (the worker retires after reporting it) or a hang (the worker is killed)
  // ends a worker; a fresh one goes on with the next candidate.
  while (next < n) {
    worker::Worker w = cuda_worker::start(job, next);
    cuda_worker::await_ready(w, config_.worker_start_timeout_s);
    while (next < n) {
      MeasureResult failure;
      auto got = worker::next_result(w, config_.run_timeout_s, failure);
      if (!got) {
        logger()->debug("candidate {} of '{}' on the GPU: {}", next, workload_.spec, failure.error);
        results[next] = std::move(failure);
        ++next;
        skip_unbuilt();
        break;
      }
      if (got->first == cuda_worker::kRetiring) break;
      if (got->first != next) throw InternalError("CUDA measurement worker answered out of order");
      results[next] = std::move(got->second);
      ++next;
      skip_unbuilt();
    }
    worker::stop(w);
  }
}

}  // namespace weft::runtime
