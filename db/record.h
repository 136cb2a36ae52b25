// What the tuning database stores: workloads (tasks, keyed by structural hash) and
// measured records (a trace's text and its latencies on one target).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace weft::db {

enum class RecordStatus { Ok, WrongResult, BuildError, RunError, Timeout };
// Text forms: ok, wrong, build_error, run_error, timeout.
std::string to_string(RecordStatus status);
// Throws UsageError naming the text when it is none of the above.
RecordStatus parse_record_status(const std::string& text);

struct WorkloadEntry {
  std::string hash;     // structural hash of the unscheduled program
  std::string name;     // e.g. the workload spec "matmul:M=256,N=256,K=256"
  std::string ir_text;  // canonical IR text
  double flops = 0;
  bool operator==(const WorkloadEntry&) const = default;
};

struct Record {
  int64_t id = 0;  // set by the database
  std::string workload_hash;
  std::string target_key;
  std::string trace_text;  // schedule-language text of the trace
  double median_us = 0;    // 0 for failures
  std::vector<double> latencies_us;
  RecordStatus status = RecordStatus::Ok;
  std::string error;
  int feature_version = 0;
  std::string weft_version;  // WEFT_VERSION compile definition
  std::string created_at;    // ISO-8601 UTC, set by the database when empty

  // Equal in everything but the database id.
  bool same_content(const Record& other) const;
};

struct BestRecords {
  std::vector<Record> records;
  bool exact_target = true;        // false: records of a compatible target (callers should say so)
  std::string matched_target_key;  // target of the best record ("" when none)
};

struct Stats {
  int64_t workloads = 0, records = 0, ok_records = 0, failed_records = 0, models = 0, cost_model_snapshots = 0;
};

// Current time as ISO-8601 UTC with milliseconds, e.g. 2025-01-31T12:00:00.123Z.
std::string now_iso8601();

// Stable hex digest of a record's content (everything but the id); equal records
// have equal digests.
std::string record_digest(const Record& r, const std::string& latencies_json);

}  // namespace weft::db
