// Runs the real `weft` binary (path compiled in as WEFT_BINARY) for the CLI tests.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace weft::testing {

struct CommandResult {
  int exit_code;
  std::string out;  // stdout and stderr together
};

inline CommandResult run_weft(const std::string& args) {
  std::string cmd = std::string(WEFT_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out.append(buf.data(), n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

}  // namespace weft::testing
