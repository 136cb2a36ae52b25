// Database: opening, workloads, records and the best-record query. Models and
// snapshots are in database_models.cpp, JSON lines and merge in database_exchange.cpp.
#include "db/database.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "db/database_impl.h"
#include "db/schema.h"
#include "support/log.h"
#include "support/target.h"

namespace weft::db {
namespace {

// A path to open: a directory or unreadable file is refused before SQLite sees it.
bool check_path(const std::string& path) {
  if (path.empty()) throw UsageError("database path is empty");
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return false;
  if (std::filesystem::is_directory(status)) throw DatabaseError(path, "is a directory, not a database file");
  check_file_header(path);
  return true;
}

bool finite_non_negative(double v) { return std::isfinite(v) && v >= 0; }

}  // namespace

void check_record(const Record& r) {
  if (r.workload_hash.empty()) throw UsageError("record has no workload hash");
  if (r.target_key.empty()) throw UsageError("record has no target key");
  if (r.trace_text.empty()) throw UsageError("record has no trace text");
  if (!finite_non_negative(r.median_us)) throw UsageError("record has an invalid median " + std::to_string(r.median_us));
  if (r.status == RecordStatus::Ok && r.median_us <= 0)
    throw UsageError("an ok record needs a positive median, got " + std::to_string(r.median_us));
  for (double v : r.latencies_us)
    if (!finite_non_negative(v)) throw UsageError("record has an invalid latency " + std::to_string(v));
  if (r.feature_version < 0) throw UsageError("record has a negative feature version");
}

void Database::Impl::require_writable() const {
  if (read_only) throw UsageError("database '" + conn.path() + "' was opened read-only");
}

std::optional<int64_t> Database::Impl::workload_id(const std::string& hash) const {
  Statement s(conn, "SELECT id FROM workloads WHERE hash = ?1");
  s.bind_text(1, hash);
  if (!s.step()) return std::nullopt;
  return s.column_int(0);
}

int64_t Database::Impl::ensure_workload(const WorkloadEntry& w) {
  if (w.hash.empty()) throw UsageError("workload '" + w.name + "' has no hash");
  if (!finite_non_negative(w.flops)) throw UsageError("workload '" + w.name + "' has invalid flops");
  // Insert-if-absent in one statement: another process may add the same workload
  // between a lookup and an insert.
  Statement insert(conn,
                   "INSERT INTO workloads(hash, name, ir_text, flops, created_at) VALUES (?1, ?2, ?3, ?4, ?5) "
                   "ON CONFLICT(hash) DO NOTHING");
  insert.bind_text(1, w.hash).bind_text(2, w.name).bind_text(3, w.ir_text).bind_double(4, w.flops);
  insert.bind_text(5, now_iso8601()).run();
  if (sqlite3_changes(conn.handle()) == 1) return sqlite3_last_insert_rowid(conn.handle());
  Statement find(conn, "SELECT id, ir_text FROM workloads WHERE hash = ?1");
  find.bind_text(1, w.hash);
  if (!find.step()) throw InternalError("database '" + conn.path() + "': workload " + w.hash + " vanished");
  if (find.column_text(1) != w.ir_text)
    logger()->warn("database '{}': workload {} ('{}') is stored with a different IR text; keeping the stored one",
                   conn.path(), w.hash, w.name);
  return find.column_int(0);
}

Record Database::Impl::read_record(const Statement& s) const {
  Record r;
  r.id = s.column_int(0);
  r.workload_hash = s.column_text(1);
  r.target_key = s.column_text(2);
  r.trace_text = s.column_text(3);
  r.median_us = s.column_double(4);
  try {
    r.latencies_us = nlohmann::json::parse(s.column_text(5)).get<std::vector<double>>();
    r.status = parse_record_status(s.column_text(6));
  } catch (const std::exception& e) {
    throw DatabaseError(conn.path(), "record " + std::to_string(r.id) + " is damaged: " + e.what());
  }
  r.error = s.column_text(7);
  r.feature_version = static_cast<int>(s.column_int(8));
  r.weft_version = s.column_text(9);
  r.created_at = s.column_text(10);
  return r;
}

bool Database::Impl::insert_record(const Record& given, int64_t wid, bool skip_identical) {
  Record r = given;
  if (r.created_at.empty()) r.created_at = now_iso8601();
  std::string latencies = nlohmann::json(r.latencies_us).dump();
  std::string digest = record_digest(r, latencies);
  auto bind_content = [&](Statement& s) {
    s.bind_int(1, wid).bind_text(2, r.target_key).bind_text(3, r.trace_text).bind_double(4, r.median_us);
    s.bind_text(5, latencies).bind_text(6, to_string(r.status)).bind_text(7, r.error).bind_int(8, r.feature_version);
    s.bind_text(9, r.weft_version).bind_text(10, r.created_at).bind_text(11, digest);
  };
  if (skip_identical) {
    if (!find_same_record)
      find_same_record = std::make_unique<Statement>(
          conn,
          "SELECT 1 FROM records WHERE workload_id = ?1 AND target_key = ?2 AND trace_text = ?3 AND "
          "median_us = ?4 AND latencies_json = ?5 AND status = ?6 AND error = ?7 AND feature_version = ?8 "
          "AND weft_version = ?9 AND created_at = ?10 AND digest = ?11");
    Statement& same = *find_same_record;
    same.reset();
    bind_content(same);
    bool present = same.step();
    same.reset();
    if (present) return false;
  }
  if (!insert_record_stmt)
    insert_record_stmt = std::make_unique<Statement>(
        conn,
        "INSERT INTO records(workload_id, target_key, trace_text, median_us, latencies_json, status, error, "
        "feature_version, weft_version, created_at, digest) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
  Statement& insert = *insert_record_stmt;
  insert.reset();
  bind_content(insert);
  insert.run();
  insert.reset();
  return true;
}

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Database::~Database() = default;
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;

Database Database::open(const std::string& path) {
  bool existed = check_path(path);
  auto impl = std::make_unique<Impl>(path, existed ? Connection::Mode::ReadWrite : Connection::Mode::ReadWriteCreate);
  prepare_connection(impl->conn, /*read_only=*/false, existed);
  return Database(std::move(impl));
}

Database Database::open_readonly(const std::string& path) {
  if (!check_path(path)) throw DatabaseError(path, "does not exist");
  auto impl = std::make_unique<Impl>(path, Connection::Mode::ReadOnly);
  prepare_connection(impl->conn, /*read_only=*/true, /*file_existed=*/true);
  return Database(std::move(impl));
}

const std::string& Database::path() const { return impl_->conn.path(); }

void Database::add_workload(const WorkloadEntry& w) {
  impl_->require_writable();
  impl_->ensure_workload(w);
}

namespace {
WorkloadEntry read_workload(const Statement& s) {
  return WorkloadEntry{s.column_text(0), s.column_text(1), s.column_text(2), s.column_double(3)};
}
}  // namespace

std::optional<WorkloadEntry> Database::find_workload(const std::string& hash) const {
  Statement s(impl_->conn, "SELECT hash, name, ir_text, flops FROM workloads WHERE hash = ?1");
  s.bind_text(1, hash);
  if (!s.step()) return std::nullopt;
  return read_workload(s);
}

std::optional<WorkloadEntry> Database::find_workload_by_name(const std::string& name) const {
  Statement s(impl_->conn, "SELECT hash, name, ir_text, flops FROM workloads WHERE name = ?1 ORDER BY id DESC LIMIT 1");
  s.bind_text(1, name);
  if (!s.step()) return std::nullopt;
  return read_workload(s);
}

std::vector<WorkloadEntry> Database::workloads() const {
  Statement s(impl_->conn, "SELECT hash, name, ir_text, flops FROM workloads ORDER BY id");
  std::vector<WorkloadEntry> out;
  while (s.step()) out.push_back(read_workload(s));
  return out;
}

void Database::add_records(const std::vector<Record>& batch) {
  impl_->require_writable();
  Transaction tx(impl_->conn);
  std::map<std::string, int64_t> ids;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Record& r = batch[i];
    std::string where = "record " + std::to_string(i) + " of the batch";
    try {
      check_record(r);
    } catch (const UsageError& e) {
      throw UsageError(where + ": " + e.what());
    }
    auto it = ids.find(r.workload_hash);
    if (it == ids.end()) {
      auto id = impl_->workload_id(r.workload_hash);
      if (!id)
        throw UsageError(where + ": workload " + r.workload_hash + " is not in database '" + path() +
                         "' (add_workload first); nothing of the batch was added");
      it = ids.emplace(r.workload_hash, *id).first;
    }
    impl_->insert_record(r, it->second, /*skip_identical=*/false);
  }
  tx.commit();
}

BestRecords Database::best(const std::string& workload_hash, const std::string& target_key, int k) const {
  if (k <= 0) throw UsageError("best records: k must be positive, got " + std::to_string(k));
  BestRecords out;
  auto wid = impl_->workload_id(workload_hash);
  if (!wid) return out;
  auto best_of = [&](const std::string& key) {
    Statement s(impl_->conn, WEFT_DB_RECORD_SELECT
                "WHERE r.workload_id = ?1 AND r.target_key = ?2 AND r.status = 'ok' ORDER BY r.median_us, r.id LIMIT ?3");
    s.bind_int(1, *wid).bind_text(2, key).bind_int(3, k);
    std::vector<Record> found;
    while (s.step()) found.push_back(impl_->read_record(s));
    return found;
  };
  out.records = best_of(target_key);
  if (!out.records.empty()) {
    out.matched_target_key = target_key;
    return out;
  }
  Target wanted = parse_target(target_key);
  Statement keys(impl_->conn, "SELECT DISTINCT target_key FROM records WHERE workload_id = ?1 AND status = 'ok'");
  keys.bind_int(1, *wid);
  std::vector<std::string> compatible;
  while (keys.step()) {
    std::string key = keys.column_text(0);
    try {
      if (key != target_key && parse_target(key).compatible_with(wanted)) compatible.push_back(key);
    } catch (const UsageError&) {
      // A stored key that does not parse matches nothing but itself.
    }
  }
  std::vector<Record> pool;
  for (const std::string& key : compatible) {
    std::vector<Record> found = best_of(key);
    pool.insert(pool.end(), found.begin(), found.end());
  }
  if (pool.empty()) return out;
  std::sort(pool.begin(), pool.end(), [](const Record& a, const Record& b) {
    return a.median_us != b.median_us ? a.median_us < b.median_us : a.id < b.id;
  });
  if (pool.size() > static_cast<size_t>(k)) pool.resize(k);
  out.records = std::move(pool);
  out.exact_target = false;
  out.matched_target_key = out.records.front().target_key;
  logger()->warn("database '{}': no records of workload {} on target '{}'; using {} record(s) of compatible target '{}'",
                 path(), workload_hash, target_key, out.records.size(), out.matched_target_key);
  return out;
}

std::vector<Record> Database::records(const std::string& workload_hash, const std::string& target_key) const {
  Statement s(impl_->conn, WEFT_DB_RECORD_SELECT "WHERE w.hash = ?1 AND (?2 = '' OR r.target_key = ?2) ORDER BY r.id");
  s.bind_text(1, workload_hash).bind_text(2, target_key);
  std::vector<Record> out;
  while (s.step()) out.push_back(impl_->read_record(s));
  return out;
}

int64_t Database::count_records(const std::string& workload_hash, const std::string& target_key) const {
  Statement s(impl_->conn,
              "SELECT count(*) FROM records r JOIN workloads w ON w.id = r.workload_id "
              "WHERE w.hash = ?1 AND r.target_key = ?2");
  s.bind_text(1, workload_hash).bind_text(2, target_key);
  s.step();
  return s.column_int(0);
}

}  // namespace weft::db
