// `weft partition <model|file>`: builds the graph (optionally its training graph),
// runs EVT's graph passes, partitions it into kernels with the ILP partitioner and
// compares it with one kernel per op and with greedy producer-consumer fusion:
// kernels, bytes crossing kernel boundaries, unique tasks with their weights, and
// the ILP size and solve time of every component.
#include <fstream>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/graph_target.h"
#include "graph/passes/pass.h"
#include "partition/boundary.h"
#include "partition/partition.h"
#include "partition/partition_dot.h"
#include "partition/tasks.h"
#include "support/error.h"

namespace weft::cli {
namespace {

struct PartitionArgs : GraphTargetArgs {
  std::string dot, save;
  double time_limit_s = 5;
  size_t max_ilp_nodes = 32;
};

struct Row {
  std::string name;
  int kernels = 0;
  int64_t bytes = 0;
};

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw UsageError("cannot write '" + path + "'");
}

nlohmann::json component_json(const partition::ComponentReport& c) {
  return {{"first_node", c.first_node}, {"nodes", c.nodes},    {"pads", c.pads},
          {"edges", c.edges},           {"columns", c.columns}, {"rows", c.rows},
          {"binaries", c.binaries},     {"seconds", c.seconds}, {"method", partition::component_method_name(c.method)},
          {"kernels", c.kernels},       {"key", c.key}, {"window", c.window}};
}

nlohmann::json saved_partition(const graph::Graph& g, const partition::Partition& p,
                               const std::vector<partition::Task>& tasks) {
  std::vector<std::string> task_of(p.num_kernels);
  for (const partition::Task& t : tasks)
    for (int k : t.kernels) task_of[k] = t.hash;
  nlohmann::json kernels = nlohmann::json::array();
  std::vector<std::vector<graph::NodeId>> members = p.kernels();
  for (int k = 0; k < p.num_kernels; ++k) {
    nlohmann::json names = nlohmann::json::array();
    for (graph::NodeId n : members[k]) names.push_back(g.node(n).name);
    kernels.push_back({{"id", k}, {"task", task_of[k]}, {"nodes", names}});
  }
  return {{"format", "weft-partition"}, {"version", 1}, {"graph", g.name()}, {"kernels", kernels}};
}

void print_text(const PartitionArgs& args, const graph::Graph& g, const std::vector<Row>& rows,
                const partition::PartitionResult& r, const std::vector<partition::Task>& tasks) {
  std::cout << "partition " << args.target << (args.train ? " (training)" : " (forward)") << ": "
            << g.nodes().size() << " nodes after the graph passes\n";
  std::cout << "  " << std::left << std::setw(28) << "" << std::right << std::setw(10) << "kernels" << std::setw(16)
            << "boundary MB" << "\n";
  for (const Row& row : rows)
    std::cout << "  " << std::left << std::setw(28) << row.name << std::right << std::setw(10) << row.kernels
              << std::setw(16) << std::fixed << std::setprecision(3) << row.bytes / 1e6 << "\n"
              << std::defaultfloat;
  std::cout << "components: " << r.components.size() << " (+" << r.singletons << " nodes that fuse with nothing), "
            << r.ilp_solves << " ILP solves, " << r.cache_hits << " cache hits, " << r.greedy_fallbacks
            << " greedy fallbacks, " << r.windowed << " cut into windows (" << r.windows_replaced_by_greedy
            << " kept greedy fusion instead); " << std::fixed << std::setprecision(3) << r.seconds << " s\n"
            << std::defaultfloat;
  std::cout << "solved components (cache hits omitted):\n  " << std::left << std::setw(40) << "first node"
            << std::right << std::setw(7) << "nodes" << std::setw(6) << "pads" << std::setw(8) << "columns"
            << std::setw(8) << "rows" << std::setw(9) << "binaries" << std::setw(9) << "kernels" << std::setw(11)
            << "seconds" << "  method\n";
  for (const partition::ComponentReport& c : r.components) {
    if (c.method == partition::ComponentMethod::cached) continue;
    std::cout << "  " << std::left << std::setw(40) << c.first_node.substr(0, 39) << std::right << std::setw(7)
              << c.nodes << std::setw(6) << c.pads << std::setw(8) << c.columns << std::setw(8) << c.rows
              << std::setw(9) << c.binaries << std::setw(9) << c.kernels << std::setw(11) << std::fixed
              << std::setprecision(4) << c.seconds << std::defaultfloat << "  "
              << partition::component_method_name(c.method) << "\n";
  }
  std::cout << "unique tasks: " << tasks.size() << " (of " << r.partition.num_kernels << " kernels)\n  "
            << std::left << std::setw(18) << "hash" << std::right << std::setw(7) << "weight" << std::setw(7)
            << "nodes" << "  main op  (first kernel)\n";
  for (const partition::Task& t : tasks)
    std::cout << "  " << std::left << std::setw(18) << t.hash << std::right << std::setw(7) << t.weight
              << std::setw(7) << t.graph.nodes().size() << "  " << (t.main_op.empty() ? "-" : t.main_op) << "  ("
              << t.graph.nodes().front().name << ")\n";
}

const RegisterCommand kPartition([](CLI::App& app, const GlobalOptions& global, int& exit_code) {
  auto* cmd = app.add_subcommand("partition", "Partition a model's graph into kernels (EVT's ILP partitioner)");
  auto args = std::make_shared<PartitionArgs>();
  add_graph_target_options(*cmd, *args);
  cmd->add_option("--dot", args->dot, "Write the partition as Graphviz DOT (kernels coloured) to this file");
  cmd->add_option("--save", args->save, "Write the kernels (node names, task hash) as JSON to this file");
  cmd->add_option("--time-limit", args->time_limit_s, "GLPK time limit per component in seconds")
      ->check(CLI::PositiveNumber)
      ->default_val(5);
  cmd->add_option("--max-ilp-nodes", args->max_ilp_nodes,
                  "Larger components are cut into windows of this many nodes (0: no limit)")
      ->default_val(32);
  cmd->callback([&global, &exit_code, args] {
    graph::Graph g = load_graph_target(*args);
    std::vector<std::string> passes = selected_passes(*args);
    g = graph::run_passes(g, passes);
    partition::PartitionOptions options;
    options.ilp.time_limit_s = args->time_limit_s;
    options.max_ilp_nodes = args->max_ilp_nodes;
    partition::PartitionResult r = partition::partition_graph(g, options);
    partition::Partition per_op = partition::one_kernel_per_op(g), greedy = partition::greedy_partition(g);
    std::vector<Row> rows = {{"one kernel per op", per_op.num_kernels, partition::boundary_bytes(g, per_op)},
                             {"greedy fusion", greedy.num_kernels, partition::boundary_bytes(g, greedy)},
                             {"ILP partition", r.partition.num_kernels, partition::boundary_bytes(g, r.partition)}};
    std::vector<partition::Task> tasks = partition::extract_tasks(g, r.partition);
    if (!args->dot.empty()) write_file(args->dot, partition::partition_to_dot(g, r.partition));
    if (!args->save.empty()) write_file(args->save, saved_partition(g, r.partition, tasks).dump(2) + "\n");
    if (global.json) {
      nlohmann::json components = nlohmann::json::array(), task_list = nlohmann::json::array();
      for (const partition::ComponentReport& c : r.components) components.push_back(component_json(c));
      for (const partition::Task& t : tasks)
        task_list.push_back({{"hash", t.hash}, {"weight", t.weight}, {"nodes", t.graph.nodes().size()},
                             {"main_op", t.main_op}, {"first_node", t.graph.nodes().front().name}});
      nlohmann::json j = {{"graph", args->target},
                          {"training", args->train},
                          {"nodes", g.nodes().size()},
                          {"kernels", rows[2].kernels},
                          {"kernels_one_per_op", rows[0].kernels},
                          {"greedy_kernels", rows[1].kernels},
                          {"boundary_bytes", rows[2].bytes},
                          {"one_per_op_boundary_bytes", rows[0].bytes},
                          {"greedy_boundary_bytes", rows[1].bytes},
                          {"unique_tasks", tasks.size()},
                          {"solve_s", r.seconds},
                          {"ilp_solves", r.ilp_solves},
                          {"cache_hits", r.cache_hits},
                          {"greedy_fallbacks", r.greedy_fallbacks},
                          {"windowed", r.windowed},
                          {"windows_replaced_by_greedy", r.windows_replaced_by_greedy},
                          {"singletons", r.singletons},
                          {"components", components},
                          {"tasks", task_list}};
      std::cout << j.dump() << "\n";
    } else {
      print_text(*args, g, rows, r, tasks);
    }
    exit_code = 0;
  });
});

}  // namespace
}  // namespace weft::cli
