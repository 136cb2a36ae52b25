// `weft tune <workload>... --target cpu --db weft.db --trials N [--seed S]
// [--time-budget T]`: tunes workloads of the op library into the tuning database,
// showing a live table; running it again continues from the database.
#include <unistd.h>

#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/tune_display.h"
#include "search/tuner.h"
#include "support/error.h"

namespace weft::cli {
namespace {

struct TuneArgs {
  std::vector<std::string> workloads;
  std::vector<double> weights;
  std::string target = "cpu";
  std::string db = "weft.db";
  std::string model;
  int trials = 64;
  uint64_t seed = 0;
  double time_budget = 0;
  std::string cost_model = "xgb";
  search::SearchConfig search;
  double run_timeout = 20;
  int repeats = 5;
  bool quiet = false;
};

nlohmann::json to_json(const search::TuneProgress& p, const std::string& target, const std::string& db) {
  nlohmann::json tasks = nlohmann::json::array();
  for (const auto& t : p.tasks) {
    nlohmann::json j{{"workload", t.spec}, {"hash", t.hash},       {"weight", t.weight},
                     {"trials", t.trials}, {"failures", t.failures}, {"target", target}};
    if (std::isinf(t.best_us)) {
      j["median_us"] = nullptr;
      j["gflops"] = nullptr;
      j["trace"] = nullptr;
    } else {
      j["median_us"] = t.best_us;
      j["gflops"] = t.best_gflops;
      j["trace"] = t.best_trace;
    }
    tasks.push_back(j);
  }
  return {{"db", db},
          {"target", target},
          {"trials", p.trials_done},
          {"trials_this_run", p.trials_this_run},
          {"elapsed_s", p.elapsed_s},
          {"tasks", tasks}};
}

const RegisterCommand kTune([](CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto a = std::make_shared<TuneArgs>();
  auto* cmd = app.add_subcommand("tune", "Tune workloads into the tuning database (resumable)");
  cmd->add_option("workloads", a->workloads, "Workload specs")->required();
  cmd->add_option("--weights", a->weights, "One weight per workload (how often the model runs it)")->delimiter(',');
  cmd->add_option("--target", a->target, "cpu, or a target key backend/arch/device")->default_val("cpu");
  cmd->add_option("--db", a->db, "Tuning database")->default_val("weft.db");
  cmd->add_option("--model", a->model, "Store the workloads as the tasks of this model");
  cmd->add_option("--trials", a->trials, "Measured trials the workloads should have in the database, in all")
      ->check(CLI::Range(0, 10000000))
      ->default_val(64);
  cmd->add_option("--seed", a->seed, "Seed of the search")->default_val(0);
  cmd->add_option("--time-budget", a->time_budget, "Stop after this many seconds (checked between batches)")
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_option("--cost-model", a->cost_model, "xgb or random")->default_val("xgb");
  cmd->add_option("--population", a->search.population, "Evolutionary population")->check(CLI::Range(1, 100000));
  cmd->add_option("--generations", a->search.generations, "Generations per round")->check(CLI::Range(0, 100));
  cmd->add_option("--batch", a->search.batch, "Candidates measured per round")->check(CLI::Range(1, 100000));
  cmd->add_option("--mutation-prob", a->search.mutation_prob, "Mutation probability")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--eps-greedy", a->search.eps_greedy, "Share of random picks per batch")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--run-timeout", a->run_timeout, "Seconds one candidate may run")->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--repeats", a->repeats, "Timed repeats per candidate")->check(CLI::Range(1, 1000));
  cmd->add_flag("--quiet", a->quiet, "No live progress");
  cmd->callback([&global, &exit_code, a] {
    if (!a->weights.empty() && a->weights.size() != a->workloads.size())
      throw UsageError("--weights has " + std::to_string(a->weights.size()) + " value(s) for " +
                       std::to_string(a->workloads.size()) + " workload(s)");
    std::vector<search::TaskSpec> tasks;
    for (size_t i = 0; i < a->workloads.size(); ++i)
      tasks.push_back({a->workloads[i], a->weights.empty() ? 1.0 : a->weights[i]});
    search::TuneOptions o;
    o.target = parse_target(a->target);
    o.db_path = a->db;
    o.trials = a->trials;
    o.time_budget_s = a->time_budget;
    o.seed = a->seed;
    o.cost_model = a->cost_model;
    o.model_name = a->model;
    o.search = a->search;
    o.measure.run_timeout_s = a->run_timeout;
    o.measure.runner.repeats = a->repeats;
    o.cuda_measure.run_timeout_s = a->run_timeout;
    o.cuda_measure.repeats = a->repeats;
    auto display = std::make_shared<TuneDisplay>(std::cerr, isatty(STDERR_FILENO) != 0);
    if (!a->quiet && !global.json) o.on_progress = [display](const search::TuneProgress& p) { display->update(p); };
    search::TuneProgress p = search::tune(tasks, o);
    if (global.json) {
      std::cout << to_json(p, o.target.key(), a->db).dump(2) << "\n";
    } else {
      std::cout << "target " << o.target.key() << ", database " << a->db << "\n" << tune_table(p);
    }
    exit_code = 0;
  });
});

}  // namespace
}  // namespace weft::cli
