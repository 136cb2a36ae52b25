// Thin RAII wrappers over the SQLite C API: a connection that names its file in
// every error, prepared statements (the only way weft talks SQL: values are always
// bound, never spliced into the text), and an IMMEDIATE transaction guard.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>

#include "support/error.h"

namespace weft::db {

// Anything wrong with a database file: not a database, damaged, written by a newer
// weft, locked for too long. The message starts with the file's path.
class DatabaseError : public Error {
 public:
  DatabaseError(const std::string& path, const std::string& message)
      : Error("database '" + path + "': " + message), path_(path) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class Connection {
 public:
  enum class Mode { ReadWriteCreate, ReadWrite, ReadOnly };
  // How long a writer waits for another process's transaction before giving up.
  static constexpr int kBusyTimeoutMs = 60000;

  Connection(const std::string& path, Mode mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* handle() const { return db_; }
  const std::string& path() const { return path_; }
  // Throws DatabaseError for the last failed call on this connection, with `what`
  // saying what weft was doing; damage and lock timeouts get their own wording.
  [[noreturn]] void fail(int rc, const std::string& what) const;
  // Runs constant SQL (schema, pragmas); never text that came from input.
  void exec_constant(const char* sql, const std::string& what);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
};

class Statement {
 public:
  Statement(const Connection& conn, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are numbered from 1, as in SQLite.
  Statement& bind_int(int index, int64_t value);
  Statement& bind_double(int index, double value);
  Statement& bind_text(int index, const std::string& value);
  Statement& bind_blob(int index, const std::string& bytes);

  bool step();  // true when a row is ready; throws on error
  void run();   // steps a statement that returns no rows
  void reset();  // keeps the bindings, ready to step again

  int64_t column_int(int col) const;
  double column_double(int col) const;
  std::string column_text(int col) const;
  std::string column_blob(int col) const;
  bool column_is_null(int col) const;

 private:
  const Connection& conn_;
  sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE takes the write lock up front, so two writers queue on the busy
// timeout instead of failing on a read-to-write upgrade. Rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(Connection& conn);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Connection& conn_;
  bool open_ = true;
};

}  // namespace weft::db
