// Printing the result of `weft run` / `weft apply` as text or one JSON object.
#pragma once

#include <string>

#include "runtime/evaluate.h"

namespace weft::cli {

void print_run_report(const std::string& workload, const runtime::EvalResult& result, int repeats, bool json);
// Exit code of a run: 0, or 3 when the check failed (a wrong program is an error).
int run_exit_code(const runtime::EvalResult& result);

}  // namespace weft::cli
