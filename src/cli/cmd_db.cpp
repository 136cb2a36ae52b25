// `weft db ...`: look into and move data between tuning databases.
//   weft db stats  [--db weft.db]
//   weft db top    <workload-name-or-hash> [--target KEY] [-k N] [--json]
//   weft db export [--workload W] -o FILE|-
//   weft db import FILE|-
//   weft db merge  OTHER.db
// Reading commands never create or change a database; import and merge create it.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "db/database.h"
#include "ir/structural.h"
#include "ir/workload.h"
#include "support/error.h"
#include "support/target.h"

namespace weft::cli {
namespace {

struct DbArgs {
  std::string db = "weft.db";
  bool json = false;  // --json given after the subcommand
  std::string workload;
  std::string target;
  int k = 5;
  std::string output;
  std::string input;
};

// A workload named by its structural hash, its stored name, or a workload spec.
db::WorkloadEntry resolve_workload(const db::Database& database, const std::string& hash_or_name) {
  if (auto w = database.find_workload(hash_or_name)) return *w;
  if (auto w = database.find_workload_by_name(hash_or_name)) return *w;
  // A workload spec as the user typed it (defaults left out): its canonical form.
  try {
    ir::Workload spec = ir::make_workload(hash_or_name);
    if (auto w = database.find_workload(ir::structural_hash_hex(spec.func))) return *w;
  } catch (const Error&) {
    // not a spec either
  }
  throw UsageError("workload '" + hash_or_name + "' is not in database '" + database.path() +
                   "' (give its structural hash or its name)");
}

// The host CPU when no key is given; "cpu" also means the host.
std::string resolve_target(const std::string& key) {
  if (key.empty()) return host_cpu_target().key();
  return parse_target(key).key();
}

void print_stats(const db::Database& database, bool json) {
  db::Stats s = database.stats();
  if (json) {
    nlohmann::json j = {{"database", database.path()}, {"workloads", s.workloads},       {"records", s.records},
                        {"ok_records", s.ok_records},  {"failed_records", s.failed_records}, {"models", s.models},
                        {"cost_model_snapshots", s.cost_model_snapshots}};
    std::cout << j.dump() << "\n";
    return;
  }
  std::cout << "database " << database.path() << "\n"
            << "  workloads             " << s.workloads << "\n"
            << "  records               " << s.records << " (" << s.ok_records << " ok, " << s.failed_records
            << " failed)\n"
            << "  models                " << s.models << "\n"
            << "  cost-model snapshots  " << s.cost_model_snapshots << "\n";
}

void print_top(const db::WorkloadEntry& w, const std::string& target, const db::BestRecords& best, bool json) {
  auto gflops = [&](const db::Record& r) { return r.median_us > 0 ? w.flops / r.median_us / 1e3 : 0.0; };
  if (json) {
    nlohmann::json records = nlohmann::json::array();
    for (const db::Record& r : best.records)
      records.push_back({{"id", r.id},
                         {"trace", r.trace_text},
                         {"median_us", r.median_us},
                         {"gflops", gflops(r)},
                         {"target", r.target_key},
                         {"created_at", r.created_at}});
    nlohmann::json j = {{"workload", w.name},         {"hash", w.hash},
                        {"flops", w.flops},           {"target", target},
                        {"exact_target", best.exact_target}, {"matched_target", best.matched_target_key},
                        {"records", records}};
    std::cout << j.dump() << "\n";
    return;
  }
  std::cout << "# " << w.name << "  (hash " << w.hash << ", " << w.flops << " flops) on " << target << "\n";
  if (best.records.empty()) {
    std::cout << "no successful records for this target or a compatible one\n";
    return;
  }
  if (!best.exact_target)
    std::cout << "warning: no records on " << target << "; showing records of compatible targets (best on "
              << best.matched_target_key << ")\n";
  for (size_t i = 0; i < best.records.size(); ++i) {
    const db::Record& r = best.records[i];
    std::cout << "\n#" << i + 1 << "  " << r.median_us << " us  " << gflops(r) << " GFLOP/s  " << r.target_key << "  "
              << r.created_at << "\n"
              << r.trace_text << (r.trace_text.ends_with('\n') ? "" : "\n");
  }
}

CLI::App* add_db_command(CLI::App& parent, const char* name, const char* help, DbArgs& args) {
  auto* cmd = parent.add_subcommand(name, help);
  cmd->add_option("--db", args.db, "Tuning database file")->default_val("weft.db");
  cmd->add_flag("--json", args.json, "Print one JSON object instead of text");
  return cmd;
}

const RegisterCommand kDb([](CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto args = std::make_shared<DbArgs>();
  auto* db_cmd = app.add_subcommand("db", "Inspect, export, import and merge tuning databases");
  db_cmd->require_subcommand(1);
  auto json = [&global, args] { return global.json || args->json; };

  add_db_command(*db_cmd, "stats", "Count the workloads, records, models and snapshots of a database", *args)
      ->callback([&exit_code, args, json] {
        print_stats(db::Database::open_readonly(args->db), json());
        exit_code = 0;
      });

  auto* top = add_db_command(*db_cmd, "top", "Show the best records of a workload", *args);
  top->add_option("workload", args->workload, "Workload name (e.g. matmul:M=64,N=64,K=64) or structural hash")
      ->required();
  top->add_option("--target", args->target, "Target key backend/arch/device (default: this CPU)");
  top->add_option("-k", args->k, "How many records")->check(CLI::Range(1, 1000000))->default_val(5);
  top->callback([&exit_code, args, json] {
    std::string target = resolve_target(args->target);
    db::Database database = db::Database::open_readonly(args->db);
    db::WorkloadEntry w = resolve_workload(database, args->workload);
    print_top(w, target, database.best(w.hash, target, args->k), json());
    exit_code = 0;
  });

  auto* exp = add_db_command(*db_cmd, "export", "Write records as JSON lines", *args);
  exp->add_option("--workload", args->workload, "Only this workload (name or structural hash)");
  exp->add_option("-o,--output", args->output, "Output file, or - for standard output")->required();
  exp->callback([&exit_code, args, json] {
    db::Database database = db::Database::open_readonly(args->db);
    std::string hash = args->workload.empty() ? "" : resolve_workload(database, args->workload).hash;
    int64_t written = 0;
    if (args->output == "-") {
      written = database.export_jsonl(std::cout, hash);
    } else {
      // Write beside the target and rename, so a failed export never leaves half a file.
      std::string partial = args->output + ".partial";
      std::error_code ec;
      try {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        if (!out) throw UsageError("cannot write export file '" + args->output + "'");
        written = database.export_jsonl(out, hash);
        out.close();
        if (!out) throw UsageError("cannot write export file '" + args->output + "'");
        std::filesystem::rename(partial, args->output, ec);
        if (ec) throw UsageError("cannot write export file '" + args->output + "': " + ec.message());
      } catch (...) {
        std::filesystem::remove(partial, ec);
        throw;
      }
      if (json()) std::cout << nlohmann::json{{"exported", written}, {"output", args->output}}.dump() << "\n";
      else std::cout << "exported " << written << " records from " << args->db << " to " << args->output << "\n";
    }
    exit_code = 0;
  });

  auto* imp = add_db_command(*db_cmd, "import", "Add the records of a JSON-lines file (identical ones are skipped)", *args);
  imp->add_option("file", args->input, "JSON-lines file, or - for standard input")->required();
  imp->callback([&exit_code, args, json] {
    db::Database database = db::Database::open(args->db);
    int64_t added = 0;
    if (args->input == "-") {
      added = database.import_jsonl(std::cin, "<stdin>");
    } else {
      std::ifstream in(args->input, std::ios::binary);
      if (!in) throw UsageError("cannot read import file '" + args->input + "'");
      added = database.import_jsonl(in, args->input);
    }
    if (json()) std::cout << nlohmann::json{{"added", added}, {"input", args->input}}.dump() << "\n";
    else std::cout << "imported " << added << " new records from " << args->input << " into " << args->db << "\n";
    exit_code = 0;
  });

  auto* merge = add_db_command(*db_cmd, "merge", "Add another database's records, models and snapshots", *args);
  merge->add_option("other", args->input, "The database to merge in (read, never changed)")->required();
  merge->callback([&exit_code, args, json] {
    db::Database database = db::Database::open(args->db);
    int64_t added = database.merge_from(args->input);
    if (json()) std::cout << nlohmann::json{{"added", added}, {"other", args->input}}.dump() << "\n";
    else std::cout << "merged " << added << " new records from " << args->input << " into " << args->db << "\n";
    exit_code = 0;
  });
});

}  // namespace
}  // namespace weft::cli
