#include "cli/graph_target.h"

#include <filesystem>

#include "frontend/model_zoo.h"
#include "frontend/onnx_import.h"
#include "graph/autodiff.h"
#include "graph/graph_json.h"
#include "graph/passes/pass.h"

namespace weft::cli {

void add_graph_target_options(CLI::App& cmd, GraphTargetArgs& args) {
  cmd.add_option("model", args.target, "Model spec (e.g. bert-large:tiny), graph JSON file or ONNX model")
      ->required();
  cmd.add_flag("--train", args.train, "Use the training graph (forward + backward)");
  cmd.add_option("--passes", args.passes, "Comma-separated graph passes, or 'none' (default: EVT's pipeline)");
}

namespace {

graph::Graph load_target(const std::string& target) {
  if (target.ends_with(".onnx")) return frontend::load_onnx(target).graph;
  std::error_code ignored;
  bool is_file = target.ends_with(".json") || std::filesystem::is_regular_file(target, ignored);
  if (is_file) return graph::load_graph_json(target);
  return frontend::build_model(target).graph;
}

}  // namespace

graph::Graph load_graph_target(const GraphTargetArgs& args) {
  graph::Graph g = load_target(args.target);
  return args.train ? graph::build_training_graph(g) : g;
}

std::vector<std::string> selected_passes(const GraphTargetArgs& args) {
  if (args.passes.empty()) return graph::default_pipeline(args.train);
  if (args.passes == "none") return {};
  return graph::parse_pass_list(args.passes);
}

}  // namespace weft::cli
