// Internals of Database shared by its source files (database.cpp: core tables,
// database_exchange.cpp: JSON lines and merge). Not for use outside db/.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "db/database.h"
#include "db/sqlite_stmt.h"

namespace weft::db {

// Columns read by read_record(), in order; a record query starts with this text.
#define WEFT_DB_RECORD_SELECT                                                                                      \
  "SELECT r.id, w.hash, r.target_key, r.trace_text, r.median_us, r.latencies_json, r.status, r.error, "          \
  "r.feature_version, r.weft_version, r.created_at FROM records r JOIN workloads w ON w.id = r.workload_id "

struct Database::Impl {
  Connection conn;
  bool read_only;
  // The statements of insert_record, prepared once: import and merge run them per
  // line. Declared after conn so that they are finalised first; reset after each use
  // so that none holds a read snapshot open.
  std::unique_ptr<Statement> find_same_record, insert_record_stmt;

  Impl(const std::string& path, Connection::Mode mode) : conn(path, mode), read_only(mode == Connection::Mode::ReadOnly) {}

  void require_writable() const;
  std::optional<int64_t> workload_id(const std::string& hash) const;
  // Adds the workload unless its hash is present; returns its id.
  int64_t ensure_workload(const WorkloadEntry& w);
  Record read_record(const Statement& s) const;
  // Inserts a checked record; with skip_identical, a record whose content is already
  // stored is not added again. Returns whether a row was added.
  bool insert_record(const Record& r, int64_t workload_id, bool skip_identical);
  // Replaces the model's tasks, inside the caller's transaction.
  void set_model_tasks(const std::string& model_name, const std::vector<std::pair<std::string, double>>& tasks);
};

// Throws UsageError when a record cannot be stored as it is (bad numbers, empty fields).
void check_record(const Record& r);

}  // namespace weft::db
