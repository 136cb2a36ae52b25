// JSON-lines export/import and merging database files.
#include <gtest/gtest.h>

#include <sstream>

#include "db/database.h"
#include "db/jsonl.h"
#include "db_test_util.h"

namespace weft::db {
namespace {

using testing::fresh_db_path;
using testing::record;
using testing::workload;

const std::string kTarget = "cpu/x86_64-avx2/AMD EPYC 7B13";

void fill(Database& db) {
  db.add_workload(workload("w1", "matmul:M=64,N=64,K=64"));
  db.add_workload(WorkloadEntry{"w2", "softmax:N=32", "func softmax() {\n  \"quoted\" \\ text\n}", 1234.5});
  Record odd = record("w2", kTarget, "l0, l1 = split(l2, [v3, v4])\n# \"quotes\" and unicode \xc3\xa9", 0.1 + 0.2);
  odd.latencies_us = {0.30000000000000004, 1e-7, 123456.789};
  db.add_records({record("w1", kTarget, "t1", 10), record("w1", kTarget, "t2", 0, RecordStatus::Timeout), odd});
  db.add_records({record("w1", "cuda/sm_90/NVIDIA H100", "gpu", 1.25)});
}

void expect_same_records(const Database& a, const Database& b) {
  ASSERT_EQ(a.workloads(), b.workloads());
  for (const WorkloadEntry& w : a.workloads()) {
    std::vector<Record> ra = a.records(w.hash), rb = b.records(w.hash);
    ASSERT_EQ(ra.size(), rb.size()) << w.hash;
    for (size_t i = 0; i < ra.size(); ++i) EXPECT_TRUE(ra[i].same_content(rb[i])) << w.hash << " record " << i;
  }
}

TEST(JsonLines, ExportThenImportGivesIdenticalRecords) {
  Database src = Database::open(fresh_db_path("src"));
  fill(src);
  std::stringstream text;
  src.export_jsonl(text);
  std::string exported = text.str();
  EXPECT_EQ(std::count(exported.begin(), exported.end(), '\n'), 4);
  // Every line is self-contained.
  std::istringstream lines(exported);
  std::string first;
  std::getline(lines, first);
  JsonLine parsed = parse_json_line(first, "x", 1);
  EXPECT_EQ(parsed.workload, *src.find_workload("w1"));
  EXPECT_EQ(parsed.record.trace_text, "t1");

  Database dst = Database::open(fresh_db_path("dst"));
  std::istringstream in(exported);
  EXPECT_EQ(dst.import_jsonl(in, "records.jsonl"), 4);
  expect_same_records(src, dst);
  // Importing again adds nothing.
  std::istringstream again(exported);
  EXPECT_EQ(dst.import_jsonl(again, "records.jsonl"), 0);
  EXPECT_EQ(dst.stats().records, 4);
}

TEST(JsonLines, ExportOfOneWorkload) {
  Database db = Database::open(fresh_db_path("one"));
  fill(db);
  std::stringstream text;
  db.export_jsonl(text, "w2");
  std::string line;
  int n = 0;
  while (std::getline(text, line)) {
    EXPECT_EQ(parse_json_line(line, "x", ++n).workload.hash, "w2");
  }
  EXPECT_EQ(n, 1);
}

TEST(JsonLines, ImportErrorsNameTheFileAndLineAndAddNothing) {
  Database src = Database::open(fresh_db_path("src"));
  fill(src);
  std::stringstream text;
  src.export_jsonl(text);
  std::string good = text.str();
  auto first_line = good.substr(0, good.find('\n'));

  struct Case {
    std::string line;
    std::string expect;
  };
  std::string missing = first_line;
  missing.replace(missing.find("\"trace\""), 7, "\"tracks\"");
  std::string bad_status = first_line;
  bad_status.replace(bad_status.find("\"ok\""), 4, "\"great\"");
  for (const Case& c : {Case{"{not json", "invalid JSON"}, Case{"[1, 2]", "one JSON object"},
                        Case{missing, "missing field 'trace'"}, Case{bad_status, "unknown record status 'great'"}}) {
    Database dst = Database::open(fresh_db_path("dst"));
    std::istringstream in(good + "\n" + c.line + "\n");
    try {
      dst.import_jsonl(in, "broken.jsonl");
      FAIL() << "expected ParseError for " << c.line;
    } catch (const ParseError& e) {
      EXPECT_EQ(e.input(), "broken.jsonl");
      EXPECT_EQ(e.line(), 6) << e.what();  // 4 good lines, one blank line, then the bad one
      EXPECT_NE(std::string(e.what()).find(c.expect), std::string::npos) << e.what();
    }
    EXPECT_EQ(dst.stats().records, 0);
    EXPECT_EQ(dst.stats().workloads, 0);
  }
}

TEST(Merge, AddsMissingRecordsModelsAndSnapshotsOnce) {
  std::string other_path = fresh_db_path("other");
  {
    Database other = Database::open(other_path);
    fill(other);
    other.add_model("bert", {{"w1", 12}, {"w2", 2}});
    other.save_cost_model(kTarget, 1, std::string("\0blob", 5), 42);
  }
  Database db = Database::open(fresh_db_path("main"));
  db.add_workload(workload("w1", "matmul:M=64,N=64,K=64"));
  db.add_records({record("w1", kTarget, "mine", 7)});
  EXPECT_EQ(db.merge_from(other_path), 4);
  EXPECT_EQ(db.merge_from(other_path), 0);  // identical records are not added twice
  Stats s = db.stats();
  EXPECT_EQ(s.records, 5);
  EXPECT_EQ(s.workloads, 2);
  EXPECT_EQ(s.cost_model_snapshots, 1);
  EXPECT_EQ(db.model_tasks("bert"), (std::vector<std::pair<std::string, double>>{{"w1", 12}, {"w2", 2}}));
  EXPECT_EQ(*db.load_cost_model(kTarget, 1), std::string("\0blob", 5));
  EXPECT_EQ(db.best("w1", kTarget, 1).records[0].trace_text, "mine");
  // A database merged with itself gains nothing.
  EXPECT_EQ(db.merge_from(db.path()), 0);
  // Merging a missing file is an error naming it, and creates nothing.
  std::string missing = fresh_db_path("missing");
  try {
    db.merge_from(missing);
    FAIL();
  } catch (const DatabaseError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(missing));
}

}  // namespace
}  // namespace weft::db
