// `weft graph <model|file>`: builds a model from the zoo (or reads a graph JSON
// file), optionally its training graph, runs the graph passes (EVT's pipeline
// unless --passes says otherwise) and prints node counts by op and fusion class,
// FLOPs and bytes before and after.
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "cli/command.h"
#include "cli/graph_target.h"
#include "graph/graph_dot.h"
#include "graph/graph_json.h"
#include "graph/passes/graph_stats.h"
#include "support/error.h"

namespace weft::cli {
namespace {

struct GraphArgs : GraphTargetArgs {
  std::string dot, save;
};

nlohmann::json stats_json(const graph::GraphStats& s) {
  return {{"nodes", s.nodes}, {"flops", s.flops}, {"bytes", s.bytes}, {"by_op", s.by_op},
          {"by_fusion_class", s.by_fusion_class}};
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw UsageError("cannot write '" + path + "'");
}

// One table row per key of either map: "  key   before  after".
void print_counts(const std::string& title, const std::map<std::string, size_t>& before,
                  const std::map<std::string, size_t>& after) {
  std::set<std::string> keys;
  for (const auto& [k, n] : before) keys.insert(k);
  for (const auto& [k, n] : after) keys.insert(k);
  std::cout << title << "\n";
  for (const std::string& k : keys) {
    auto count = [&](const std::map<std::string, size_t>& m) { return m.count(k) ? m.at(k) : size_t{0}; };
    std::cout << "  " << std::left << std::setw(26) << k << std::right << std::setw(10) << count(before)
              << std::setw(10) << count(after) << "\n";
  }
}

void print_text(const std::string& target, bool train, const graph::OptimisedGraph& r) {
  std::cout << "graph " << target << (train ? " (training)" : " (forward)") << "\n";
  std::cout << "  " << std::left << std::setw(26) << "" << std::right << std::setw(10) << "before" << std::setw(10)
            << "after" << "\n";
  std::cout << "  " << std::left << std::setw(26) << "nodes" << std::right << std::setw(10) << r.before.nodes
            << std::setw(10) << r.after.nodes << "\n";
  std::cout << std::setprecision(4) << "  " << std::left << std::setw(26) << "gflops" << std::right << std::setw(10)
            << r.before.flops / 1e9 << std::setw(10) << r.after.flops / 1e9 << "\n";
  std::cout << "  " << std::left << std::setw(26) << "mbytes (unfused)" << std::right << std::setw(10)
            << r.before.bytes / 1e6 << std::setw(10) << r.after.bytes / 1e6 << "\n";
  std::cout << "passes\n";
  for (const graph::PassReport& p : r.passes)
    std::cout << "  " << std::left << std::setw(16) << p.name << std::right << p.nodes_before << " -> "
              << p.nodes_after << " nodes, " << std::fixed << std::setprecision(2) << p.milliseconds << " ms\n"
              << std::defaultfloat;
  print_counts("by fusion class", r.before.by_fusion_class, r.after.by_fusion_class);
  print_counts("by op", r.before.by_op, r.after.by_op);
}

const RegisterCommand kGraph([](CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto* cmd = app.add_subcommand("graph", "Show a model's graph before and after the graph passes (EVT)");
  auto args = std::make_shared<GraphArgs>();
  add_graph_target_options(*cmd, *args);
  cmd->add_option("--dot", args->dot, "Write the optimised graph as Graphviz DOT to this file");
  cmd->add_option("--save", args->save, "Write the optimised graph as graph JSON to this file");
  cmd->callback([&global, &exit_code, args] {
    graph::Graph g = load_graph_target(*args);
    std::vector<std::string> passes = selected_passes(*args);
    graph::OptimisedGraph r = graph::optimise_graph(g, passes);
    if (!args->dot.empty()) write_file(args->dot, graph::graph_to_dot(r.graph));
    if (!args->save.empty()) graph::save_graph_json(r.graph, args->save);
    if (global.json) {
      nlohmann::json p = nlohmann::json::array();
      for (const graph::PassReport& rep : r.passes)
        p.push_back({{"name", rep.name},
                     {"nodes_before", rep.nodes_before},
                     {"nodes_after", rep.nodes_after},
                     {"milliseconds", rep.milliseconds}});
      nlohmann::json j = {{"graph", args->target}, {"training", args->train}, {"passes", p},
                          {"before", stats_json(r.before)}, {"after", stats_json(r.after)}};
      std::cout << j.dump() << "\n";
    } else {
      print_text(args->target, args->train, r);
    }
    exit_code = 0;
  });
});

}  // namespace
}  // namespace weft::cli
