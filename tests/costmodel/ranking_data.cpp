#include "ranking_data.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "ir/workload.h"
#include "schedule/replay.h"
#include "support/error.h"

namespace weft::costmodel::testing {

std::string ranking_data_path() { return std::string(WEFT_SOURCE_DIR) + "/tests/costmodel/data/matmul_cpu.jsonl"; }

std::vector<Measurement> read_measurements(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot open " + path);
  std::vector<Measurement> out;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    try {
      nlohmann::json j = nlohmann::json::parse(line);
      if (j.contains("meta")) continue;
      out.push_back({j.at("spec").get<std::string>(), j.at("trace").get<std::string>(), j.at("median_us").get<double>(),
                     j.at("gflops").get<double>()});
    } catch (const nlohmann::json::exception& e) {
      throw ParseError(path, line_no, 1, e.what());
    }
  }
  return out;
}

ProgramFeatures features_of(const Measurement& m) {
  ir::Workload w = ir::make_workload(m.spec);
  sched::Schedule sch = sched::replay(sched::Trace::parse_text(m.trace, "trace of " + m.spec), w.func);
  return extract_features(sch.func());
}

}  // namespace weft::costmodel::testing
