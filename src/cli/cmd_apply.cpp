// `weft apply <workload> <schedule-file>`: applies a hand-written schedule (the
// trace text of the schedule language, or its JSON form), prints the resulting IR,
// then compiles, checks against the interpreter and times it. With `-o DIR` it also
// writes the schedule, the C++ source and the shared library as `weft compile` does
// (DIR/NAME.sched, .cpp, .so with `extern "C" int weft_NAME(void**)`), so a hand
// schedule can be timed beside the peers in bench/cpu/tuned_bench. The library is
// compiled once and the checked and timed program is that library; a failed check
// removes it and writes no schedule.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/command.h"
#include "cli/output_files.h"
#include "cli/run_report.h"
#include "ir/printer.h"
#include "ir/workload.h"
#include "runtime/cpu_module.h"
#include "runtime/evaluate.h"
#include "schedule/replay.h"
#include "search/space.h"
#include "support/error.h"

namespace weft::cli {
namespace {

struct ApplyArgs {
  std::string workload;
  std::string schedule_file;
  bool no_check = false;
  bool quiet = false;
  bool postprocess = false;
  int repeats = 10;
  uint64_t seed = 0;
  std::string out_dir;
  std::string name;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw UsageError("cannot read schedule file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const RegisterCommand kApply([](CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<ApplyArgs>();
  auto* cmd = app.add_subcommand("apply", "Apply a hand-written schedule to a workload, then check and time it");
  cmd->add_option("workload", args->workload, "Workload spec")->required();
  cmd->add_option("schedule", args->schedule_file, "Schedule file (trace text or JSON)")->required();
  cmd->add_flag("--no-check", args->no_check, "Skip the check against the interpreter");
  cmd->add_flag("--quiet", args->quiet, "Do not print the scheduled IR");
  cmd->add_flag("--postprocess", args->postprocess,
                "Run the host CPU's postprocessors after the replay, as tuning does (for traces from the database)");
  cmd->add_option("--repeats", args->repeats, "Timed repeats")->check(CLI::Range(1, 100000))->default_val(10);
  cmd->add_option("--seed", args->seed, "Seed of the random inputs")->default_val(0);
  cmd->add_option("-o,--output", args->out_dir, "Also write the schedule, source and shared library to this directory");
  cmd->add_option("--name", args->name, "With -o: file stem and symbol suffix (default: the op name)");
  cmd->callback([&global, &exit_code, args] {
    ir::Workload w = ir::make_workload(args->workload);
    if (!args->name.empty()) check_output_name(args->name);
    std::string text = read_file(args->schedule_file);
    size_t first = text.find_first_not_of(" \t\r\n");
    sched::Trace trace = first != std::string::npos && text[first] == '{'
                             ? sched::Trace::parse_json(text, args->schedule_file)
                             : sched::Trace::parse_text(text, args->schedule_file);
    sched::Schedule sch = args->postprocess ? search::realize(trace, w.func, host_cpu_target(), args->seed)
                                            : sched::replay(trace, w.func, args->seed);
    if (!global.json && !args->quiet) std::cout << ir::to_text(sch.func()) << "\n";
    runtime::EvalOptions options;
    options.check = !args->no_check;
    options.seed = args->seed;
    options.runner.repeats = args->repeats;
    std::string name = args->name.empty() ? w.op : args->name;
    std::string stem = args->out_dir + "/" + name, symbol = "weft_" + name;
    runtime::EvalResult r;
    if (args->out_dir.empty()) {
      r = runtime::evaluate_cpu(w, sch.func(), options);
    } else {
      make_output_dir(args->out_dir);
      write_cpu_library(sch.func(), symbol, stem + ".cpp", stem + ".so");
      auto library = runtime::CpuModule::load(stem + ".so", {{name, sch.func()}}, {symbol});
      r = runtime::evaluate_cpu_function(w, library->get_function(name), options);
    }
    print_run_report(w.spec, r, args->repeats, global.json);
    exit_code = run_exit_code(r);
    if (args->out_dir.empty()) return;
    if (exit_code != 0) {
      std::filesystem::remove(stem + ".cpp");
      std::filesystem::remove(stem + ".so");
      return;
    }
    write_file(stem + ".sched", sch.trace().to_text());
    if (!global.json) std::cout << "library    " << stem << ".so (extern \"C\" int " << symbol << "(void** args))\n";
  });
});

}  // namespace
}  // namespace weft::cli
