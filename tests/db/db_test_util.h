// Helpers of the database tests: fresh temporary database paths and records.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "db/database.h"

namespace weft::db::testing {

// A path in the test temp dir, unique per test and process, with no file (nor WAL
// side files) left from an earlier run.
inline std::string fresh_db_path(const std::string& tag) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string path = ::testing::TempDir() + "weft_db_" + info->test_suite_name() + "_" + info->name() + "_" + tag + "_" +
                     std::to_string(getpid()) + ".db";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path + suffix);
  return path;
}

inline WorkloadEntry workload(const std::string& hash, const std::string& name = "matmul:M=64,N=64,K=64") {
  return WorkloadEntry{hash, name, "func main(A, B, C) {}  # " + hash, 2.0 * 64 * 64 * 64};
}

inline Record record(const std::string& hash, const std::string& target, const std::string& trace, double median,
                     RecordStatus status = RecordStatus::Ok) {
  Record r;
  r.workload_hash = hash;
  r.target_key = target;
  r.trace_text = trace;
  r.status = status;
  r.median_us = status == RecordStatus::Ok ? median : 0;
  if (status == RecordStatus::Ok) r.latencies_us = {median * 0.99, median, median * 1.02};
  if (status != RecordStatus::Ok) r.error = "failed: " + trace;
  r.feature_version = 3;
  r.weft_version = WEFT_VERSION;
  return r;
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

}  // namespace weft::db::testing
