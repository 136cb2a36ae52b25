// The schema's version and how a connection is brought to it: checks that the file
// is an undamaged SQLite database before anything writes to it, creates the schema
// in a new file, migrates an older one and refuses a newer one.
#pragma once

#include <span>

#include "db/sqlite_stmt.h"

namespace weft::db {

// Version of db/schema.sql; stored in meta.schema_version.
inline constexpr int kSchemaVersion = 1;

// One step of schema evolution: turns a database of `from_version` into one of
// from_version + 1. `sql` is constant text.
struct Migration {
  int from_version;
  const char* sql;
};

// The steps that bring every older version up to kSchemaVersion (db/migrations.cpp).
std::span<const Migration> schema_migrations();

// Reads meta.schema_version; 0 for an empty database. Throws DatabaseError when the
// file holds tables but is no weft database.
int read_schema_version(Connection& conn);

// Applies `steps` in order from `from` to `to` inside the caller's transaction and
// records `to` in meta. Throws DatabaseError naming the file and both versions when a
// step is missing.
void apply_migrations(Connection& conn, int from, int to, std::span<const Migration> steps);

// Checks an existing file (header, page size, PRAGMA quick_check) without writing.
// Throws DatabaseError naming the file when it is not a database or is damaged.
void check_integrity(Connection& conn);
void check_file_header(const std::string& path);

// Opens `path` and brings it to kSchemaVersion: WAL mode, foreign keys on, schema
// created or migrated. Read-only connections must already be at kSchemaVersion.
// Throws DatabaseError for a missing file (read-only), a damaged file or a newer version.
void prepare_connection(Connection& conn, bool read_only, bool file_existed);

}  // namespace weft::db
