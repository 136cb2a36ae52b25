// The fixed data set of real CPU measurements the ranking test trains on
// (data/matmul_cpu.jsonl, written by the opt-in generator in
// ranking_data_generator.cpp): one JSON object per line with the workload spec,
// the trace text of a random schedule, and its median time.
#pragma once

#include <string>
#include <vector>

#include "costmodel/cost_model.h"

namespace weft::costmodel::testing {

struct Measurement {
  std::string spec;   // workload spec
  std::string trace;  // trace text
  double median_us = 0;
  double gflops = 0;
};

std::string ranking_data_path();
// ParseError naming the file and line for a malformed line; the "meta" line is skipped.
std::vector<Measurement> read_measurements(const std::string& path);
// Replays the trace on the workload and extracts its features.
ProgramFeatures features_of(const Measurement& m);

}  // namespace weft::costmodel::testing
