// `weft show <workload>`: prints the unscheduled program of a workload.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "ir/workload.h"

namespace weft::cli {
namespace {

const RegisterCommand kShow([](CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto* cmd = app.add_subcommand("show", "Print the IR of a workload, e.g. matmul:M=64,N=64,K=64");
  auto spec = std::make_shared<std::string>();
  cmd->add_option("workload", *spec, "Workload spec (see `weft ops`)")->required();
  cmd->callback([&global, &exit_code, spec] {
    ir::Workload w = ir::make_workload(*spec);
    std::string text = ir::to_text(w.func);
    if (global.json) {
      nlohmann::json j = {{"workload", w.spec},
                          {"op", w.op},
                          {"hash", ir::structural_hash_hex(w.func)},
                          {"flops", w.flops},
                          {"ir", text}};
      std::cout << j.dump() << "\n";
    } else {
      std::cout << "# " << w.spec << "  (structural hash " << ir::structural_hash_hex(w.func) << ", " << w.flops
                << " flops)\n"
                << text;
    }
    exit_code = 0;
  });
});

const RegisterCommand kOps([](CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto* cmd = app.add_subcommand("ops", "List the ops of the library and their parameters");
  cmd->callback([&global, &exit_code] {
    nlohmann::json j = nlohmann::json::array();
    for (const std::string& op : ir::list_ops()) {
      if (global.json) j.push_back({{"op", op}, {"description", ir::describe_op(op)}});
      else std::cout << ir::describe_op(op) << "\n";
    }
    if (global.json) std::cout << nlohmann::json{{"ops", j}}.dump() << "\n";
    exit_code = 0;
  });
});

}  // namespace
}  // namespace weft::cli
