// BERT-Large pre-training (masked-LM head applied to every position): token and
// position embeddings, post-norm encoder layers, GELU MLM transform, vocabulary
// projection, cross-entropy against one label per token.
#include "frontend/model_builder.h"
#include "frontend/model_zoo.h"
#include "support/error.h"

namespace weft::frontend {
namespace {

struct BertConfig {
  int64_t layers, hidden, heads, seq, batch, vocab, intermediate;
  double dropout;

  ConfigTable table() {
    ConfigTable t;
    t.add_int("layers", &layers, 24, 2, "encoder layers");
    t.add_int("hidden", &hidden, 1024, 32, "hidden size");
    t.add_int("heads", &heads, 16, 4, "attention heads (must divide hidden)");
    t.add_int("seq", &seq, 512, 8, "sequence length");
    t.add_int("batch", &batch, 32, 2, "batch size");
    t.add_int("vocab", &vocab, 30522, 50, "vocabulary size");
    t.add_int("intermediate", &intermediate, 4096, 64, "MLP inner size");
    t.add_real("dropout", &dropout, 0.1, 0.1, "dropout probability", 0, 0.99);
    return t;
  }
};

Model build(const ModelSpec& spec, const std::string& text, graph::DType dtype) {
  BertConfig c{};
  ConfigTable table = c.table();
  table.apply(spec, text);
  if (c.hidden % c.heads != 0)
    throw UsageError("model spec '" + text + "': heads=" + std::to_string(c.heads) + " must divide hidden=" +
                     std::to_string(c.hidden));
  ModelBuilder b("bert-large", dtype);
  int64_t tokens = c.batch * c.seq;
  ValueId ids = b.ids("input_ids", {c.batch, c.seq});
  ValueId labels = b.ids("mlm_labels", {tokens}, graph::InputKind::label);
  ValueId x = b.op("embedding", {b.param("embeddings.word", {c.vocab, c.hidden}), ids}, {}, "embeddings");
  x = b.op("add", {x, b.param("embeddings.position", {c.seq, c.hidden})}, {}, "embeddings.add_position");
  x = b.reshape(x, {tokens, c.hidden});
  x = b.dropout(b.layernorm(x, c.hidden, "embeddings.ln"), c.dropout);
  for (int64_t l = 0; l < c.layers; ++l) {
    std::string p = "layer" + std::to_string(l);
    ValueId attn = b.self_attention(x, c.batch, c.seq, c.hidden, c.heads, c.dropout, p + ".attention");
    x = b.layernorm(b.op("add", {x, attn}), c.hidden, p + ".ln1");
    ValueId m = b.dropout(b.mlp(x, c.hidden, c.intermediate, p + ".mlp"), c.dropout);
    x = b.layernorm(b.op("add", {x, m}), c.hidden, p + ".ln2");
  }
  ValueId t = b.layernorm(b.op("gelu", {b.linear(x, c.hidden, c.hidden, "mlm.transform")}), c.hidden, "mlm.ln");
  ValueId logits = b.linear(t, c.hidden, c.vocab, "mlm.decoder");
  b.graph().add_output("loss", b.op("cross_entropy", {logits, labels}, {}, "loss"));

  Model m{"bert-large", "bert-large:" + table.canonical(), std::move(b.graph()), {}, {}, std::nullopt};
  m.index_bounds = {{"input_ids", c.vocab}, {"mlm_labels", c.vocab}};
  return m;
}

}  // namespace

ModelDef bert_model_def() {
  return {"bert-large", "BERT-Large masked-LM pre-training, post-norm encoder (Devlin et al.)", build,
          [] {
            BertConfig c{};
            return c.table().describe();
          }};
}

}  // namespace weft::frontend
