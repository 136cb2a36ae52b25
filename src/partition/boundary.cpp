#include "partition/boundary.h"

#include <set>

#include "partition/fusion_rules.h"

namespace weft::partition {

int64_t boundary_bytes(const Graph& graph, const Partition& p) {
  std::vector<std::set<int>> readers(graph.values().size());
  for (size_t v = 0; v < graph.nodes().size(); ++v)
    for (graph::ValueId in : graph.nodes()[v].inputs) readers[in].insert(p.kernel_of[v]);
  std::vector<bool> is_output(graph.values().size(), false);
  for (const graph::GraphOutput& o : graph.outputs()) is_output[o.value] = true;
  int64_t total = 0;
  for (size_t id = 0; id < graph.values().size(); ++id) {
    const graph::Value& value = graph.values()[id];
    int64_t bytes = type_bytes(value.type);
    int home = value.producer >= 0 ? p.kernel_of[value.producer] : -1;
    size_t outside_readers = readers[id].size() - readers[id].count(home);
    total += static_cast<int64_t>(outside_readers) * bytes;
    if (value.producer >= 0 && (outside_readers > 0 || is_output[id])) total += bytes;
  }
  return total;
}

}  // namespace weft::partition
