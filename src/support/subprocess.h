// Running a child program without a shell, capturing its output, with a deadline.
#pragma once

#include <string>
#include <vector>

namespace weft {

struct ProcessResult {
  int exit_code = -1;        // -1 when killed by a signal or timed out
  int signal = 0;            // the signal that ended it, if any
  bool timed_out = false;    // killed (SIGKILL) because it ran past the deadline
  std::string output;        // stdout and stderr together
  std::string spawn_error;   // why the process could not start; empty when it ran
};

// Runs argv[0] (looked up in PATH) with stdin from /dev/null. timeout_s <= 0: no
// deadline. Throws RuntimeError only when no pipe can be made; a failed start is
// reported in the result.
ProcessResult run_process(const std::vector<std::string>& argv, double timeout_s = 0);

// "exited with code 2", "was killed by signal 11 (Segmentation fault)", "timed out after 5 s".
std::string describe_exit(const ProcessResult& result, double timeout_s);

}  // namespace weft
