// Several processes on one database file: concurrent writers lose nothing, and a
// writer killed with SIGKILL leaves a sound database holding only whole batches.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include "db/database.h"
#include "db_test_util.h"

namespace weft::db {
namespace {

using testing::fresh_db_path;
using testing::record;
using testing::workload;

const std::string kTarget = "cpu/x86_64-avx2/AMD EPYC 7B13";
constexpr int kBatchSize = 8;

// Writes `batches` batches tagged "<writer>/<batch>/<i>" (forever when batches < 0).
// Runs in a forked child: never returns to the test runner.
[[noreturn]] void writer_process(const std::string& path, const std::string& writer, int batches) {
  int code = 0;
  try {
    Database db = Database::open(path);
    db.add_workload(workload("h"));
    for (int b = 0; batches < 0 || b < batches; ++b) {
      std::vector<Record> batch;
      for (int i = 0; i < kBatchSize; ++i)
        batch.push_back(record("h", kTarget, writer + "/" + std::to_string(b) + "/" + std::to_string(i), 1 + i));
      db.add_records(batch);
    }
  } catch (const std::exception& e) {
    fprintf(stderr, "writer %s: %s\n", writer.c_str(), e.what());
    code = 1;
  }
  _exit(code);
}

// Batch number -> how many of its records are stored, for one writer's records.
std::map<int, int> batches_of(const std::vector<Record>& records, const std::string& writer) {
  std::map<int, int> counts;
  for (const Record& r : records) {
    if (r.trace_text.rfind(writer + "/", 0) != 0) continue;
    size_t a = r.trace_text.find('/'), b = r.trace_text.find('/', a + 1);
    counts[std::stoi(r.trace_text.substr(a + 1, b - a - 1))]++;
  }
  return counts;
}

TEST(Concurrency, TwoWriterProcessesLoseNothing) {
  std::string path = fresh_db_path("two");
  const int batches = 40;
  std::vector<pid_t> children;
  for (const char* name : {"A", "B"}) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) writer_process(path, name, batches);
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "a writer failed";
  }
  Database db = Database::open(path);
  std::vector<Record> all = db.records("h");
  EXPECT_EQ(all.size(), 2u * batches * kBatchSize);
  for (const char* name : {"A", "B"}) {
    std::map<int, int> counts = batches_of(all, name);
    EXPECT_EQ(counts.size(), static_cast<size_t>(batches)) << name;
    for (auto [batch, n] : counts) EXPECT_EQ(n, kBatchSize) << name << " batch " << batch;
  }
}

TEST(Concurrency, AWriterKilledMidRunLeavesWholeBatches) {
  std::string path = fresh_db_path("kill");
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) writer_process(path, "K", -1);
  // Let it commit a good number of batches, then kill it wherever it is.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  int64_t seen = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    try {
      if (std::filesystem::exists(path)) seen = Database::open_readonly(path).stats().records;
    } catch (const DatabaseError&) {
      // The child may still be creating the schema.
    }
    if (seen >= 30 * kBatchSize) break;
  }
  kill(pid, SIGKILL);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  ASSERT_GE(seen, 30 * kBatchSize) << "the writer made too little progress";

  Database db = Database::open(path);
  std::vector<Record> all = db.records("h");
  EXPECT_GE(static_cast<int64_t>(all.size()), seen);
  EXPECT_EQ(all.size() % kBatchSize, 0u);
  std::map<int, int> counts = batches_of(all, "K");
  ASSERT_FALSE(counts.empty());
  // Batches 0..n-1, each whole: nothing committed was lost, nothing half-written kept.
  EXPECT_EQ(counts.rbegin()->first + 1, static_cast<int>(counts.size()));
  for (auto [batch, n] : counts) EXPECT_EQ(n, kBatchSize) << "batch " << batch;
  // The database still takes writes.
  db.add_records({record("h", kTarget, "after", 1)});
  EXPECT_EQ(db.count_records("h", kTarget), static_cast<int64_t>(all.size()) + 1);
}

}  // namespace
}  // namespace weft::db
