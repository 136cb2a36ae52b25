// The model zoo: spec parsing and its errors, paper-size parameter counts
// against published numbers, and the tiny preset of every model running forward
// and backward (with gradients checked against finite differences in f64).
#include <gtest/gtest.h>

#include <cmath>

#include "frontend/model_zoo.h"
#include "grad_check.h"
#include "graph/autodiff.h"
#include "graph/executor.h"
#include "support/error.h"

using namespace weft::graph;
using namespace weft::frontend;

namespace {

int64_t parameter_count(const Graph& g) {
  int64_t n = 0;
  for (const GraphInput& in : g.inputs())
    if (in.kind == InputKind::parameter) n += g.type(in.value).numel();
  return n;
}

std::string usage_error(const std::string& spec) {
  try {
    build_model(spec);
  } catch (const weft::UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UsageError for " << spec;
  return "";
}

}  // namespace

TEST(ModelSpec, ParsesPresetAndOverrides) {
  ModelSpec s = parse_model_spec("vit:tiny,depth=1,dropout=0");
  EXPECT_EQ(s.model, "vit");
  EXPECT_TRUE(s.tiny);
  ASSERT_EQ(s.overrides.size(), 2u);
  EXPECT_EQ(s.overrides[1], (std::pair<std::string, std::string>{"dropout", "0"}));
  Model m = build_model("bert-large:layers=2,seq=64");
  EXPECT_EQ(m.spec,
            "bert-large:layers=2,hidden=1024,heads=16,seq=64,batch=32,vocab=30522,intermediate=4096,dropout=0.1");
  EXPECT_EQ(m.graph.type(*m.graph.find_value("input_ids")).shape, (Shape{32, 64}));
}

TEST(ModelSpec, ErrorsNameTheSpecAndColumn) {
  EXPECT_EQ(usage_error("bert:tiny"), "model spec 'bert:tiny': unknown model 'bert' (models: bert-large, vit, "
                                      "resnet50, xmlcnn, gcn)");
  EXPECT_EQ(usage_error("bert-large:layrs=2"),
            "model spec 'bert-large:layrs=2', column 12: unknown key 'layrs' for model 'bert-large' (keys: layers, "
            "hidden, heads, seq, batch, vocab, intermediate, dropout)");
  EXPECT_EQ(usage_error("vit:tiny,depth=two"), "model spec 'vit:tiny,depth=two', column 10: 'depth' needs an integer, got 'two'");
  EXPECT_EQ(usage_error("gcn:layers=0"), "model spec 'gcn:layers=0', column 5: 'layers' must be at least 1, got 0");
  EXPECT_EQ(usage_error("gcn:dropout=1.5"),
            "model spec 'gcn:dropout=1.5', column 5: 'dropout' must be at least 0 and at most 0.99, got 1.5");
  EXPECT_EQ(usage_error("resnet50:tiny,,"), "model spec 'resnet50:tiny,,', column 15: empty item");
  EXPECT_EQ(usage_error("resnet50:"), "model spec 'resnet50:', column 10: expected 'tiny' or key=value after ':'");
  EXPECT_EQ(usage_error("xmlcnn:batch"), "model spec 'xmlcnn:batch', column 8: expected 'tiny' or key=value, got 'batch'");
  EXPECT_EQ(usage_error("bert-large:heads=5"), "model spec 'bert-large:heads=5': heads=5 must divide hidden=1024");
}

TEST(ModelZoo, PaperSizesMatchPublishedParameterCounts) {
  // torchvision resnet50: 25,557,032 parameters (batchnorm running statistics are buffers).
  Model resnet = build_model("resnet50");
  EXPECT_EQ(parameter_count(resnet.graph), 25557032);
  EXPECT_EQ(resnet.graph.type(*resnet.graph.find_value("images")).shape, (Shape{128, 224, 224, 3}));
  // torchvision vit_b_16 has 86,567,656; patch 14 changes the patch projection
  // (14*14*3 instead of 16*16*3 rows) and the position table (257 instead of 197 rows).
  Model vit = build_model("vit");
  EXPECT_EQ(parameter_count(vit.graph), 86567656 + (14 * 14 - 16 * 16) * 3 * 768 + (257 - 197) * 768);
  // BERT-Large encoder layers hold 12,596,224 parameters each.
  Model bert = build_model("bert-large");
  int64_t embeddings = 30522 * 1024 + 512 * 1024 + 2 * 1024;
  int64_t head = 1024 * 1024 + 1024 + 2 * 1024 + 1024 * 30522 + 30522;
  EXPECT_EQ(parameter_count(bert.graph), embeddings + 24 * 12596224 + head);
  Model xml = build_model("xmlcnn");
  EXPECT_EQ(xml.graph.type(*xml.graph.find_value("targets")).shape, (Shape{1024, 670208}));
  Model gcn = build_model("gcn");
  EXPECT_EQ(parameter_count(gcn.graph), 128 * 64 + 64 + 64 * 349 + 349);
}

TEST(ModelZoo, DescribesEveryModel) {
  ASSERT_EQ(model_names().size(), 5u);
  for (const std::string& name : model_names()) {
    std::string d = describe_model(name);
    EXPECT_EQ(d.rfind(name + ": ", 0), 0u) << d;
    EXPECT_NE(d.find("(paper "), std::string::npos) << d;
  }
  EXPECT_THROW(describe_model("alexnet"), weft::UsageError);
}

class TinyModel : public ::testing::TestWithParam<std::string> {};

TEST_P(TinyModel, TrainsForwardAndBackwardInF32) {
  Model m = build_model(GetParam() + ":tiny");
  Graph train = build_training_graph(m.graph);
  TensorMap out = execute(train, example_feeds(m, 1));
  double loss = out.at("loss").at(0);
  EXPECT_TRUE(std::isfinite(loss)) << loss;
  EXPECT_GT(loss, 0);
  for (const GraphInput& in : m.graph.inputs()) {
    if (in.kind != InputKind::parameter) continue;
    const Tensor& g = out.at(gradient_output_name(m.graph.value(in.value).name));
    EXPECT_EQ(g.dtype(), DType::f32);
    double norm = 0;
    for (int64_t i = 0; i < g.numel(); ++i) norm += g.at(i) * g.at(i);
    EXPECT_TRUE(std::isfinite(norm)) << m.graph.value(in.value).name;
    EXPECT_GT(norm, 0) << m.graph.value(in.value).name << " gets no gradient";
  }
}

TEST_P(TinyModel, GradientsMatchFiniteDifferencesInF64) {
  Model m = build_model(GetParam() + ":tiny", DType::f64);
  TensorMap feeds = example_feeds(m, 2);
  weft::Rng rng(3);
  weft::graph::testing::check_gradients(m.graph, feeds, rng, 1e-4, 1e-7, 1e-6, /*sample=*/2);
}

INSTANTIATE_TEST_SUITE_P(Zoo, TinyModel, ::testing::Values("bert-large", "vit", "resnet50", "xmlcnn", "gcn"),
                         [](const auto& info) {
                           std::string s = info.param;
                           for (char& c : s)
                             if (c == '-') c = '_';
                           return s;
                         });
