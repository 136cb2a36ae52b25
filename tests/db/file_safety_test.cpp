// Files that are not what they should be: newer schema, random bytes, truncated or
// damaged databases, foreign SQLite files. Each gives a clear error naming the file
// and leaves it byte for byte as it was.
#include <gtest/gtest.h>

#include <random>

#include "db/database.h"
#include "db/schema.h"
#include "db_test_util.h"

namespace weft::db {
namespace {

using testing::fresh_db_path;
using testing::read_bytes;
using testing::record;
using testing::workload;
using testing::write_bytes;

const std::string kTarget = "cpu/x86_64-avx2/AMD EPYC 7B13";

// A database with enough records to span many pages, checkpointed into the main file.
std::string make_filled_db(const std::string& tag) {
  std::string path = fresh_db_path(tag);
  Database db = Database::open(path);
  db.add_workload(workload("h"));
  std::vector<Record> batch;
  for (int i = 0; i < 400; ++i) batch.push_back(record("h", kTarget, "trace " + std::to_string(i) + std::string(300, 'x'), 1 + i));
  db.add_records(batch);
  return path;  // closing the last connection checkpoints the WAL and removes it
}

// Opening `path` fails with a DatabaseError whose message names the file and
// contains `expect`, and the file is unchanged.
void expect_refused(const std::string& path, const std::string& expect) {
  std::string before = read_bytes(path);
  for (bool read_only : {false, true}) {
    try {
      if (read_only) Database::open_readonly(path);
      else Database::open(path);
      ADD_FAILURE() << "expected DatabaseError for " << path;
    } catch (const DatabaseError& e) {
      std::string message = e.what();
      EXPECT_NE(message.find(path), std::string::npos) << message;
      EXPECT_NE(message.find(expect), std::string::npos) << message;
    }
    EXPECT_EQ(read_bytes(path), before) << "the file was changed";
  }
}

TEST(FileSafety, NewerSchemaVersionIsRefusedNamingBothVersions) {
  std::string path = fresh_db_path("newer");
  { Database::open(path).add_workload(workload("h")); }
  {
    Connection conn(path, Connection::Mode::ReadWrite);
    Statement s(conn, "UPDATE meta SET value = ?1 WHERE key = 'schema_version'");
    s.bind_text(1, std::to_string(kSchemaVersion + 1)).run();
  }
  expect_refused(path, "schema version " + std::to_string(kSchemaVersion + 1) + ", newer than version " +
                           std::to_string(kSchemaVersion));
}

TEST(FileSafety, RandomBytesAreNotADatabase) {
  std::string path = fresh_db_path("random");
  std::mt19937 rng(7);
  std::string bytes(8192, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  write_bytes(path, bytes);
  expect_refused(path, "is not a SQLite database");
  write_bytes(path, "hello, I am a text file\n");
  expect_refused(path, "is not a SQLite database");
}

TEST(FileSafety, TruncatedDatabaseIsRefused) {
  std::string good = make_filled_db("good");
  std::string bytes = read_bytes(good);
  ASSERT_GT(bytes.size(), 16u * 4096);
  // Cut at a page boundary (only the content tells) and in the middle of a page.
  for (size_t cut : {bytes.size() / 2 / 4096 * 4096, bytes.size() / 2 + 123, size_t{60}}) {
    std::string path = fresh_db_path("cut" + std::to_string(cut));
    write_bytes(path, bytes.substr(0, cut));
    SCOPED_TRACE(cut);
    std::string before = read_bytes(path);
    try {
      Database::open(path);
      ADD_FAILURE() << "a truncated database opened";
    } catch (const DatabaseError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("left unchanged"), std::string::npos) << e.what();
    }
    EXPECT_EQ(read_bytes(path), before);
  }
}

TEST(FileSafety, DamagedPagesAreRefused) {
  std::string path = make_filled_db("damaged");
  std::string bytes = read_bytes(path);
  // Overwrite pages in the middle with noise; the header stays valid.
  std::mt19937 rng(11);
  for (size_t i = 2 * 4096; i < 6 * 4096; ++i) bytes[i] = static_cast<char>(rng());
  write_bytes(path, bytes);
  expect_refused(path, "damaged");
}

TEST(FileSafety, ForeignSqliteDatabaseIsNotAWeftDatabase) {
  std::string path = fresh_db_path("foreign");
  {
    Connection conn(path, Connection::Mode::ReadWriteCreate);
    conn.exec_constant("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)", "test setup");
  }
  expect_refused(path, "not a weft tuning database");
}

TEST(FileSafety, EmptyFileBecomesADatabaseAndDirectoriesAreRefused) {
  std::string path = fresh_db_path("empty");
  write_bytes(path, "");
  Database::open(path).add_workload(workload("h"));
  EXPECT_EQ(Database::open(path).stats().workloads, 1);
  std::string dir = fresh_db_path("dir");
  std::filesystem::create_directory(dir);
  EXPECT_THROW(Database::open(dir), DatabaseError);
  std::filesystem::remove(dir);
}

TEST(Migrations, StepsApplyInOrderAndAMissingStepIsAnError) {
  std::string path = fresh_db_path("migrate");
  Connection conn(path, Connection::Mode::ReadWriteCreate);
  conn.exec_constant("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                     "INSERT INTO meta VALUES ('schema_version', '1');"
                     "CREATE TABLE t (a INTEGER);",
                     "test setup");
  const Migration steps[] = {{2, "CREATE TABLE u (c INTEGER)"}, {1, "ALTER TABLE t ADD COLUMN b TEXT"}};
  apply_migrations(conn, 1, 3, steps);
  EXPECT_EQ(read_schema_version(conn), 3);
  conn.exec_constant("INSERT INTO t(a, b) VALUES (1, 'x'); INSERT INTO u(c) VALUES (2);", "using the migrated tables");
  try {
    apply_migrations(conn, 3, 5, steps);
    FAIL();
  } catch (const DatabaseError& e) {
    EXPECT_NE(std::string(e.what()).find("from schema version 3 to 5"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(schema_migrations().size() == static_cast<size_t>(kSchemaVersion - 1))
      << "every schema version but the first needs a migration step";
}

}  // namespace
}  // namespace weft::db
