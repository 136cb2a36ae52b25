#include "db/schema.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "db/schema_sql.h"

namespace weft::db {
namespace {

void write_version(Connection& conn, int version) {
  Statement s(conn,
              "INSERT INTO meta(key, value) VALUES ('schema_version', ?1) "
              "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  s.bind_text(1, std::to_string(version)).run();
}

}  // namespace

void check_file_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw DatabaseError(path, "cannot be read");
  auto size = static_cast<int64_t>(in.tellg());
  if (size == 0) return;  // SQLite treats an empty file as an empty database
  unsigned char header[100] = {};
  in.seekg(0);
  in.read(reinterpret_cast<char*>(header), sizeof header);
  static const char kMagic[] = "SQLite format 3";  // 16 bytes with its NUL
  if (in.gcount() < 16 || std::memcmp(header, kMagic, 16) != 0)
    throw DatabaseError(path, "is not a SQLite database (bad header); it was left unchanged");
  if (in.gcount() < static_cast<std::streamsize>(sizeof header))
    throw DatabaseError(path, "is truncated (" + std::to_string(size) + " bytes); it was left unchanged");
  int page_size = header[16] << 8 | header[17];
  if (page_size == 1) page_size = 65536;
  if (page_size < 512 || (page_size & (page_size - 1)) != 0)
    throw DatabaseError(path, "is damaged (invalid page size " + std::to_string(page_size) + "); it was left unchanged");
  // A crash mid-checkpoint can leave the file short of whole pages that the WAL
  // still holds; SQLite restores them, so only judge the size without a WAL.
  std::error_code ec;
  bool has_wal = std::filesystem::file_size(path + "-wal", ec) > 0 && !ec;
  if (!has_wal && size % page_size != 0)
    throw DatabaseError(path, "is truncated or damaged (" + std::to_string(size) +
                                  " bytes is not a whole number of " + std::to_string(page_size) +
                                  "-byte pages); it was left unchanged");
}

void check_integrity(Connection& conn) {
  Statement s(conn, "PRAGMA quick_check");
  std::string first;
  if (s.step()) first = s.column_text(0);
  if (first != "ok")
    throw DatabaseError(conn.path(), "is damaged (integrity check: " + first + "); it was left unchanged");
}

int read_schema_version(Connection& conn) {
  // One statement, one snapshot: another process may commit the schema between two.
  Statement tables(conn, "SELECT count(*), count(CASE WHEN name = 'meta' THEN 1 END) FROM sqlite_master "
                         "WHERE type = 'table'");
  tables.step();
  if (tables.column_int(1) == 0) {
    if (tables.column_int(0) == 0) return 0;
    throw DatabaseError(conn.path(), "is a SQLite database but not a weft tuning database (no meta table)");
  }
  Statement s(conn, "SELECT value FROM meta WHERE key = 'schema_version'");
  if (!s.step()) throw DatabaseError(conn.path(), "has no schema_version in its meta table");
  std::string text = s.column_text(0);
  try {
    size_t used = 0;
    int version = std::stoi(text, &used);
    if (used == text.size() && version > 0) return version;
  } catch (const std::exception&) {
  }
  throw DatabaseError(conn.path(), "has an invalid schema_version '" + text + "'");
}

void apply_migrations(Connection& conn, int from, int to, std::span<const Migration> steps) {
  for (int v = from; v < to; ++v) {
    const Migration* step = nullptr;
    for (const Migration& m : steps)
      if (m.from_version == v) step = &m;
    if (!step)
      throw DatabaseError(conn.path(), "cannot be migrated from schema version " + std::to_string(from) +
                                           " to " + std::to_string(to) + ": no step from version " +
                                           std::to_string(v));
    conn.exec_constant(step->sql, "migrating from schema version " + std::to_string(v));
  }
  write_version(conn, to);
}

void prepare_connection(Connection& conn, bool read_only, bool file_existed) {
  // Nothing may write before the file is known to be a sound database: even setting
  // WAL mode rewrites the header.
  if (file_existed) check_integrity(conn);
  int version = read_schema_version(conn);
  auto refuse_newer = [&](int v) {
    if (v > kSchemaVersion)
      throw DatabaseError(conn.path(), "has schema version " + std::to_string(v) + ", newer than version " +
                                           std::to_string(kSchemaVersion) +
                                           " that this weft reads; use a newer weft");
  };
  refuse_newer(version);
  if (read_only) {
    if (version < kSchemaVersion)
      throw DatabaseError(conn.path(), "has schema version " + std::to_string(version) + ", older than " +
                                           std::to_string(kSchemaVersion) +
                                           "; open it for writing once (e.g. weft db import) to migrate it");
    return;
  }
  // WAL lets readers run beside one writer; FULL sync makes every committed batch
  // durable, so a crash loses at most the batch in flight.
  {
    Statement wal(conn, "PRAGMA journal_mode = WAL");
    if (!wal.step() || wal.column_text(0) != "wal")
      throw DatabaseError(conn.path(), "cannot switch to WAL mode");
  }
  conn.exec_constant("PRAGMA synchronous = FULL", "setting synchronous mode");
  conn.exec_constant("PRAGMA foreign_keys = ON", "enabling foreign keys");
  if (version == kSchemaVersion) return;

  // Another process may be creating or migrating the same file: decide again under
  // the write lock.
  Transaction tx(conn);
  version = read_schema_version(conn);
  refuse_newer(version);
  if (version == 0) {
    conn.exec_constant(kSchemaSql, "creating the schema");
    write_version(conn, kSchemaVersion);
  } else if (version < kSchemaVersion) {
    apply_migrations(conn, version, kSchemaVersion, schema_migrations());
  }
  tx.commit();
}

}  // namespace weft::db
