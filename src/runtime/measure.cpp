#include "runtime/measure.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "runtime/measure_worker.h"
#include "runtime/openmp_fork.h"
#include "runtime/output_check.h"
#include "runtime/reference.h"
#include "support/error.h"
#include "support/log.h"

namespace weft::runtime {

const char* to_string(MeasureStatus status) {
  switch (status) {
    case MeasureStatus::Ok: return "ok";
    case MeasureStatus::WrongResult: return "wrong";
    case MeasureStatus::BuildError: return "build_error";
    case MeasureStatus::RunError: return "run_error";
    case MeasureStatus::Timeout: return "timeout";
  }
  return "?";
}

namespace {

// Builds candidate i alone: one compiler call each, so a candidate that is slow to
// compile or does not compile costs only itself.
void build_one(const CpuBuilder& builder, const ir::PrimFunc& candidate, std::optional<CpuFunction>& function,
               MeasureResult& result) {
  try {
    function = builder.build({{"candidate", candidate}})->get_function("candidate");
  } catch (const Error& e) {
    result.status = MeasureStatus::BuildError;
    result.error = e.what();
  }
}

}  // namespace

CpuMeasurer::CpuMeasurer(ir::Workload workload, MeasureConfig config)
    : workload_(std::move(workload)),
      config_(std::move(config)),
      inputs_(random_arguments(workload_.func, config_.input_seed)) {
  keep_parent_openmp_serial();  // before the caller's XGBoost can start a pool (openmp_fork.h)
}

std::string CpuMeasurer::reference_kind() const {
  return workload_.flops <= config_.interpreter_max_flops ? "interpreter" : "compiled unscheduled program";
}

const std::vector<ir::NDArray>& CpuMeasurer::reference() {
  if (!expected_) expected_ = reference_arguments(workload_, inputs_, config_.interpreter_max_flops, config_.build);
  return *expected_;
}

std::vector<MeasureResult> CpuMeasurer::measure(const std::vector<ir::PrimFunc>& candidates) {
  const size_t n = candidates.size();
  std::vector<MeasureResult> results(n);
  if (n == 0) return results;
  check_candidate_params(workload_, candidates);
  const auto& expected = reference();

  // Build: several compiler calls at once, one candidate each.
  auto t0 = std::chrono::steady_clock::now();
  int jobs = config_.build_jobs > 0 ? config_.build_jobs : static_cast<int>(std::thread::hardware_concurrency());
  jobs = std::clamp(jobs, 1, static_cast<int>(n));
  std::vector<std::optional<CpuFunction>> functions(n);
  CpuBuildConfig build_config = config_.build;
  build_config.compile_timeout_s = config_.compile_timeout_s;
  CpuBuilder builder(build_config);
  std::atomic<size_t> next_to_build{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < jobs; ++t)
    threads.emplace_back([&] {
      for (size_t i; (i = next_to_build++) < n;) build_one(builder, candidates[i], functions[i], results[i]);
    });
  for (auto& t : threads) t.join();

  auto t1 = std::chrono::steady_clock::now();
  // Run: a worker process; a crash or hang marks the candidate in flight and a new
  // worker goes on with the next one.
  worker::Job job{&functions, &inputs_, &expected, workload_.num_outputs, config_.runner};
  size_t next = 0;
  auto skip_unbuilt = [&] {
    while (next < n && !functions[next]) ++next;
  };
  skip_unbuilt();
  while (next < n) {
    worker::Worker w = worker::start(job, next);
    while (next < n) {
      MeasureResult failure;
      auto got = worker::next_result(w, config_.run_timeout_s, failure);
      if (!got) {
        logger()->debug("candidate {} of '{}': {}", next, workload_.spec, failure.error);
        results[next] = std::move(failure);
        ++next;
        skip_unbuilt();
        break;
      }
      if (got->first != next) throw InternalError("measurement worker answered out of order");
      results[next] = std::move(got->second);
      ++next;
      skip_unbuilt();
    }
    worker::stop(w);
  }
  auto t2 = std::chrono::steady_clock::now();
  logger()->debug("measured {} candidate(s) of '{}': build {:.1f} s, run {:.1f} s", n, workload_.spec,
                  std::chrono::duration<double>(t1 - t0).count(), std::chrono::duration<double>(t2 - t1).count());
  return results;
}

}  // namespace weft::runtime
