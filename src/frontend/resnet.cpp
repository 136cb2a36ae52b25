// ResNet-50 (NHWC): 7x7 stem, max pool, four stages of bottleneck blocks with
// batchnorm and projection shortcuts, global average pool, linear classifier,
// cross-entropy.
#include "frontend/model_builder.h"
#include "frontend/model_zoo.h"

namespace weft::frontend {
namespace {

struct ResnetConfig {
  int64_t batch, image, classes, width, stage1, stage2, stage3, stage4;

  ConfigTable table() {
    ConfigTable t;
    t.add_int("batch", &batch, 128, 2, "batch size");
    t.add_int("image", &image, 224, 32, "image height and width");
    t.add_int("classes", &classes, 1000, 10, "output classes");
    t.add_int("width", &width, 64, 8, "channels of the first stage (bottleneck width)");
    t.add_int("stage1", &stage1, 3, 1, "bottleneck blocks in stage 1");
    t.add_int("stage2", &stage2, 4, 1, "bottleneck blocks in stage 2");
    t.add_int("stage3", &stage3, 6, 1, "bottleneck blocks in stage 3");
    t.add_int("stage4", &stage4, 3, 1, "bottleneck blocks in stage 4");
    return t;
  }
};

ValueId bottleneck(ModelBuilder& b, ValueId x, int64_t cin, int64_t mid, int64_t stride, const std::string& p) {
  int64_t cout = 4 * mid;
  ValueId y = b.conv_bn(x, cin, mid, 1, 1, 0, p + ".conv1", true);
  y = b.conv_bn(y, mid, mid, 3, stride, 1, p + ".conv2", true);
  y = b.conv_bn(y, mid, cout, 1, 1, 0, p + ".conv3", false);
  ValueId shortcut = (stride != 1 || cin != cout) ? b.conv_bn(x, cin, cout, 1, stride, 0, p + ".downsample", false) : x;
  return b.op("relu", {b.op("add", {y, shortcut})}, {}, p + ".relu");
}

Model build(const ModelSpec& spec, const std::string& text, graph::DType dtype) {
  ResnetConfig c{};
  ConfigTable table = c.table();
  table.apply(spec, text);
  ModelBuilder b("resnet50", dtype);
  ValueId images = b.data("images", {c.batch, c.image, c.image, 3});
  ValueId labels = b.ids("labels", {c.batch}, graph::InputKind::label);
  ValueId x = b.conv_bn(images, 3, c.width, 7, 2, 3, "stem", true);
  x = b.op("max_pool2d", {x},
           {{"kernel", std::vector<int64_t>{3, 3}}, {"stride", std::vector<int64_t>{2, 2}},
            {"padding", std::vector<int64_t>{1, 1}}},
           "stem.pool");
  int64_t cin = c.width;
  int64_t blocks[4] = {c.stage1, c.stage2, c.stage3, c.stage4};
  for (int s = 0; s < 4; ++s) {
    int64_t mid = c.width << s;
    for (int64_t k = 0; k < blocks[s]; ++k) {
      int64_t stride = (s > 0 && k == 0) ? 2 : 1;
      x = bottleneck(b, x, cin, mid, stride, "stage" + std::to_string(s + 1) + ".block" + std::to_string(k));
      cin = 4 * mid;
    }
  }
  ValueId pooled = b.op("mean", {x}, {{"axes", std::vector<int64_t>{1, 2}}}, "avgpool");
  ValueId logits = b.linear(pooled, cin, c.classes, "fc");
  b.graph().add_output("loss", b.op("cross_entropy", {logits, labels}, {}, "loss"));

  Model m{"resnet50", "resnet50:" + table.canonical(), std::move(b.graph()), {}, {}, std::nullopt};
  m.index_bounds = {{"labels", c.classes}};
  return m;
}

}  // namespace

ModelDef resnet_model_def() {
  return {"resnet50", "ResNet-50 v1.5 image classification in NHWC (He et al.)", build, [] {
            ResnetConfig c{};
            return c.table().describe();
          }};
}

}  // namespace weft::frontend
