// XML-CNN extreme multi-label text classification (Liu et al. 2017): word
// embeddings, 1-D convolutions of widths 2, 4 and 8 (NHWC convs over a height-1
// image), dynamic max pooling into `pool` chunks, a bottleneck layer and one
// logit per label, trained with BCE-with-logits against 0/1 targets.
#include "frontend/model_builder.h"
#include "frontend/model_zoo.h"
#include "support/error.h"

namespace weft::frontend {
namespace {

constexpr int64_t kWidths[] = {2, 4, 8};

struct XmlCnnConfig {
  int64_t batch, seq, embedding, labels, vocab, filters, pool, hidden;
  double dropout;

  ConfigTable table() {
    ConfigTable t;
    t.add_int("batch", &batch, 1024, 2, "batch size");
    t.add_int("seq", &seq, 512, 16, "tokens per document");
    t.add_int("embedding", &embedding, 304, 8, "word embedding size");
    t.add_int("labels", &labels, 670208, 20, "output labels (Amazon-670K)");
    t.add_int("vocab", &vocab, 135909, 30, "vocabulary size");
    t.add_int("filters", &filters, 32, 4, "filters per convolution width");
    t.add_int("pool", &pool, 128, 2, "dynamic max pooling chunks");
    t.add_int("hidden", &hidden, 512, 16, "bottleneck size");
    t.add_real("dropout", &dropout, 0.5, 0.5, "dropout probability", 0, 0.99);
    return t;
  }
};

Model build(const ModelSpec& spec, const std::string& text, graph::DType dtype) {
  XmlCnnConfig c{};
  ConfigTable table = c.table();
  table.apply(spec, text);
  if (c.seq - 8 + 1 < c.pool)
    throw UsageError("model spec '" + text + "': seq=" + std::to_string(c.seq) +
                     " is too short for width-8 convolutions pooled into pool=" + std::to_string(c.pool) + " chunks");
  ModelBuilder b("xmlcnn", dtype);
  ValueId ids = b.ids("input_ids", {c.batch, c.seq});
  ValueId targets = b.label_values("targets", {c.batch, c.labels});
  ValueId x = b.op("embedding", {b.param("embedding", {c.vocab, c.embedding}), ids}, {}, "embed");
  x = b.dropout(b.reshape(x, {c.batch, 1, c.seq, c.embedding}), c.dropout);  // NHWC with H = 1
  std::vector<ValueId> pooled;
  for (int64_t w : kWidths) {
    std::string p = "conv" + std::to_string(w);
    ValueId y = b.op("conv2d", {x, b.param(p + ".weight", {1, w, c.embedding, c.filters})}, {}, p);
    y = b.op("relu", {b.op("add", {y, b.param(p + ".bias", {c.filters})})});
    y = b.op("adaptive_max_pool2d", {y}, {{"output_hw", std::vector<int64_t>{1, c.pool}}}, p + ".pool");
    pooled.push_back(b.reshape(y, {c.batch, c.pool * c.filters}));
  }
  int64_t features = static_cast<int64_t>(pooled.size()) * c.pool * c.filters;
  ValueId h = b.op("concat", pooled, {{"axis", int64_t{1}}}, "features");
  h = b.dropout(b.op("relu", {b.linear(h, features, c.hidden, "bottleneck")}), c.dropout);
  ValueId logits = b.linear(h, c.hidden, c.labels, "output");
  b.graph().add_output("loss", b.op("bce_with_logits", {logits, targets}, {}, "loss"));

  Model m{"xmlcnn", "xmlcnn:" + table.canonical(), std::move(b.graph()), {}, {}, std::nullopt};
  m.index_bounds = {{"input_ids", c.vocab}};
  m.binary_inputs = {"targets"};
  return m;
}

}  // namespace

ModelDef xmlcnn_model_def() {
  return {"xmlcnn", "XML-CNN extreme multi-label classification with dynamic max pooling (Liu et al.)", build, [] {
            XmlCnnConfig c{};
            return c.table().describe();
          }};
}

}  // namespace weft::frontend
