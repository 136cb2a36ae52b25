// Database: JSON-lines export and import, and merging another database file.
#include <istream>
#include <map>
#include <ostream>

#include "db/database.h"
#include "db/database_impl.h"
#include "db/jsonl.h"

namespace weft::db {

int64_t Database::export_jsonl(std::ostream& out, const std::string& workload_hash) const {
  int64_t written = 0;
  std::map<std::string, WorkloadEntry> workloads;
  Statement s(impl_->conn, WEFT_DB_RECORD_SELECT "WHERE (?1 = '' OR w.hash = ?1) ORDER BY r.id");
  s.bind_text(1, workload_hash);
  while (s.step()) {
    Record r = impl_->read_record(s);
    auto it = workloads.find(r.workload_hash);
    if (it == workloads.end()) it = workloads.emplace(r.workload_hash, *find_workload(r.workload_hash)).first;
    out << to_json_line(it->second, r) << '\n';
    ++written;
  }
  out.flush();
  if (!out) throw RuntimeError("writing the export of database '" + path() + "' failed");
  return written;
}

int64_t Database::import_jsonl(std::istream& in, const std::string& input_name) {
  impl_->require_writable();
  Transaction tx(impl_->conn);
  std::map<std::string, int64_t> ids;
  int64_t added = 0;
  std::string line;
  for (int line_number = 1; std::getline(in, line); ++line_number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    JsonLine parsed = parse_json_line(line, input_name, line_number);
    auto it = ids.find(parsed.workload.hash);
    if (it == ids.end()) it = ids.emplace(parsed.workload.hash, impl_->ensure_workload(parsed.workload)).first;
    if (impl_->insert_record(parsed.record, it->second, /*skip_identical=*/true)) ++added;
  }
  if (in.bad()) throw RuntimeError("reading '" + input_name + "' failed");
  tx.commit();
  return added;
}

int64_t Database::merge_from(const std::string& other_path) {
  impl_->require_writable();
  Database other = open_readonly(other_path);
  Connection& from = other.impl_->conn;
  Transaction tx(impl_->conn);

  std::map<std::string, int64_t> ids;  // workload hash -> id here
  for (const WorkloadEntry& w : other.workloads()) ids[w.hash] = impl_->ensure_workload(w);

  int64_t added = 0;
  Statement records(from, WEFT_DB_RECORD_SELECT "ORDER BY r.id");
  while (records.step()) {
    Record r = other.impl_->read_record(records);
    if (impl_->insert_record(r, ids.at(r.workload_hash), /*skip_identical=*/true)) ++added;
  }

  for (const std::string& name : other.models()) {
    Statement here(impl_->conn, "SELECT 1 FROM models WHERE name = ?1");
    here.bind_text(1, name);
    if (!here.step()) impl_->set_model_tasks(name, other.model_tasks(name));
  }

  Statement snapshots(from, "SELECT target_key, feature_version, blob, sample_count, created_at FROM cost_model_snapshots ORDER BY id");
  while (snapshots.step()) {
    Statement same(impl_->conn,
                   "SELECT 1 FROM cost_model_snapshots WHERE target_key = ?1 AND feature_version = ?2 AND blob = ?3 "
                   "AND sample_count = ?4 AND created_at = ?5");
    Statement insert(impl_->conn,
                     "INSERT INTO cost_model_snapshots(target_key, feature_version, blob, sample_count, created_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)");
    for (Statement* s : {&same, &insert}) {
      s->bind_text(1, snapshots.column_text(0)).bind_int(2, snapshots.column_int(1));
      s->bind_blob(3, snapshots.column_blob(2)).bind_int(4, snapshots.column_int(3)).bind_text(5, snapshots.column_text(4));
    }
    if (!same.step()) insert.run();
  }
  tx.commit();
  return added;
}

}  // namespace weft::db
