// `weft space <workload> [--target cpu|cuda] [--seed S]`: prints the design space of a
// workload, each sketch as schedule-language text with its sampled decisions
// (replayable with `weft apply`).
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "ir/workload.h"
#include "search/space.h"
#include "support/target.h"

namespace weft::cli {
namespace {

struct SpaceArgs {
  std::string workload;
  std::string target = "cpu";
  uint64_t seed = 0;
};

const RegisterCommand kSpace([](CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<SpaceArgs>();
  auto* cmd = app.add_subcommand("space", "Print the design space (sketches as traces) of a workload");
  cmd->add_option("workload", args->workload, "Workload spec, e.g. matmul:M=64,N=64,K=64")->required();
  cmd->add_option("--target", args->target, "Target key or backend (cpu, cuda)")->default_val("cpu");
  cmd->add_option("--seed", args->seed, "Seed of the sampled decisions")->default_val(0);
  cmd->callback([&global, &exit_code, args] {
    ir::Workload w = ir::make_workload(args->workload);
    // A bare "cuda" names the rule set only: no GPU needs to be looked up (the
    // CUDA rules read nothing but the backend).
    Target target;
    if (args->target == "cuda") target.backend = "cuda";
    else target = parse_target(args->target);
    std::vector<sched::Trace> space = search::generate_design_space(w.func, target, args->seed);
    if (global.json) {
      nlohmann::json sketches = nlohmann::json::array();
      for (const sched::Trace& t : space)
        sketches.push_back({{"text", t.to_text()}, {"trace", nlohmann::json::parse(t.to_json())}});
      std::cout << nlohmann::json{{"workload", w.spec}, {"target", target.backend}, {"seed", args->seed},
                                  {"sketches", sketches}}
                       .dump()
                << "\n";
    } else {
      std::cout << "# " << w.spec << ": " << space.size() << " sketch(es) for " << target.backend << ", seed "
                << args->seed << "\n";
      for (size_t i = 0; i < space.size(); ++i) std::cout << "\n# sketch " << i << "\n" << space[i].to_text();
    }
    exit_code = 0;
  });
});

}  // namespace
}  // namespace weft::cli
