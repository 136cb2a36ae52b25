#include "runtime/measure.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "ir/interpreter.h"
#include "runtime/measure_worker.h"
#include "support/error.h"
#include "support/log.h"
#include "support/rng.h"

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

std::vector<ir::NDArray*> pointers(std::vector<ir::NDArray>& arrays) {
  std::vector<ir::NDArray*> out;
  for (auto& a : arrays) out.push_back(&a);
  return out;
}

// Builds candidates [begin, end) with one compiler call; when that call fails, each
// candidate alone, so one bad candidate costs only itself.
void build_chunk(const CpuBuilder& builder, const std::vector<ir::PrimFunc>& candidates, size_t begin, size_t end,
                 std::vector<std::optional<CpuFunction>>& functions, std::vector<MeasureResult>& results) {
  auto build_range = [&](size_t b, size_t e) {
    std::vector<NamedFunc> funcs;
    for (size_t i = b; i < e; ++i) funcs.emplace_back("c" + std::to_string(i), candidates[i]);
    auto module = builder.build(funcs);
    for (size_t i = b; i < e; ++i) functions[i] = module->get_function("c" + std::to_string(i));
  };
  try {
    build_range(begin, end);
    return;
  } catch (const Error& e) {
    if (end - begin == 1) {
      results[begin].status = MeasureStatus::BuildError;
      results[begin].error = e.what();
      return;
    }
  }
  for (size_t i = begin; i < end; ++i) {
    try {
      build_range(i, i + 1);
    } catch (const Error& e) {
      results[i].status = MeasureStatus::BuildError;
      results[i].error = e.what();
    }
  }
}

}  // namespace

CpuMeasurer::CpuMeasurer(ir::Workload workload, MeasureConfig config)
    : workload_(std::move(workload)), config_(std::move(config)) {
  Rng rng(config_.input_seed);
  for (const ir::Buffer& p : workload_.func->params) inputs_.push_back(ir::NDArray::random(p->dtype, p->shape, rng));
}

std::string CpuMeasurer::reference_kind() const {
  return workload_.flops <= config_.interpreter_max_flops ? "interpreter" : "compiled unscheduled program";
}

const std::vector<ir::NDArray>& CpuMeasurer::reference() {
  if (expected_) return *expected_;
  std::vector<ir::NDArray> expected = inputs_;
  auto ptrs = pointers(expected);
  if (workload_.flops <= config_.interpreter_max_flops) {
    ir::interpret(workload_.func, ptrs);
  } else {
    CpuBuilder builder(config_.build);
    builder.build({{"reference", workload_.func}})->get_function("reference")(ptrs);
  }
  expected_ = std::move(expected);
  return *expected_;
}

std::vector<MeasureResult> CpuMeasurer::measure(const std::vector<ir::PrimFunc>& candidates) {
  const size_t n = candidates.size();
  std::vector<MeasureResult> results(n);
  if (n == 0) return results;
  for (size_t i = 0; i < n; ++i) {
    if (!candidates[i] || candidates[i]->params.size() != workload_.func->params.size())
      throw UsageError("candidate " + std::to_string(i) + " does not have the parameters of '" + workload_.spec + "'");
  }
  const auto& expected = reference();

  // Build: several compiler calls at once.
  auto t0 = std::chrono::steady_clock::now();
  int jobs = config_.build_jobs > 0 ? config_.build_jobs : static_cast<int>(std::thread::hardware_concurrency());
  jobs = std::clamp(jobs, 1, static_cast<int>(n));
  size_t chunk = (n + static_cast<size_t>(jobs) - 1) / static_cast<size_t>(jobs);
  std::vector<std::optional<CpuFunction>> functions(n);
  CpuBuilder builder(config_.build);
  std::vector<std::thread> threads;
  for (size_t b = 0; b < n; b += chunk)
    threads.emplace_back(build_chunk, std::cref(builder), std::cref(candidates), b, std::min(n, b + chunk),
                         std::ref(functions), std::ref(results));
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
      std::string why;
      auto got = worker::next_result(w, config_.run_timeout_s, why);
      if (!got) {
        results[next].status = why.rfind("timed out", 0) == 0 ? MeasureStatus::Timeout : MeasureStatus::RunError;
        results[next].error = why;
        logger()->debug("candidate {} of '{}': {}", next, workload_.spec, why);
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
