// Opt-in generator of data/matmul_cpu.jsonl (not run by default):
//
//   OMP_NUM_THREADS=1 build/test_costmodel --gtest_also_run_disabled_tests \
//       --gtest_filter='RankingData.DISABLED_Generate'
//
// Draws random schedules of a few small matmul/dense workloads with the schedule
// language (sampled tiles, loop orders, cache_write + reverse_compute_at,
// decompose_reduction, parallel / vectorize / unroll), measures each with
// runtime::evaluate_cpu (the check against the interpreter must pass) and writes
// spec + trace text + median time. WEFT_RANKING_DATA_OUT overrides the output path.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "ir/workload.h"
#include "ranking_data.h"
#include "runtime/evaluate.h"
#include "schedule/error.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_cache.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/primitives_reduction.h"
#include "schedule/sampling.h"
#include "support/error.h"

namespace weft::costmodel::testing {
namespace {

using namespace weft::sched;

// A primitive that may be refused (ScheduleError leaves the schedule unchanged).
bool attempt(const std::function<void()>& primitive) {
  try {
    primitive();
    return true;
  } catch (const ScheduleError&) {
    return false;
  }
}

bool coin(Rng& rng, double p) { return rng.uniform_real() < p; }

// One random schedule of the GEMM block `gemm` (loops i, j, k) and, when given,
// its elementwise consumer `epilogue`.
Schedule random_gemm_schedule(const ir::PrimFunc& func, const std::string& gemm, const std::string& epilogue,
                              uint64_t seed) {
  Schedule sch(func, seed);
  Rng& rng = sch.rng();
  BlockRV c = get_block(sch, gemm);
  std::vector<LoopRV> l = get_loops(sch, c);
  auto tiles = [&](LoopRV loop, int n, int64_t max_inner) {
    std::vector<Arg> f;
    for (ExprRV e : sample_perfect_tile(sch, loop, n, max_inner)) f.push_back(Arg(e));
    return split(sch, loop, f);
  };
  std::vector<LoopRV> i = tiles(l[0], 3, 16), j = tiles(l[1], 3, 64), k = tiles(l[2], 2, 32);
  // Loop orders of the usual tilings, plus now and then a random one.
  std::vector<std::vector<LoopRV>> orders = {
      {i[0], j[0], k[0], i[1], j[1], k[1], i[2], j[2]},
      {i[0], j[0], i[1], j[1], k[0], k[1], i[2], j[2]},
      {i[0], j[0], k[0], i[1], k[1], j[1], i[2], j[2]},
      {i[0], i[1], j[0], j[1], k[0], i[2], k[1], j[2]},
  };
  std::vector<LoopRV> order = orders[rng.uniform_int(0, static_cast<int64_t>(orders.size()) - 1)];
  if (coin(rng, 0.2))
    for (size_t a = order.size(); a > 1; --a) std::swap(order[a - 1], order[rng.uniform_int(0, a - 1)]);
  reorder(sch, order);
  if (!epilogue.empty() && coin(rng, 0.6)) {
    BlockRV e = get_block(sch, epilogue);
    attempt([&] { reverse_compute_at(sch, e, order[rng.uniform_int(0, 2)]); });
  } else if (epilogue.empty() && coin(rng, 0.5)) {
    BlockRV w = cache_write(sch, c, 0, "local");
    attempt([&] { reverse_compute_at(sch, w, order[rng.uniform_int(0, 2)]); });
  }
  if (coin(rng, 0.6)) {
    std::vector<LoopRV> now = get_loops(sch, c);
    for (LoopRV loop : now)
      if (attempt([&] { decompose_reduction(sch, c, loop); })) break;
  }
  if (coin(rng, 0.4)) attempt([&] { parallel(sch, get_loops(sch, c).front()); });
  std::vector<LoopRV> now = get_loops(sch, c);
  if (coin(rng, 0.7)) attempt([&] { vectorize(sch, now.back()); });
  if (coin(rng, 0.3)) attempt([&] { unroll(sch, now[now.size() - 2]); });
  return sch;
}

TEST(RankingData, DISABLED_Generate) {
  struct Task {
    std::string spec, gemm, epilogue;
    int count;
  };
  const std::vector<Task> tasks = {
      {"matmul:M=64,N=64,K=64", "C", "", 90},
      {"matmul:M=128,N=96,K=64", "C", "", 90},
      {"matmul:M=64,N=128,K=128,tb=1", "C", "", 90},
      {"dense_bias_relu:M=64,N=128,K=64", "matmul", "bias_relu", 90},
  };
  const char* out_env = std::getenv("WEFT_RANKING_DATA_OUT");
  std::string path = out_env ? out_env : ranking_data_path();
  std::ofstream out(path);
  ASSERT_TRUE(out) << path;
  runtime::EvalOptions options;
  options.runner.warmup = 3;
  options.runner.repeats = 25;
  options.runner.min_repeat_ms = 0;  // one call per repeat: short runs are rarely preempted
  const char* threads = std::getenv("OMP_NUM_THREADS");
  out << nlohmann::json{{"meta",
                         {{"generator", "tests/costmodel/ranking_data_generator.cpp"},
                          {"omp_num_threads", threads ? threads : "unset"},
                          {"warmup", options.runner.warmup},
                          {"repeats", options.runner.repeats},
                          {"min_repeat_ms", options.runner.min_repeat_ms}}}}
             .dump()
      << "\n";
  uint64_t seed = 1;
  for (const Task& task : tasks) {
    ir::Workload w = ir::make_workload(task.spec);
    int written = 0;
    for (int attempt_no = 0; written < task.count && attempt_no < task.count * 3; ++attempt_no) {
      Schedule sch = random_gemm_schedule(w.func, task.gemm, task.epilogue, seed++);
      runtime::EvalResult r;
      try {
        r = runtime::evaluate_cpu(w, sch.func(), options);
      } catch (const Error& e) {
        ADD_FAILURE() << task.spec << ": " << e.what() << "\n" << sch.trace().to_text();
        continue;
      }
      if (r.check != "pass") {
        ADD_FAILURE() << task.spec << ": " << r.check_message << "\n" << sch.trace().to_text();
        continue;
      }
      out << nlohmann::json{{"spec", w.spec},
                            {"trace", sch.trace().to_text()},
                            {"median_us", r.median_us},
                            {"gflops", r.gflops}}
                 .dump()
          << "\n"
          << std::flush;
      ++written;
    }
    std::printf("%s: %d measurements\n", task.spec.c_str(), written);
  }
}

}  // namespace
}  // namespace weft::costmodel::testing
