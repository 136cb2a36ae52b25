#include "cli/graph_target.h"

#include <filesystem>

#include "frontend/model_zoo.h"
#include "frontend/onnx_import.h"
#include "graph/graph_json.h"

namespace weft::cli {

graph::Graph load_graph_target(const std::string& target) {
  if (target.ends_with(".onnx")) return frontend::load_onnx(target).graph;
  std::error_code ignored;
  bool is_file = target.ends_with(".json") || std::filesystem::is_regular_file(target, ignored);
  if (is_file) return graph::load_graph_json(target);
  return frontend::build_model(target).graph;
}

}  // namespace weft::cli
