// Graph passes and the pass manager. Each pass is a function from graph to graph
// in its own file; the manager runs a list of them by name and logs each pass's
// effect (node counts) and time.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace weft::graph {

Graph eliminate_dead_code(const Graph& graph);             // dce.cpp
Graph eliminate_common_subexpressions(const Graph& graph);  // cse.cpp
Graph decompose(const Graph& graph);                        // decompose.cpp
Graph eliminate_reductions(const Graph& graph);             // reduction_elim.cpp
Graph propagate_permutes(const Graph& graph);               // permute_prop.cpp
Graph fold_constants(const Graph& graph);                   // const_fold.cpp

// loss_elim.cpp
struct LossEliminationOptions {
  std::string loss_output = "loss";
  bool keep_loss = false;  // the user asked for the loss value this step: change nothing
};
// Drops the loss output and the nodes only it needs (UsageError when the graph
// has no such output, or nothing besides it).
Graph eliminate_loss(const Graph& graph, const LossEliminationOptions& options = {});
// Adds the loss back to a graph optimised from `reference` (which computes it):
// values the optimised graph still holds under the same name and type are
// reused, the rest of the loss's inputs recomputed. No-op when the loss is there.
Graph restore_loss(const Graph& optimised, const Graph& reference, const std::string& loss_output = "loss");

struct PassDef {
  std::string name;
  std::string summary;
  std::function<Graph(const Graph&)> run;
};

struct PassReport {
  std::string name;
  size_t nodes_before = 0, nodes_after = 0;
  double milliseconds = 0;
};

const std::vector<PassDef>& all_passes();
// UsageError listing the known passes when `name` is unknown.
const PassDef& find_pass(const std::string& name);
// Runs the named passes in order; appends one report per pass when `report` is given.
Graph run_passes(const Graph& graph, const std::vector<std::string>& names, std::vector<PassReport>* report = nullptr);
// Splits "cse,dce" into names (UsageError on empty items).
std::vector<std::string> parse_pass_list(const std::string& list);
// EVT's pipeline: for a training graph loss elimination first, then
// decomposition, reduction elimination, permute propagation and clean-ups.
std::vector<std::string> default_pipeline(bool training);

}  // namespace weft::graph
