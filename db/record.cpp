#include "db/record.h"

#include <chrono>
#include <ctime>
#include <fmt/format.h>

#include "support/error.h"
#include "support/hash.h"

namespace weft::db {

std::string to_string(RecordStatus status) {
  switch (status) {
    case RecordStatus::Ok: return "ok";
    case RecordStatus::WrongResult: return "wrong";
    case RecordStatus::BuildError: return "build_error";
    case RecordStatus::RunError: return "run_error";
    case RecordStatus::Timeout: return "timeout";
  }
  throw InternalError("unknown RecordStatus value");
}

RecordStatus parse_record_status(const std::string& text) {
  for (RecordStatus s : {RecordStatus::Ok, RecordStatus::WrongResult, RecordStatus::BuildError, RecordStatus::RunError,
                         RecordStatus::Timeout})
    if (to_string(s) == text) return s;
  throw UsageError("unknown record status '" + text + "' (expected ok, wrong, build_error, run_error or timeout)");
}

bool Record::same_content(const Record& o) const {
  return workload_hash == o.workload_hash && target_key == o.target_key && trace_text == o.trace_text &&
         median_us == o.median_us && latencies_us == o.latencies_us && status == o.status && error == o.error &&
         feature_version == o.feature_version && weft_version == o.weft_version && created_at == o.created_at;
}

std::string now_iso8601() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(ms % 1000));
}

std::string record_digest(const Record& r, const std::string& latencies_json) {
  uint64_t h = stable_hash("weft-record-v1");
  for (const std::string* part : {&r.workload_hash, &r.target_key, &r.trace_text, &latencies_json, &r.error,
                                  &r.weft_version, &r.created_at})
    h = hash_combine(h, stable_hash(*part));
  h = hash_combine(h, stable_hash(to_string(r.status)));
  h = hash_combine(h, stable_hash(fmt::format("{}|{}", r.median_us, r.feature_version)));
  return hash_hex(h);
}

}  // namespace weft::db
