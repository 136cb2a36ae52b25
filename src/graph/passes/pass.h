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

}  // namespace weft::graph
