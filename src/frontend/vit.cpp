// ViT image classification: patch embedding as a stride-`patch` NHWC conv, a
// class token, learned position embeddings, pre-norm encoder layers, final
// layernorm, linear head on the class token, cross-entropy.
#include "frontend/model_builder.h"
#include "frontend/model_zoo.h"
#include "support/error.h"

namespace weft::frontend {
namespace {

struct VitConfig {
  int64_t dim, depth, heads, patch, image, channels, batch, classes, mlp;
  double dropout;

  ConfigTable table() {
    ConfigTable t;
    t.add_int("dim", &dim, 768, 32, "embedding size");
    t.add_int("depth", &depth, 12, 2, "encoder layers");
    t.add_int("heads", &heads, 12, 4, "attention heads (must divide dim)");
    t.add_int("patch", &patch, 14, 4, "patch size (must divide image)");
    t.add_int("image", &image, 224, 16, "image height and width");
    t.add_int("channels", &channels, 3, 3, "image channels");
    t.add_int("batch", &batch, 128, 2, "batch size");
    t.add_int("classes", &classes, 1000, 10, "output classes");
    t.add_int("mlp", &mlp, 3072, 64, "MLP inner size");
    t.add_real("dropout", &dropout, 0.1, 0.1, "dropout probability", 0, 0.99);
    return t;
  }
};

Model build(const ModelSpec& spec, const std::string& text, graph::DType dtype) {
  VitConfig c{};
  ConfigTable table = c.table();
  table.apply(spec, text);
  if (c.dim % c.heads != 0 || c.image % c.patch != 0)
    throw UsageError("model spec '" + text + "': heads must divide dim and patch must divide image");
  ModelBuilder b("vit", dtype);
  int64_t grid = c.image / c.patch, tokens = grid * grid + 1;
  ValueId images = b.data("images", {c.batch, c.image, c.image, c.channels});
  ValueId labels = b.ids("labels", {c.batch}, graph::InputKind::label);
  ValueId patches = b.op("conv2d", {images, b.param("patch_embed.weight", {c.patch, c.patch, c.channels, c.dim})},
                         {{"stride", std::vector<int64_t>{c.patch, c.patch}}}, "patch_embed");
  patches = b.op("add", {patches, b.param("patch_embed.bias", {c.dim})});
  patches = b.reshape(patches, {c.batch, grid * grid, c.dim});
  ValueId cls = b.op("broadcast_to", {b.param("cls_token", {1, 1, c.dim})}, {{"shape", graph::Shape{c.batch, 1, c.dim}}});
  ValueId x = b.op("concat", {cls, patches}, {{"axis", int64_t{1}}});
  x = b.op("add", {x, b.param("pos_embed", {tokens, c.dim})});
  x = b.dropout(b.reshape(x, {c.batch * tokens, c.dim}), c.dropout);
  for (int64_t l = 0; l < c.depth; ++l) {
    std::string p = "block" + std::to_string(l);
    ValueId a = b.self_attention(b.layernorm(x, c.dim, p + ".ln1", 1e-6), c.batch, tokens, c.dim, c.heads, c.dropout,
                                 p + ".attention");
    x = b.op("add", {x, a});
    ValueId m = b.dropout(b.mlp(b.layernorm(x, c.dim, p + ".ln2", 1e-6), c.dim, c.mlp, p + ".mlp"), c.dropout);
    x = b.op("add", {x, m});
  }
  x = b.reshape(b.layernorm(x, c.dim, "norm", 1e-6), {c.batch, tokens, c.dim});
  ValueId cls_out = b.reshape(b.op("slice", {x}, {{"axis", int64_t{1}}, {"begin", int64_t{0}}, {"end", int64_t{1}}}),
                              {c.batch, c.dim});
  ValueId logits = b.linear(cls_out, c.dim, c.classes, "head");
  b.graph().add_output("loss", b.op("cross_entropy", {logits, labels}, {}, "loss"));

  Model m{"vit", "vit:" + table.canonical(), std::move(b.graph()), {}, {}, std::nullopt};
  m.index_bounds = {{"labels", c.classes}};
  return m;
}

}  // namespace

ModelDef vit_model_def() {
  return {"vit", "Vision Transformer classification, pre-norm encoder (Dosovitskiy et al.)", build, [] {
            VitConfig c{};
            return c.table().describe();
          }};
}

}  // namespace weft::frontend
