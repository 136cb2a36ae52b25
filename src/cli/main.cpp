// The `weft` command: subcommands register themselves (see command.h). Errors weft
// raises on purpose print one line `error: ...` and exit 1; bad usage exits 2.
#include <iostream>

#include "cli/command.h"
#include "support/error.h"
#include "support/log.h"

namespace weft::cli {
std::vector<CommandRegistrar>& command_registry() {
  static std::vector<CommandRegistrar> registry;
  return registry;
}
}  // namespace weft::cli

int main(int argc, char** argv) {
  using namespace weft;
  CLI::App app{"weft: a search-driven auto-scheduler for deep-learning training"};
  app.set_version_flag("--version", std::string("weft ") + WEFT_VERSION);
  app.require_subcommand(1);
  cli::GlobalOptions global;
  app.add_flag("--json", global.json, "Print one JSON object instead of text");
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error or off")->default_val("warn");
  int exit_code = 0;
  for (auto& registrar : cli::command_registry()) registrar(app, global, exit_code);
  // Global options may also follow the subcommand: `weft tune X --json`.
  app.fallthrough();
  for (CLI::App* sub : app.get_subcommands({})) sub->fallthrough();
  app.parse_complete_callback([&] { set_log_level(global.log_level); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "error: unexpected failure: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}
