// `weft rules [--target cpu|cuda]`: lists the registered schedule rules and the rule
// set the target's design space is generated with.
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "rules/rule.h"
#include "rules/rule_sets.h"
#include "support/target.h"

namespace weft::cli {
namespace {

const RegisterCommand kRules([](CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto* cmd = app.add_subcommand("rules", "List the schedule rules and the rule set of a target");
  auto target_key = std::make_shared<std::string>("cpu");
  cmd->add_option("--target", *target_key, "Target key or backend (cpu, cuda)")->default_val("cpu");
  cmd->callback([&global, &exit_code, target_key] {
    // A bare "cuda" names the rule set only: no GPU needs to be looked up (the
    // CUDA rules read nothing but the backend).
    Target target;
    if (*target_key == "cuda") target.backend = "cuda";
    else target = parse_target(*target_key);
    const std::vector<std::string>& set = rules::rule_set(target.backend);
    if (global.json) {
      nlohmann::json all = nlohmann::json::array();
      for (const std::string& name : rules::list_rules())
        all.push_back({{"name", name}, {"description", rules::find_rule(name).description()}});
      std::cout << nlohmann::json{{"rules", all}, {"target", target.backend}, {"rule_set", set}}.dump() << "\n";
    } else {
      std::cout << "Registered rules:\n";
      for (const std::string& name : rules::list_rules())
        std::cout << "  " << name << ": " << rules::find_rule(name).description() << "\n";
      std::cout << "Rule set for " << target.backend << " (applied in this order to each block):\n";
      for (size_t i = 0; i < set.size(); ++i) std::cout << "  " << i + 1 << ". " << set[i] << "\n";
    }
    exit_code = 0;
  });
});

}  // namespace
}  // namespace weft::cli
