// The tuning database: one SQLite file (WAL mode, so several tuner processes can write
// it) holding workloads, measured records, models and cost-model snapshots.
// It stores hashes and texts given to it and knows nothing of IR or schedules.
//
// Errors: a file that is not a database, is damaged, or was written by a newer weft
// gives DatabaseError (db/sqlite_stmt.h) naming the file and never changes it; bad
// arguments give UsageError; bad import lines give ParseError naming input and line.
// One Database object is used by one thread at a time.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/record.h"
#include "db/sqlite_stmt.h"

namespace weft::db {

class Database {
 public:
  // Opens `path` for reading and writing; a missing file is created, an older schema
  // migrated, a newer one refused.
  static Database open(const std::string& path);
  // Opens an existing database without writing to it (no creation, no migration).
  static Database open_readonly(const std::string& path);

  ~Database();
  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;

  const std::string& path() const;

  void add_workload(const WorkloadEntry& w);  // idempotent by hash
  std::optional<WorkloadEntry> find_workload(const std::string& hash) const;
  std::optional<WorkloadEntry> find_workload_by_name(const std::string& name) const;  // latest with that name
  std::vector<WorkloadEntry> workloads() const;

  // One transaction: all records are added or none. Every record's workload must
  // exist; an Ok record needs a positive median. created_at is filled in when empty.
  void add_records(const std::vector<Record>& batch);
  // Best k Ok records by median: of `target_key` exactly; when it has none, of the
  // compatible targets (same backend and arch), with exact_target = false and a warning.
  BestRecords best(const std::string& workload_hash, const std::string& target_key, int k) const;
  // All statuses, insertion order; every target when target_key is empty.
  std::vector<Record> records(const std::string& workload_hash, const std::string& target_key = "") const;
  int64_t count_records(const std::string& workload_hash, const std::string& target_key) const;

  // Sets the model's tasks (replacing earlier ones); every workload must exist.
  void add_model(const std::string& model_name, const std::vector<std::pair<std::string, double>>& task_hashes_and_weights);
  // In the order given to add_model; empty for an unknown model.
  std::vector<std::pair<std::string, double>> model_tasks(const std::string& model_name) const;
  std::vector<std::string> models() const;

  void save_cost_model(const std::string& target_key, int feature_version, const std::string& blob, int64_t samples);
  std::optional<std::string> load_cost_model(const std::string& target_key, int feature_version) const;  // latest

  Stats stats() const;

  // One self-contained JSON object per record per line (see db/jsonl.h), in insertion
  // order; all workloads when workload_hash is empty. Returns records written.
  int64_t export_jsonl(std::ostream& out, const std::string& workload_hash = "") const;
  // One transaction; records already present (same content) are skipped. Returns
  // records added. A bad line throws ParseError naming input_name and the line.
  int64_t import_jsonl(std::istream& in, const std::string& input_name);
  // Adds the other database's workloads, records (skipping identical ones), models
  // that are missing here, and cost-model snapshots. Returns records added.
  int64_t merge_from(const std::string& other_path);

  struct Impl;

 private:
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace weft::db
