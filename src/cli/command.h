// Each subcommand of `weft` lives in its own file and registers itself here.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace weft::cli {

struct GlobalOptions {
  bool json = false;          // print one JSON object instead of text
  std::string log_level = "warn";
};

// Adds the subcommand to `app`; the callback it installs runs the command and
// returns the process exit code through `exit_code`.
using CommandRegistrar = std::function<void(CLI::App& app, const GlobalOptions& global, int& exit_code)>;

std::vector<CommandRegistrar>& command_registry();

struct RegisterCommand {
  explicit RegisterCommand(CommandRegistrar r) { command_registry().push_back(std::move(r)); }
};

}  // namespace weft::cli
