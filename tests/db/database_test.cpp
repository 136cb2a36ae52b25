// Database core: workloads, records, best-k queries with target fallback, atomic
// batches, models, cost-model snapshots and statistics, all through a real file.
#include <gtest/gtest.h>

#include <cmath>

#include "db/database.h"
#include "db/schema.h"
#include "db_test_util.h"

namespace weft::db {
namespace {

using testing::fresh_db_path;
using testing::record;
using testing::workload;

const std::string kAvx2Epyc = "cpu/x86_64-avx2/AMD EPYC 7B13";
const std::string kAvx2Xeon = "cpu/x86_64-avx2/Intel Xeon Gold";
const std::string kArm = "cpu/aarch64/Neoverse-N1";

TEST(RecordStatusText, RoundTripsAndRejectsUnknown) {
  for (RecordStatus s : {RecordStatus::Ok, RecordStatus::WrongResult, RecordStatus::BuildError, RecordStatus::RunError,
                         RecordStatus::Timeout})
    EXPECT_EQ(parse_record_status(to_string(s)), s);
  EXPECT_EQ(to_string(RecordStatus::WrongResult), "wrong");
  EXPECT_THROW(parse_record_status("fine"), UsageError);
}

TEST(Database, CreatesMissingFileAndRoundTripsWorkloadsAndRecords) {
  std::string path = fresh_db_path("rt");
  {
    Database db = Database::open(path);
    EXPECT_EQ(db.path(), path);
    db.add_workload(workload("h1", "matmul:M=64,N=64,K=64"));
    db.add_workload(workload("h1", "other name"));  // idempotent by hash: first one kept
    db.add_workload(workload("h2", "softmax:N=64"));
    Record ok = record("h1", kAvx2Epyc, "b0 = get_block(\"C\")", 12.5);
    Record failed = record("h1", kAvx2Epyc, "bad trace", 0, RecordStatus::BuildError);
    failed.created_at = "2024-01-02T03:04:05.678Z";
    db.add_records({ok, failed});
  }
  ASSERT_TRUE(std::filesystem::exists(path));
  Database db = Database::open(path);
  auto w = db.find_workload("h1");
  ASSERT_TRUE(w);
  EXPECT_EQ(*w, workload("h1", "matmul:M=64,N=64,K=64"));
  EXPECT_FALSE(db.find_workload("nope"));
  EXPECT_EQ(db.find_workload_by_name("softmax:N=64")->hash, "h2");
  ASSERT_EQ(db.workloads().size(), 2u);

  std::vector<Record> all = db.records("h1");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_GT(all[0].id, 0);
  EXPECT_LT(all[0].id, all[1].id);
  Record expected = record("h1", kAvx2Epyc, "b0 = get_block(\"C\")", 12.5);
  expected.created_at = all[0].created_at;
  EXPECT_TRUE(all[0].same_content(expected));
  EXPECT_EQ(all[0].latencies_us, expected.latencies_us);
  // Set by the database: ISO-8601 UTC with milliseconds.
  EXPECT_EQ(all[0].created_at.size(), 24u) << all[0].created_at;
  EXPECT_EQ(all[0].created_at.back(), 'Z');
  EXPECT_EQ(all[1].status, RecordStatus::BuildError);
  EXPECT_EQ(all[1].error, "failed: bad trace");
  EXPECT_EQ(all[1].created_at, "2024-01-02T03:04:05.678Z");
  EXPECT_EQ(db.count_records("h1", kAvx2Epyc), 2);
  EXPECT_EQ(db.count_records("h1", kArm), 0);
  EXPECT_TRUE(db.records("h2").empty());
}

TEST(Database, LatestWorkloadWithAName) {
  Database db = Database::open(fresh_db_path("name"));
  db.add_workload(workload("old", "conv"));
  db.add_workload(workload("new", "conv"));
  EXPECT_EQ(db.find_workload_by_name("conv")->hash, "new");
  EXPECT_FALSE(db.find_workload_by_name("gemm"));
}

TEST(Database, BestRecordsAreOkOnlyOrderedByMedianOnTheExactTarget) {
  Database db = Database::open(fresh_db_path("best"));
  db.add_workload(workload("h"));
  db.add_records({record("h", kAvx2Epyc, "t30", 30), record("h", kAvx2Epyc, "t10", 10),
                  record("h", kAvx2Epyc, "wrong", 1, RecordStatus::WrongResult),
                  record("h", kAvx2Epyc, "timeout", 1, RecordStatus::Timeout), record("h", kAvx2Epyc, "t20", 20),
                  record("h", kAvx2Xeon, "xeon5", 5)});
  BestRecords best = db.best("h", kAvx2Epyc, 2);
  EXPECT_TRUE(best.exact_target);
  EXPECT_EQ(best.matched_target_key, kAvx2Epyc);
  ASSERT_EQ(best.records.size(), 2u);
  EXPECT_EQ(best.records[0].trace_text, "t10");
  EXPECT_EQ(best.records[1].trace_text, "t20");
  EXPECT_EQ(db.best("h", kAvx2Epyc, 10).records.size(), 3u);  // failures never count
  EXPECT_TRUE(db.best("unknown", kAvx2Epyc, 3).records.empty());
  EXPECT_THROW(db.best("h", kAvx2Epyc, 0), UsageError);
}

TEST(Database, FallsBackToACompatibleTargetWithAFlag) {
  Database db = Database::open(fresh_db_path("compat"));
  db.add_workload(workload("h"));
  db.add_records({record("h", kAvx2Xeon, "xeon8", 8), record("h", kAvx2Xeon, "xeon4", 4),
                  record("h", kArm, "arm1", 1), record("h", "cuda/sm_90/NVIDIA H100", "gpu", 0.5)});
  BestRecords best = db.best("h", kAvx2Epyc, 5);
  EXPECT_FALSE(best.exact_target);
  EXPECT_EQ(best.matched_target_key, kAvx2Xeon);
  ASSERT_EQ(best.records.size(), 2u);  // aarch64 and cuda are not compatible
  EXPECT_EQ(best.records[0].trace_text, "xeon4");
  EXPECT_EQ(best.records[1].trace_text, "xeon8");
  // An incompatible arch finds nothing, and says it found no substitute.
  BestRecords none = db.best("h", "cpu/x86_64-avx512/Sapphire Rapids", 5);
  EXPECT_TRUE(none.records.empty());
  EXPECT_TRUE(none.matched_target_key.empty());
  // Exact matches win even when a compatible target is faster.
  db.add_records({record("h", kAvx2Epyc, "epyc50", 50)});
  BestRecords exact = db.best("h", kAvx2Epyc, 5);
  EXPECT_TRUE(exact.exact_target);
  ASSERT_EQ(exact.records.size(), 1u);
  EXPECT_EQ(exact.records[0].trace_text, "epyc50");
  EXPECT_THROW(db.best("h", "not-a-target", 1), UsageError);
}

TEST(Database, ABatchWithAnUnknownWorkloadAddsNothing) {
  Database db = Database::open(fresh_db_path("atomic"));
  db.add_workload(workload("h"));
  db.add_records({record("h", kAvx2Epyc, "first", 3)});
  try {
    db.add_records({record("h", kAvx2Epyc, "a", 1), record("h", kAvx2Epyc, "b", 2), record("ghost", kAvx2Epyc, "c", 3)});
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("record 2 of the batch"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("ghost"), std::string::npos) << e.what();
  }
  ASSERT_EQ(db.records("h").size(), 1u);
  EXPECT_EQ(db.records("h")[0].trace_text, "first");
  // Invalid values are refused the same way.
  Record no_median = record("h", kAvx2Epyc, "zero", 1);
  no_median.median_us = 0;
  EXPECT_THROW(db.add_records({record("h", kAvx2Epyc, "x", 1), no_median}), UsageError);
  Record nan_latency = record("h", kAvx2Epyc, "nan", 1);
  nan_latency.latencies_us.push_back(std::nan(""));
  EXPECT_THROW(db.add_records({nan_latency}), UsageError);
  EXPECT_EQ(db.stats().records, 1);
}

TEST(Database, ModelsKeepTheirTasksAndWeights) {
  Database db = Database::open(fresh_db_path("models"));
  db.add_workload(workload("a"));
  db.add_workload(workload("b"));
  db.add_model("bert", {{"b", 24}, {"a", 1.5}});
  EXPECT_EQ(db.model_tasks("bert"), (std::vector<std::pair<std::string, double>>{{"b", 24}, {"a", 1.5}}));
  db.add_model("bert", {{"a", 2}});  // replaces
  EXPECT_EQ(db.model_tasks("bert"), (std::vector<std::pair<std::string, double>>{{"a", 2}}));
  EXPECT_TRUE(db.model_tasks("gpt").empty());
  EXPECT_THROW(db.add_model("gpt", {{"a", 1}, {"missing", 1}}), UsageError);
  EXPECT_TRUE(db.model_tasks("gpt").empty());  // nothing of the failed call stays
  EXPECT_THROW(db.add_model("gpt", {{"a", 1}, {"a", 2}}), UsageError);
  EXPECT_EQ(db.models(), std::vector<std::string>{"bert"});
}

TEST(Database, CostModelSnapshotsReturnTheLatest) {
  Database db = Database::open(fresh_db_path("snap"));
  EXPECT_FALSE(db.load_cost_model(kAvx2Epyc, 1));
  std::string blob1("\x00\x01\x02binary", 9), blob2("second\x00model", 12);
  db.save_cost_model(kAvx2Epyc, 1, blob1, 100);
  db.save_cost_model(kAvx2Epyc, 1, blob2, 200);
  db.save_cost_model(kAvx2Epyc, 2, "v2", 10);
  EXPECT_EQ(*db.load_cost_model(kAvx2Epyc, 1), blob2);
  EXPECT_EQ(*db.load_cost_model(kAvx2Epyc, 2), "v2");
  EXPECT_FALSE(db.load_cost_model(kArm, 1));
  EXPECT_EQ(db.stats().cost_model_snapshots, 3);
}

TEST(Database, StatsCountEverything) {
  Database db = Database::open(fresh_db_path("stats"));
  db.add_workload(workload("a"));
  db.add_workload(workload("b"));
  db.add_records({record("a", kAvx2Epyc, "1", 1), record("a", kAvx2Epyc, "2", 2),
                  record("b", kAvx2Epyc, "3", 0, RecordStatus::RunError)});
  db.add_model("m", {{"a", 1}});
  Stats s = db.stats();
  EXPECT_EQ(s.workloads, 2);
  EXPECT_EQ(s.records, 3);
  EXPECT_EQ(s.ok_records, 2);
  EXPECT_EQ(s.failed_records, 1);
  EXPECT_EQ(s.models, 1);
  EXPECT_EQ(s.cost_model_snapshots, 0);
}

TEST(Database, ReadOnlyOpenRefusesWritesAndMissingFiles) {
  std::string path = fresh_db_path("ro");
  EXPECT_THROW(Database::open_readonly(path), DatabaseError);
  EXPECT_FALSE(std::filesystem::exists(path));
  {
    Database db = Database::open(path);
    db.add_workload(workload("a"));
  }
  Database ro = Database::open_readonly(path);
  EXPECT_EQ(ro.stats().workloads, 1);
  EXPECT_THROW(ro.add_workload(workload("b")), UsageError);
}

TEST(Database, UsesWalModeAndRecordsTheSchemaVersion) {
  std::string path = fresh_db_path("wal");
  { Database db = Database::open(path); }
  Connection conn(path, Connection::Mode::ReadOnly);
  Statement mode(conn, "PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.column_text(0), "wal");
  EXPECT_EQ(read_schema_version(conn), kSchemaVersion);
}

}  // namespace
}  // namespace weft::db
