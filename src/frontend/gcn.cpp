// GCN node classification (Kipf & Welling) on a synthetic graph shaped like
// ogbn-mag's paper nodes: each layer is A (X W) + b with a CSR adjacency A, ReLU
// and dropout between layers, cross-entropy on every node's label.
#include "frontend/model_builder.h"
#include "frontend/model_zoo.h"

namespace weft::frontend {
namespace {

struct GcnConfig {
  int64_t nodes, edges, features, hidden, classes, layers;
  double dropout;

  ConfigTable table() {
    ConfigTable t;
    t.add_int("nodes", &nodes, 736389, 12, "graph nodes (ogbn-mag papers)");
    t.add_int("edges", &edges, 5416271, 30, "adjacency nonzeros (ogbn-mag citations)");
    t.add_int("features", &features, 128, 8, "input features per node");
    t.add_int("hidden", &hidden, 64, 4, "hidden size");
    t.add_int("classes", &classes, 349, 3, "output classes");
    t.add_int("layers", &layers, 2, 2, "GCN layers");
    t.add_real("dropout", &dropout, 0.5, 0.5, "dropout probability", 0, 0.99);
    return t;
  }
};

Model build(const ModelSpec& spec, const std::string& text, graph::DType dtype) {
  GcnConfig c{};
  ConfigTable table = c.table();
  table.apply(spec, text);
  ModelBuilder b("gcn", dtype);
  ValueId indptr = b.ids("adj.indptr", {c.nodes + 1});
  ValueId indices = b.ids("adj.indices", {c.edges});
  ValueId values = b.data("adj.values", {c.edges});
  ValueId x = b.data("features", {c.nodes, c.features});
  ValueId labels = b.ids("labels", {c.nodes}, graph::InputKind::label);
  int64_t in = c.features;
  for (int64_t l = 0; l < c.layers; ++l) {
    std::string p = "gcn" + std::to_string(l);
    int64_t out = l + 1 == c.layers ? c.classes : c.hidden;
    ValueId xw = b.linear(x, in, out, p + ".linear", false);
    x = b.op("add", {b.op("spmm", {indptr, indices, values, xw}, {}, p + ".aggregate"), b.param(p + ".bias", {out})});
    if (l + 1 < c.layers) x = b.dropout(b.op("relu", {x}), c.dropout);
    in = out;
  }
  b.graph().add_output("loss", b.op("cross_entropy", {x, labels}, {}, "loss"));

  Model m{"gcn", "gcn:" + table.canonical(), std::move(b.graph()), {}, {}, std::nullopt};
  m.index_bounds = {{"labels", c.classes}};
  m.csr = CsrInputs{"adj.indptr", "adj.indices", "adj.values", c.nodes, c.nodes, c.edges};
  return m;
}

}  // namespace

ModelDef gcn_model_def() {
  return {"gcn", "2-layer GCN node classification on a synthetic ogbn-mag-sized graph (Kipf & Welling)", build, [] {
            GcnConfig c{};
            return c.table().describe();
          }};
}

}  // namespace weft::frontend
