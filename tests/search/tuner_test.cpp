// The tuner end to end on small workloads: it finds fast programs, writes every
// measured batch to the database, resumes from it, and its records replay.
#include "search/tuner.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "costmodel/feature_layout.h"
#include "db/database.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "ir/workload.h"
#include "schedule/trace.h"
#include "search/best_program.h"
#include "search/space.h"

namespace weft::search {
namespace {

std::string fresh_db(const std::string& name) {
  std::string path = ::testing::TempDir() + "weft_tuner_" + name + "_" + std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

TuneOptions small_options(const std::string& db, int trials, int batch) {
  TuneOptions o;
  o.target = host_cpu_target();
  o.db_path = db;
  o.trials = trials;
  o.seed = 3;
  o.search.population = 64;
  o.search.generations = 2;
  o.search.batch = batch;
  o.measure.runner = runtime::RunnerConfig{1, 5, 0, false};
  o.measure.build_jobs = 2;
  return o;
}

// The issue asks for 5x within 64 trials; 32 keep CI short and already give far more.
TEST(Tuner, FindsAProgramFiveTimesFasterThanTheUnscheduledOneWithin64Trials) {
  // One OpenMP thread: on a loaded 2-core machine (CI runs tests in parallel) a
  // parallel region waits a scheduler time slice for its second thread, which
  // measures the machine's load, not the schedule. Tiling and vectorising must win.
  setenv("OMP_NUM_THREADS", "1", 1);
  std::string db = fresh_db("gemm");
  const std::string spec = "matmul:M=64,N=64,K=64";
  TuneOptions o = small_options(db, 32, 16);
  int callbacks = 0;
  o.on_progress = [&](const TuneProgress&) { ++callbacks; };
  TuneProgress p = tune({{spec, 1}}, o);
  ASSERT_EQ(p.tasks.size(), 1u);
  EXPECT_EQ(p.trials_done, 32);
  EXPECT_EQ(p.trials_this_run, 32);
  EXPECT_EQ(callbacks, 3);  // once at the start, once per batch

  ir::Workload w = ir::make_workload(spec);
  runtime::CpuMeasurer baseline(w, o.measure);
  auto base = baseline.measure({w.func});
  ASSERT_EQ(base[0].status, runtime::MeasureStatus::Ok) << base[0].error;
  double speedup = base[0].median_us / p.tasks[0].best_us;
  std::cout << "unscheduled " << base[0].median_us << " us, tuned " << p.tasks[0].best_us << " us, speed-up "
            << speedup << "x\n";
  EXPECT_GE(speedup, 5.0) << p.tasks[0].best_trace;

  db::Database database = db::Database::open(db);
  EXPECT_EQ(database.count_records(p.tasks[0].hash, o.target.key()), 32);
  EXPECT_TRUE(database.load_cost_model(o.target.key(), costmodel::kFeatureVersion).has_value());
}

TEST(Tuner, ResumesFromTheDatabaseAndNeverMeasuresAProgramTwice) {
  std::string db = fresh_db("resume");
  const std::string spec = "matmul:M=16,N=32,K=8";
  TuneProgress first = tune({{spec, 1}}, small_options(db, 6, 3));
  EXPECT_EQ(first.trials_this_run, 6);
  TuneProgress second = tune({{spec, 1}}, small_options(db, 12, 3));
  EXPECT_EQ(second.trials_this_run, 6);
  EXPECT_EQ(second.trials_done, 12);
  EXPECT_LE(second.tasks[0].best_us, first.tasks[0].best_us);
  TuneProgress third = tune({{spec, 1}}, small_options(db, 12, 3));
  EXPECT_EQ(third.trials_this_run, 0);

  // Every record realizes, to a program measured once, and replaying gives identical IR.
  db::Database database = db::Database::open(db);
  ir::Workload w = ir::make_workload(spec);
  std::set<std::string> programs;
  for (const db::Record& r : database.records(second.tasks[0].hash)) {
    sched::Trace t = sched::Trace::parse_text(r.trace_text);
    std::string a = ir::to_text(realize(t, w.func, host_cpu_target()).func());
    std::string b = ir::to_text(realize(t, w.func, host_cpu_target()).func());
    EXPECT_EQ(a, b);
    EXPECT_TRUE(programs.insert(ir::structural_hash_hex(realize(t, w.func, host_cpu_target()).func())).second)
        << r.trace_text;
  }
  EXPECT_EQ(programs.size(), 12u);

  // weft compile's choice is the best record, replayed.
  BestProgram best = best_program(database, spec, host_cpu_target());
  ASSERT_TRUE(best.record.has_value());
  EXPECT_DOUBLE_EQ(best.record->median_us, second.tasks[0].best_us);
  EXPECT_TRUE(ir::structural_equal(
      best.func, realize(sched::Trace::parse_text(best.record->trace_text), w.func, host_cpu_target()).func()));
}

TEST(Tuner, TwoTunersWriteOneDatabase) {
  std::string db = fresh_db("two");
  db::Database::open(db);  // create it before the race
  const char* specs[] = {"matmul:M=16,N=16,K=16", "dense_bias_relu:M=8,N=16,K=8"};
  std::vector<pid_t> children;
  for (const char* spec : specs) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      try {
        TuneProgress p = tune({{spec, 1}}, small_options(db, 6, 2));
        code = p.trials_done == 6 ? 0 : 3;
      } catch (...) {
        code = 4;
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  db::Database database = db::Database::open(db);
  for (const char* spec : specs) {
    auto w = ir::make_workload(spec);
    EXPECT_EQ(database.count_records(ir::structural_hash_hex(w.func), host_cpu_target().key()), 6) << spec;
  }
}

TEST(Tuner, ATimeBudgetStopsIt) {
  std::string db = fresh_db("budget");
  TuneOptions o = small_options(db, 100, 2);
  o.time_budget_s = 1e-6;
  TuneProgress p = tune({{"add:M=32,N=32", 1}}, o);
  EXPECT_EQ(p.trials_this_run, 0);
}

TEST(Tuner, RejectsBadInput) {
  std::string db = fresh_db("bad");
  EXPECT_THROW(tune({}, small_options(db, 4, 2)), UsageError);
  EXPECT_THROW(tune({{"nosuchop:M=1", 1}}, small_options(db, 4, 2)), UsageError);
  EXPECT_THROW(tune({{"add:M=4,N=4", 0}}, small_options(db, 4, 2)), UsageError);
}

}  // namespace
}  // namespace weft::search
