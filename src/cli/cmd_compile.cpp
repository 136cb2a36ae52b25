// `weft compile <workload> --db weft.db -o DIR [--target T]`: replays the best tuning
// record of the workload (falling back to the default schedule, and saying so) and
// writes the schedule used and, for the CPU, the generated C++ source and shared
// library, for a cuda target the CUDA source and the cubin NVRTC builds for its arch
// (no GPU needed: `--target cuda/sm_90/<device>` names the target). With
// `--remeasure K` (CPU) it times the K best records again, side by side, and keeps
// the fastest (search/remeasure.h).
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output_files.h"
#include "codegen/cuda_emitter.h"
#include "runtime/nvrtc_builder.h"
#include "search/best_program.h"
#include "search/remeasure.h"
#include "support/error.h"

namespace weft::cli {
namespace {

struct CompileArgs {
  std::string workload;
  std::string db = "weft.db";
  std::string out_dir;
  std::string target = "cpu";
  std::string name;
  int remeasure = 1;
};

const RegisterCommand kCompile([](CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto a = std::make_shared<CompileArgs>();
  auto* cmd = app.add_subcommand("compile", "Build a workload with its best tuned schedule from the database");
  cmd->add_option("workload", a->workload, "Workload spec")->required();
  cmd->add_option("--db", a->db, "Tuning database")->default_val("weft.db");
  cmd->add_option("-o,--output", a->out_dir, "Output directory")->required();
  cmd->add_option("--target", a->target, "cpu, or a target key backend/arch/device")->default_val("cpu");
  cmd->add_option("--name", a->name, "File stem and symbol suffix (default: the op name)");
  cmd->add_option("--remeasure", a->remeasure,
                  "CPU: time this many best records again, in alternating rounds, and keep the fastest")
      ->default_val(1)
      ->check(CLI::Range(1, 64));
  cmd->callback([&global, &exit_code, a] {
    if (!a->name.empty()) check_output_name(a->name);
    Target target = parse_target(a->target);
    // Read-only: a mistyped --db is an error naming it, not a new empty database.
    db::Database database = db::Database::open_readonly(a->db);
    std::vector<search::Remeasured> timings;
    search::BestProgram best =
        a->remeasure > 1
            ? search::fastest_stored_program(database, a->workload, target, a->remeasure,
                                             runtime::RunnerConfig{.warmup = 1, .repeats = 30}, 3, timings)
            : search::best_program(database, a->workload, target);
    for (const std::string& note : best.notes) std::cerr << "weft compile: " << note << "\n";
    nlohmann::json remeasured = nlohmann::json::array();
    for (const search::Remeasured& t : timings)
      remeasured.push_back({{"record", t.record_id}, {"stored_us", t.stored_us}, {"measured_us", t.measured_us}});

    std::string name = a->name.empty() ? best.workload.op : a->name;
    std::string symbol = "weft_" + name;
    make_output_dir(a->out_dir);
    std::string stem = a->out_dir + "/" + name;
    if (best.record) write_file(stem + ".sched", best.record->trace_text);
    bool cuda = target.backend == "cuda";
    std::string source = stem + (cuda ? ".cu" : ".cpp"), binary = stem + (cuda ? ".cubin" : ".so");
    nlohmann::json launch;
    if (cuda) {
      runtime::CudaBinary built = runtime::build_cuda(codegen::emit_cuda(best.func, symbol), target.arch);
      write_file(source, built.kernel.source);
      write_file(binary, std::string(built.cubin.begin(), built.cubin.end()));
      const codegen::LaunchDims& d = built.kernel.launch;
      launch = {{"grid", d.grid}, {"block", d.block}, {"dynamic_shared_bytes", d.dynamic_shared_bytes},
                {"registers", built.resources.registers}, {"shared_bytes", built.resources.shared_bytes}};
      // A program of several loop nests is several kernels, launched in order, with
      // global scratch buffers passed after the parameters (codegen/cuda_kernel.h).
      std::vector<codegen::CudaLaunch> launches = built.kernel.kernel_launches();
      nlohmann::json kernels = nlohmann::json::array(), scratch = nlohmann::json::array();
      for (size_t k = 0; k < launches.size(); ++k) {
        const codegen::LaunchDims& l = launches[k].launch;
        nlohmann::json entry{{"name", launches[k].name},          {"grid", l.grid},
                             {"block", l.block},                  {"dynamic_shared_bytes", l.dynamic_shared_bytes},
                             {"scratch_args", launches[k].scratch_args}};
        if (k < built.kernel_resources.size()) {
          entry["registers"] = built.kernel_resources[k].registers;
          entry["shared_bytes"] = built.kernel_resources[k].shared_bytes;
        }
        kernels.push_back(entry);
      }
      for (const codegen::ScratchBuffer& b : built.kernel.scratch)
        scratch.push_back({{"name", b.name}, {"dtype", std::string(ir::dtype_name(b.dtype))}, {"elements", b.elements},
                           {"bytes", b.bytes()}});
      launch["kernels"] = kernels;
      launch["scratch"] = scratch;
    } else {
      write_cpu_library(best.func, symbol, source, binary);
    }

    double median = best.record ? best.record->median_us : 0;
    double gflops = median > 0 ? best.workload.flops / (median * 1e3) : 0;
    if (global.json) {
      nlohmann::json j{{"workload", best.workload.spec},
                       {"source", source},
                       {cuda ? "cubin" : "library", binary},
                       {"symbol", symbol},
                       {"from_database", best.record.has_value()},
                       {"target", best.record ? best.record->target_key : target.key()}};
      j["trace"] = best.record ? nlohmann::json(best.record->trace_text) : nlohmann::json(nullptr);
      j["median_us"] = best.record ? nlohmann::json(median) : nlohmann::json(nullptr);
      j["gflops"] = best.record ? nlohmann::json(gflops) : nlohmann::json(nullptr);
      if (cuda) j["launch"] = launch;
      if (!timings.empty()) j["remeasured"] = remeasured;
      std::cout << j.dump(2) << "\n";
    } else {
      for (const search::Remeasured& t : timings)
        std::cout << "  re-measured record " << t.record_id << ": " << t.measured_us << " us (stored " << t.stored_us
                  << " us)\n";
      if (best.record)
        std::cout << best.workload.spec << ": record " << best.record->id << " (" << median << " us, " << gflops
                  << " GFLOP/s on " << best.record->target_key << ")\n";
      else
        std::cout << best.workload.spec << ": default schedule (no tuning record)\n";
      if (cuda)
        std::cout << "  source   " << source << "\n  cubin    " << binary << " (" << target.arch << ", launch "
                  << launch.dump() << ")\n";
      else
        std::cout << "  source   " << source << "\n  library  " << binary << " (extern \"C\" int " << symbol
                  << "(void** args))\n";
      if (best.record) std::cout << "  schedule " << stem << ".sched\n";
    }
    exit_code = 0;
  });
});

}  // namespace
}  // namespace weft::cli
