#include "search/tuner.h"

#include <chrono>
#include <unordered_set>

#include "costmodel/cost_model.h"
#include "db/database.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "ir/workload.h"
#include "search/evolutionary.h"
#include "search/space.h"
#include "search/task_measurer.h"
#include "search/task_scheduler.h"
#include "support/error.h"
#include "support/log.h"

namespace weft::search {
namespace {

using Clock = std::chrono::steady_clock;

// Everything the tuner keeps per task.
struct TaskRun {
  ir::Workload workload;
  TaskStatus status;
  std::unique_ptr<EvolutionarySearch> search;
  TaskMeasurer measure;
  std::unordered_set<std::string> measured;  // structural hashes of measured programs
};

double gflops_of(double flops, double us) { return us > 0 ? flops / (us * 1e3) : 0; }

void note_best(TaskStatus& s, double us, const std::string& trace) {
  if (us > 0 && us < s.best_us) {
    s.best_us = us;
    s.best_gflops = gflops_of(s.flops, us);
    s.best_trace = trace;
  }
}

// Reads what the database knows of a task: measured programs (so they are not
// measured again) and samples for the cost model.
void load_history(const db::Database& database, const Target& target, TaskRun& run,
                  std::vector<costmodel::Sample>& samples) {
  std::vector<db::Record> records = database.records(run.status.hash, target.key());
  int stale = 0;
  std::string first_error;
  for (const db::Record& r : records) {
    run.status.trials += 1;
    if (r.status != db::RecordStatus::Ok) run.status.failures += 1;
    std::optional<Candidate> c;
    std::string why;
    try {
      c = make_candidate(sched::Trace::parse_text(r.trace_text, "record " + std::to_string(r.id)), run.workload.func,
                         target, 0, &why);
    } catch (const Error& e) {
      why = e.what();
    }
    if (!c) {
      if (stale++ == 0) first_error = why;
      continue;
    }
    run.measured.insert(c->hash);
    double gflops = r.status == db::RecordStatus::Ok ? gflops_of(run.status.flops, r.median_us) : 0;
    samples.push_back({std::move(c->features), run.status.hash, gflops});
    if (r.status == db::RecordStatus::Ok) note_best(run.status, r.median_us, r.trace_text);
  }
  if (stale > 0)
    logger()->warn("{}: {} stored record(s) no longer replay and are ignored (first: {})", run.status.spec, stale,
                   first_error);
}

std::vector<sched::Trace> elites_of(const db::Database& database, const Target& target, const TaskRun& run, int k) {
  std::vector<sched::Trace> out;
  if (k <= 0) return out;
  for (const db::Record& r : database.best(run.status.hash, target.key(), k).records) {
    try {
      out.push_back(sched::Trace::parse_text(r.trace_text, "record " + std::to_string(r.id)));
    } catch (const Error&) {
      // already reported by load_history
    }
  }
  return out;
}

db::Record to_record(const TaskRun& run, const Target& target, const Candidate& c, const runtime::MeasureResult& m) {
  db::Record r;
  r.workload_hash = run.status.hash;
  r.target_key = target.key();
  r.trace_text = c.trace.to_text();
  r.median_us = m.median_us;
  r.latencies_us = m.latencies_us;
  r.status = db::parse_record_status(runtime::to_string(m.status));
  r.error = m.error;
  r.feature_version = costmodel::kFeatureVersion;
  r.weft_version = WEFT_VERSION;
  return r;
}

}  // namespace

TuneProgress tune(const std::vector<TaskSpec>& specs, const TuneOptions& options) {
  if (specs.empty()) throw UsageError("tune: no workload given");
  if (options.trials < 0) throw UsageError("tune: --trials must be >= 0");
  if (options.search.batch < 1 || options.search.population < 1)
    throw UsageError("tune: population and batch must be >= 1");
  const auto start = Clock::now();
  const Target& target = options.target;
  // The measurers first: a target that cannot be measured here (no GPU) fails
  // before the database is created or touched.
  std::vector<TaskRun> runs(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    TaskRun& run = runs[i];
    run.workload = ir::make_workload(specs[i].workload);
    runtime::MeasureConfig mc = options.measure;
    mc.input_seed = options.seed;
    runtime::CudaMeasureConfig cc = options.cuda_measure;
    cc.input_seed = options.seed;
    run.measure = make_task_measurer(run.workload, target, mc, cc);
  }
  db::Database database = db::Database::open(options.db_path);
  auto model = costmodel::make_cost_model(options.cost_model, options.seed);
  if (auto blob = database.load_cost_model(target.key(), costmodel::kFeatureVersion)) {
    try {
      model->load(*blob);
    } catch (const Error& e) {
      logger()->warn("the stored cost model is ignored: {}", e.what());
    }
  }

  std::vector<costmodel::Sample> history;
  for (size_t i = 0; i < specs.size(); ++i) {
    TaskRun& run = runs[i];
    run.status.spec = run.workload.spec;
    run.status.hash = ir::structural_hash_hex(run.workload.func);
    run.status.weight = specs[i].weight;
    run.status.flops = run.workload.flops;
    database.add_workload({run.status.hash, run.status.spec, ir::to_text(run.workload.func), run.workload.flops});
    load_history(database, target, run, history);
    uint64_t seed = options.seed * 1000003 + i;
    run.search = std::make_unique<EvolutionarySearch>(run.workload.func, target, options.search,
                                                      generate_design_space(run.workload.func, target, seed),
                                                      default_mutators(target), seed);
  }
  if (!options.model_name.empty()) {
    std::vector<std::pair<std::string, double>> tasks;
    for (const TaskRun& r : runs) tasks.emplace_back(r.status.hash, r.status.weight);
    database.add_model(options.model_name, tasks);
  }
  if (!history.empty()) model->update(history);

  std::vector<double> weights;
  for (const TaskRun& r : runs) weights.push_back(r.status.weight);
  TaskScheduler scheduler(weights);
  TuneProgress progress;
  progress.trials_wanted = options.trials;
  auto refresh = [&] {
    progress.tasks.clear();
    progress.trials_done = 0;
    for (const TaskRun& r : runs) {
      progress.tasks.push_back(r.status);
      progress.trials_done += r.status.trials;
    }
    progress.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  };
  for (size_t i = 0; i < runs.size(); ++i)
    if (runs[i].status.trials > 0) scheduler.set_prior(i, runs[i].status.trials, runs[i].status.best_us);
  refresh();
  if (options.on_progress) options.on_progress(progress);

  int rounds = 0;
  while (progress.trials_done < options.trials) {
    if (options.time_budget_s > 0 && progress.elapsed_s >= options.time_budget_s) {
      logger()->info("time budget of {} s reached", options.time_budget_s);
      break;
    }
    std::optional<size_t> next = scheduler.next();
    if (!next) break;
    TaskRun& run = runs[*next];
    auto t0 = Clock::now();
    int elite_count = static_cast<int>(options.search.population * options.search.init_from_db);
    std::vector<Candidate> batch =
        run.search->next_batch(*model, elites_of(database, target, run, elite_count), run.measured);
    size_t room = static_cast<size_t>(options.trials - progress.trials_done);
    if (batch.size() > room) batch.resize(room);
    if (batch.empty()) {
      logger()->info("{}: the search space has nothing new to measure", run.status.spec);
      run.status.exhausted = true;
      scheduler.mark_done(*next);
      refresh();
      continue;
    }
    std::vector<ir::PrimFunc> funcs;
    for (const Candidate& c : batch) funcs.push_back(c.func);
    auto t1 = Clock::now();
    std::vector<runtime::MeasureResult> results = run.measure(funcs);
    auto t2 = Clock::now();

    std::vector<db::Record> records;
    std::vector<costmodel::Sample> samples;
    for (size_t i = 0; i < batch.size(); ++i) {
      records.push_back(to_record(run, target, batch[i], results[i]));
      run.measured.insert(batch[i].hash);
      bool ok = results[i].status == runtime::MeasureStatus::Ok;
      samples.push_back({batch[i].features, run.status.hash, ok ? gflops_of(run.status.flops, results[i].median_us) : 0});
      run.status.trials += 1;
      if (!ok) {
        run.status.failures += 1;
        logger()->debug("{}: candidate failed ({}): {}", run.status.spec, runtime::to_string(results[i].status),
                        results[i].error);
      } else {
        note_best(run.status, results[i].median_us, records.back().trace_text);
      }
    }
    database.add_records(records);  // one transaction per measured batch
    model->update(samples);
    auto t3 = Clock::now();
    auto secs = [](Clock::duration d) { return std::chrono::duration<double>(d).count(); };
    logger()->info("{}: batch of {}: search {:.1f} s, build and measure {:.1f} s, cost model {:.1f} s",
                   run.status.spec, batch.size(), secs(t1 - t0), secs(t2 - t1), secs(t3 - t2));
    scheduler.record_round(*next, static_cast<int>(batch.size()), run.status.best_us);
    progress.trials_this_run += static_cast<int>(batch.size());
    if (++rounds % 4 == 0)
      database.save_cost_model(target.key(), costmodel::kFeatureVersion, model->save(),
                               static_cast<int64_t>(model->num_samples()));
    refresh();
    if (options.on_progress) options.on_progress(progress);
  }
  if (rounds > 0)
    database.save_cost_model(target.key(), costmodel::kFeatureVersion, model->save(),
                             static_cast<int64_t>(model->num_samples()));
  refresh();
  return progress;
}

}  // namespace weft::search
