#include "partition/fusion_rules.h"

#include <algorithm>
#include <map>

#include "graph/op_registry.h"

namespace weft::partition {
namespace {

using graph::FusionClass;

FusionClass fusion_of(const graph::Node& node) { return graph::OpRegistry::global().get(node.op, node.name).fusion; }

// Row-per-node bitsets over nodes, for reachability along a DAG in node order.
class BitRows {
 public:
  explicit BitRows(size_t n) : words_((n + 63) / 64), bits_(n * words_, 0) {}
  uint64_t* row(size_t i) { return bits_.data() + i * words_; }
  const uint64_t* row(size_t i) const { return bits_.data() + i * words_; }
  void set(size_t i, size_t j) { row(i)[j / 64] |= uint64_t{1} << (j % 64); }
  bool test(size_t i, size_t j) const { return (row(i)[j / 64] >> (j % 64)) & 1; }
  void merge(size_t into, const uint64_t* from) {
    uint64_t* r = row(into);
    for (size_t w = 0; w < words_; ++w) r[w] |= from[w];
  }
  void clear(size_t i) { std::fill(row(i), row(i) + words_, 0); }

 private:
  size_t words_;
  std::vector<uint64_t> bits_;
};

// A value is a statistic when a reduction produced it, when it is a further output
// of a main op (layernorm_grad's dgamma, dbeta), or when a `finisher` computed it.
struct Statistics {
  std::vector<bool> value_is_statistic;
  std::vector<bool> node_finishes;  // non-main, non-reduction node reading only statistics and constants

  explicit Statistics(const Graph& g) : value_is_statistic(g.values().size()), node_finishes(g.nodes().size()) {
    for (size_t id = 0; id < g.nodes().size(); ++id) {
      const graph::Node& node = g.nodes()[id];
      FusionClass fc = fusion_of(node);
      bool finisher = !graph::is_main(fc) && fc != FusionClass::reduction && !node.inputs.empty();
      bool reads_statistic = false;
      for (graph::ValueId in : node.inputs) {
        const graph::Value& v = g.value(in);
        bool constant = v.producer >= 0 && g.node(v.producer).inputs.empty() && !g.node(v.producer).attrs.has("seed");
        reads_statistic = reads_statistic || value_is_statistic[in];
        if (!value_is_statistic[in] && !constant) finisher = false;
      }
      finisher = finisher && reads_statistic;
      node_finishes[id] = finisher;
      for (size_t k = 0; k < node.outputs.size(); ++k)
        value_is_statistic[node.outputs[k]] =
            fc == FusionClass::reduction || finisher || (graph::is_main(fc) && k > 0);
    }
  }
};

}  // namespace

int64_t type_bytes(const graph::TensorType& type) { return type.numel() * ir::dtype_bytes(type.dtype); }

bool is_gemm(const std::string& op) { return op == "matmul" || op == "batch_matmul"; }

FusionRules analyse_fusion(const Graph& g) {
  const size_t n = g.nodes().size();
  FusionRules rules;
  rules.is_main.resize(n);
  rules.is_rng.resize(n);
  Statistics stats(g);
  for (size_t id = 0; id < n; ++id) {
    const graph::Node& node = g.nodes()[id];
    rules.is_main[id] = graph::is_main(fusion_of(node));
    rules.is_rng[id] = node.inputs.empty() && node.attrs.has("seed");
  }

  // Node-to-node edges with the local rules.
  for (size_t v = 0; v < n; ++v) {
    const graph::Node& node = g.nodes()[v];
    std::map<NodeId, std::pair<int64_t, bool>> from;  // producer -> (bytes, hands a statistic)
    std::vector<graph::ValueId> seen;
    for (graph::ValueId in : node.inputs) {
      if (std::find(seen.begin(), seen.end(), in) != seen.end()) continue;  // mul(x, x) reads x once
      seen.push_back(in);
      const graph::Value& value = g.value(in);
      if (value.producer < 0) continue;
      auto& [bytes, statistic] = from[value.producer];
      bytes += type_bytes(value.type);
      statistic = statistic || stats.value_is_statistic[in];
    }
    for (const auto& [p, info] : from) {
      GraphEdge e{p, static_cast<NodeId>(v), info.first, true, false};
      std::string reason;
      if (rules.is_main[v]) {
        bool folds = fusion_of(g.node(p)) == FusionClass::permute && is_gemm(node.op);
        if (!folds) reason = "operand of main op " + node.name;
      } else if (info.second && !stats.node_finishes[v]) {
        reason = "reduction/statistic output ends the kernel of " + g.node(p).name;
      }
      e.fusible = reason.empty();
      rules.edges.push_back(e);
      rules.reason.push_back(reason);
    }
  }

  // Convexity: u→v is never fusible when another path u⇝v crosses a never-fusible
  // edge. Repeat until no edge changes, since each round may forbid more.
  std::vector<std::vector<int>> out_edges(n);
  for (size_t i = 0; i < rules.edges.size(); ++i) out_edges[rules.edges[i].from].push_back(static_cast<int>(i));
  BitRows reach(n), through_forbidden(n);
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t u = n; u-- > 0;) {
      reach.clear(u);
      through_forbidden.clear(u);
      for (int ei : out_edges[u]) {
        size_t w = rules.edges[ei].to;
        reach.merge(u, reach.row(w));
        reach.set(u, w);
        if (rules.edges[ei].fusible) {
          through_forbidden.merge(u, through_forbidden.row(w));
        } else {
          through_forbidden.merge(u, reach.row(w));
          through_forbidden.set(u, w);
        }
      }
    }
    for (size_t i = 0; i < rules.edges.size(); ++i) {
      GraphEdge& e = rules.edges[i];
      if (e.fusible && through_forbidden.test(e.from, e.to)) {
        e.fusible = false;
        rules.reason[i] = "another path from " + g.node(e.from).name + " to " + g.node(e.to).name +
                          " leaves every kernel holding both";
        changed = true;
      }
    }
  }

  // Readers of each node-produced value that is not a graph output.
  std::vector<bool> is_output(g.values().size(), false);
  for (const graph::GraphOutput& o : g.outputs()) is_output[o.value] = true;
  std::map<std::pair<NodeId, NodeId>, int> edge_index;
  for (size_t i = 0; i < rules.edges.size(); ++i) edge_index[{rules.edges[i].from, rules.edges[i].to}] = static_cast<int>(i);
  std::vector<ValueReaders> readers(g.values().size());
  for (size_t v = 0; v < n; ++v)
    for (graph::ValueId in : g.nodes()[v].inputs) {
      NodeId p = g.value(in).producer;
      if (p < 0 || is_output[in]) continue;
      int e = edge_index.at({p, static_cast<NodeId>(v)});
      auto& edges = readers[in].edges;
      if (std::find(edges.begin(), edges.end(), e) == edges.end()) edges.push_back(e);
      readers[in].bytes = type_bytes(g.type(in));
    }
  for (ValueReaders& r : readers)
    if (!r.edges.empty()) rules.values.push_back(std::move(r));

  std::vector<std::vector<int>> in_edges(n);
  for (size_t i = 0; i < rules.edges.size(); ++i) in_edges[rules.edges[i].to].push_back(static_cast<int>(i));
  for (size_t i = 0; i < rules.edges.size(); ++i) {
    GraphEdge& e = rules.edges[i];
    const graph::Node& to = g.node(e.to);
    e.forced = e.fusible && to.inputs.size() == 1 && fusion_of(to) == FusionClass::view;
    if (!e.fusible || !is_gemm(to.op) || fusion_of(g.node(e.from)) != FusionClass::permute) continue;
    for (int j : in_edges[e.from])
      if (rules.edges[j].fusible) rules.exclusive.emplace_back(j, static_cast<int>(i));
  }
  return rules;
}

}  // namespace weft::partition
