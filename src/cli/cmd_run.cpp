// `weft run <workload> [--check]`: compiles the unscheduled program, optionally
// checks it against the interpreter, and times it.
#include "cli/command.h"
#include "cli/run_report.h"
#include "ir/workload.h"

namespace weft::cli {
namespace {

struct RunArgs {
  std::string workload;
  bool check = false;
  int repeats = 10;
  uint64_t seed = 0;
};

const RegisterCommand kRun([](CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Compile and time the unscheduled program of a workload");
  cmd->add_option("workload", args->workload, "Workload spec, e.g. matmul:M=256,N=256,K=256")->required();
  cmd->add_flag("--check", args->check, "Check the output against the reference interpreter");
  cmd->add_option("--repeats", args->repeats, "Timed repeats")->check(CLI::Range(1, 100000))->default_val(10);
  cmd->add_option("--seed", args->seed, "Seed of the random inputs")->default_val(0);
  cmd->callback([&global, &exit_code, args] {
    ir::Workload w = ir::make_workload(args->workload);
    runtime::EvalOptions options;
    options.check = args->check;
    options.seed = args->seed;
    options.runner.repeats = args->repeats;
    runtime::EvalResult r = runtime::evaluate_cpu(w, w.func, options);
    print_run_report(w.spec, r, args->repeats, global.json);
    exit_code = run_exit_code(r);
  });
});

}  // namespace
}  // namespace weft::cli
