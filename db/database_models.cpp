// Database: models (weighted task sets), cost-model snapshots and statistics.
#include <cmath>
#include <set>

#include "db/database.h"
#include "db/database_impl.h"

namespace weft::db {

void Database::Impl::set_model_tasks(const std::string& model_name,
                                     const std::vector<std::pair<std::string, double>>& tasks) {
  if (model_name.empty()) throw UsageError("model name is empty");
  Statement add(conn, "INSERT INTO models(name, created_at) VALUES (?1, ?2) ON CONFLICT(name) DO NOTHING");
  add.bind_text(1, model_name).bind_text(2, now_iso8601()).run();
  Statement find(conn, "SELECT id FROM models WHERE name = ?1");
  find.bind_text(1, model_name);
  find.step();
  int64_t model_id = find.column_int(0);
  Statement clear(conn, "DELETE FROM model_tasks WHERE model_id = ?1");
  clear.bind_int(1, model_id).run();
  std::set<std::string> seen;
  for (size_t i = 0; i < tasks.size(); ++i) {
    const auto& [hash, weight] = tasks[i];
    std::string where = "model '" + model_name + "', task " + std::to_string(i) + ": ";
    if (!seen.insert(hash).second) throw UsageError(where + "workload " + hash + " is listed twice");
    if (!std::isfinite(weight) || weight < 0) throw UsageError(where + "invalid weight " + std::to_string(weight));
    auto wid = workload_id(hash);
    if (!wid) throw UsageError(where + "workload " + hash + " is not in database '" + conn.path() + "'");
    Statement insert(conn, "INSERT INTO model_tasks(model_id, workload_id, position, weight) VALUES (?1, ?2, ?3, ?4)");
    insert.bind_int(1, model_id).bind_int(2, *wid).bind_int(3, static_cast<int64_t>(i)).bind_double(4, weight).run();
  }
}

void Database::add_model(const std::string& model_name, const std::vector<std::pair<std::string, double>>& tasks) {
  impl_->require_writable();
  Transaction tx(impl_->conn);
  impl_->set_model_tasks(model_name, tasks);
  tx.commit();
}

std::vector<std::pair<std::string, double>> Database::model_tasks(const std::string& model_name) const {
  Statement s(impl_->conn,
              "SELECT w.hash, t.weight FROM model_tasks t JOIN models m ON m.id = t.model_id "
              "JOIN workloads w ON w.id = t.workload_id WHERE m.name = ?1 ORDER BY t.position");
  s.bind_text(1, model_name);
  std::vector<std::pair<std::string, double>> out;
  while (s.step()) out.emplace_back(s.column_text(0), s.column_double(1));
  return out;
}

std::vector<std::string> Database::models() const {
  Statement s(impl_->conn, "SELECT name FROM models ORDER BY id");
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.column_text(0));
  return out;
}

void Database::save_cost_model(const std::string& target_key, int feature_version, const std::string& blob,
                               int64_t samples) {
  impl_->require_writable();
  if (target_key.empty()) throw UsageError("cost-model snapshot has no target key");
  if (samples < 0) throw UsageError("cost-model snapshot has a negative sample count");
  Statement s(impl_->conn,
              "INSERT INTO cost_model_snapshots(target_key, feature_version, blob, sample_count, created_at) "
              "VALUES (?1, ?2, ?3, ?4, ?5)");
  s.bind_text(1, target_key).bind_int(2, feature_version).bind_blob(3, blob).bind_int(4, samples);
  s.bind_text(5, now_iso8601()).run();
}

std::optional<std::string> Database::load_cost_model(const std::string& target_key, int feature_version) const {
  Statement s(impl_->conn,
              "SELECT blob FROM cost_model_snapshots WHERE target_key = ?1 AND feature_version = ?2 "
              "ORDER BY id DESC LIMIT 1");
  s.bind_text(1, target_key).bind_int(2, feature_version);
  if (!s.step()) return std::nullopt;
  return s.column_blob(0);
}

Stats Database::stats() const {
  auto count = [&](const char* sql) {
    Statement s(impl_->conn, sql);
    s.step();
    return s.column_int(0);
  };
  Stats st;
  st.workloads = count("SELECT count(*) FROM workloads");
  st.records = count("SELECT count(*) FROM records");
  st.ok_records = count("SELECT count(*) FROM records WHERE status = 'ok'");
  st.failed_records = st.records - st.ok_records;
  st.models = count("SELECT count(*) FROM models");
  st.cost_model_snapshots = count("SELECT count(*) FROM cost_model_snapshots");
  return st;
}

}  // namespace weft::db
