#include <chrono>

#include "graph/passes/pass.h"
#include "support/error.h"
#include "support/log.h"

namespace weft::graph {

const std::vector<PassDef>& all_passes() {
  static const std::vector<PassDef> passes = {
      {"cse", "merge nodes with equal op, inputs and attributes", eliminate_common_subexpressions},
      {"dce", "drop nodes no output depends on", eliminate_dead_code},
      {"loss-elim", "drop the loss value; backward needs only its gradient",
       [](const Graph& g) { return eliminate_loss(g); }},
      {"decompose", "split composite ops (log_softmax, norms, dropout, nll/relu backward) into primitives",
       decompose},
      {"reduction-elim", "reassociate products around sums and fold sums of one-hot tensors",
       eliminate_reductions},
      {"permute-prop", "push permutes through elementwise ops until they cancel; fold them into GEMMs",
       propagate_permutes},
      {"const-fold", "fold ops on constants and drop arithmetic identities", fold_constants},
  };
  return passes;
}

const PassDef& find_pass(const std::string& name) {
  std::string names;
  for (const PassDef& p : all_passes()) {
    if (p.name == name) return p;
    names += (names.empty() ? "" : ", ") + p.name;
  }
  throw UsageError("unknown graph pass '" + name + "' (passes: " + names + ")");
}

Graph run_passes(const Graph& graph, const std::vector<std::string>& names, std::vector<PassReport>* report) {
  Graph current = graph;
  for (const std::string& name : names) {
    const PassDef& pass = find_pass(name);
    auto start = std::chrono::steady_clock::now();
    size_t before = current.nodes().size();
    current = pass.run(current);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    logger()->info("graph pass {}: {} -> {} nodes in {:.2f} ms", name, before, current.nodes().size(), ms);
    if (report) report->push_back(PassReport{name, before, current.nodes().size(), ms});
  }
  return current;
}

std::vector<std::string> parse_pass_list(const std::string& list) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    if (comma == std::string::npos) comma = list.size();
    std::string item = list.substr(pos, comma - pos);
    if (item.empty()) throw UsageError("pass list '" + list + "' has an empty item at column " + std::to_string(pos + 1));
    find_pass(item);
    out.push_back(item);
    pos = comma + 1;
  }
  return out;
}

std::vector<std::string> default_pipeline(bool training) {
  std::vector<std::string> passes = {"decompose",  "cse",          "dce", "reduction-elim",
                                     "const-fold", "permute-prop", "cse", "dce"};
  if (training) passes.insert(passes.begin(), "loss-elim");
  return passes;
}

}  // namespace weft::graph
