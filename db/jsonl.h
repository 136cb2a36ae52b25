// The JSON-lines exchange format of records: one self-contained object per line,
// carrying its workload (hash, name, IR text, flops) so that a line can be imported
// into any database:
//   {"workload_hash": "...", "workload_name": "...", "ir_text": "...", "flops": 2e6,
//    "target": "cpu/x86_64-avx2/...", "trace": "...", "median_us": 12.5,
//    "latencies_us": [12.4, 12.5], "status": "ok", "error": "", "feature_version": 1,
//    "weft_version": "0.1.0", "created_at": "2025-01-31T12:00:00.123Z"}
#pragma once

#include <string>

#include "db/record.h"

namespace weft::db {

struct JsonLine {
  WorkloadEntry workload;
  Record record;
};

// One line of text, without the newline.
std::string to_json_line(const WorkloadEntry& workload, const Record& record);

// Throws ParseError naming input_name and line_number for malformed JSON, a missing
// or mistyped field, or an invalid value.
JsonLine parse_json_line(const std::string& line, const std::string& input_name, int line_number);

}  // namespace weft::db
