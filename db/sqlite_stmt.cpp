#include "db/sqlite_stmt.h"

namespace weft::db {

Connection::Connection(const std::string& path, Mode mode) : path_(path) {
  int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY
              : mode == Mode::ReadWrite ? SQLITE_OPEN_READWRITE
                                        : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw DatabaseError(path, "cannot open: " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
}

Connection::~Connection() {
  if (db_) sqlite3_close_v2(db_);
}

void Connection::fail(int rc, const std::string& what) const {
  int primary = rc & 0xff;
  std::string detail = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB)
    throw DatabaseError(path_, "the file is damaged or not a weft database (" + what + ": " + detail +
                                   "); it was left unchanged");
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    throw DatabaseError(path_, what + ": still locked by another process after " +
                                   std::to_string(kBusyTimeoutMs / 1000) + " s (" + detail + ", SQLite code " +
                                   std::to_string(rc) + ")");
  throw DatabaseError(path_, what + ": " + detail);
}

void Connection::exec_constant(const char* sql, const std::string& what) {
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, what);
}

Statement::Statement(const Connection& conn, const char* sql) : conn_(conn) {
  int rc = sqlite3_prepare_v2(conn.handle(), sql, -1, &stmt_, nullptr);
  if (rc != SQLITE_OK) conn.fail(rc, "preparing a query");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind_int(int index, int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) conn_.fail(rc, "binding a value");
  return *this;
}

Statement& Statement::bind_double(int index, double value) {
  int rc = sqlite3_bind_double(stmt_, index, value);
  if (rc != SQLITE_OK) conn_.fail(rc, "binding a value");
  return *this;
}

Statement& Statement::bind_text(int index, const std::string& value) {
  int rc = sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) conn_.fail(rc, "binding a value");
  return *this;
}

Statement& Statement::bind_blob(int index, const std::string& bytes) {
  int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) conn_.fail(rc, "binding a value");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  conn_.fail(rc, "running a query");
}

void Statement::run() {
  if (step()) throw InternalError("a statement that should return no rows returned one");
}

void Statement::reset() { sqlite3_reset(stmt_); }

int64_t Statement::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::column_double(int col) const { return sqlite3_column_double(stmt_, col); }

std::string Statement::column_text(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return text ? std::string(reinterpret_cast<const char*>(text), n) : std::string();
}

std::string Statement::column_blob(int col) const {
  const void* data = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return data ? std::string(static_cast<const char*>(data), n) : std::string();
}

bool Statement::column_is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Transaction::Transaction(Connection& conn) : conn_(conn) { conn_.exec_constant("BEGIN IMMEDIATE", "starting a transaction"); }

Transaction::~Transaction() {
  if (open_) sqlite3_exec(conn_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  conn_.exec_constant("COMMIT", "committing a transaction");
  open_ = false;
}

}  // namespace weft::db
