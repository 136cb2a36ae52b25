#include "cli/run_report.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace weft::cli {

void print_run_report(const std::string& workload, const runtime::EvalResult& r, int repeats, bool json) {
  if (json) {
    nlohmann::json j = {{"workload", workload}, {"median_us", r.median_us}, {"gflops", r.gflops}, {"check", r.check}};
    if (!r.check_message.empty()) j["check_message"] = r.check_message;
    std::cout << j.dump() << "\n";
    return;
  }
  std::printf("workload   %s\n", workload.c_str());
  std::printf("check      %s%s%s\n", r.check.c_str(), r.check_message.empty() ? "" : ": ", r.check_message.c_str());
  std::printf("median     %.3f us (%d repeats)\n", r.median_us, repeats);
  std::printf("GFLOP/s    %.3f\n", r.gflops);
}

int run_exit_code(const runtime::EvalResult& r) { return r.check == "fail" ? 3 : 0; }

}  // namespace weft::cli
