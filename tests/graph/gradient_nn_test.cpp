// Finite-difference checks of the gradient rules of the neural-network ops:
// softmax, normalisation, conv, pooling, embedding, dropout, spmm and losses.
#include "grad_check.h"

using namespace weft::graph;
using weft::graph::testing::GradCheck;

TEST(Gradient, SoftmaxOverEachAxis) {
  for (int64_t axis : {-1, 1, 0}) {
    for (std::string op : {"softmax", "log_softmax"}) {
      SCOPED_TRACE(op + " axis " + std::to_string(axis));
      GradCheck c;
      ValueId x = c.param("x", {2, 3, 4}, -2, 2);
      c.check(c.graph().add(op, {x}, {{"axis", axis}}));
    }
  }
}

TEST(Gradient, LayerNorm) {
  GradCheck c;
  ValueId x = c.param("x", {2, 3, 5}, -2, 2), gamma = c.param("gamma", {5}), beta = c.param("beta", {5});
  c.check(c.graph().add("layernorm", {x, gamma, beta}, {{"eps", 1e-5}}));
}

TEST(Gradient, BatchNormNHWC) {
  GradCheck c;
  ValueId x = c.param("x", {2, 2, 3, 3}, -2, 2), gamma = c.param("gamma", {3}), beta = c.param("beta", {3});
  c.check(c.graph().add("batchnorm", {x, gamma, beta}));
}

TEST(Gradient, Conv2dStridePaddingDilation) {
  struct Case {
    Shape x, w;
    std::vector<int64_t> stride, padding, dilation;
  };
  for (const Case& k : {Case{{2, 5, 5, 2}, {3, 3, 2, 3}, {1, 1}, {1, 1}, {1, 1}},
                        Case{{1, 6, 5, 3}, {3, 2, 3, 2}, {2, 1}, {1, 0}, {1, 1}},
                        Case{{1, 7, 7, 1}, {2, 2, 1, 2}, {2, 2}, {1, 1}, {2, 2}}}) {
    GradCheck c;
    ValueId x = c.param("x", k.x), w = c.param("w", k.w);
    c.check(c.graph().add("conv2d", {x, w}, {{"stride", k.stride}, {"padding", k.padding}, {"dilation", k.dilation}}));
  }
}

TEST(Gradient, MaxPool) {
  GradCheck c;
  ValueId x = c.param("x", {2, 5, 5, 2});
  c.check(c.graph().add("max_pool2d", {x},
                        {{"kernel", std::vector<int64_t>{3, 3}}, {"stride", std::vector<int64_t>{2, 2}},
                         {"padding", std::vector<int64_t>{1, 1}}}));
}

TEST(Gradient, AvgPoolWithAndWithoutCountingPadding) {
  for (int64_t include : {1, 0}) {
    SCOPED_TRACE("count_include_pad=" + std::to_string(include));
    GradCheck c;
    ValueId x = c.param("x", {1, 5, 4, 2});
    c.check(c.graph().add("avg_pool2d", {x},
                          {{"kernel", std::vector<int64_t>{3, 2}}, {"stride", std::vector<int64_t>{2, 2}},
                           {"padding", std::vector<int64_t>{1, 1}}, {"count_include_pad", include}}));
  }
}

TEST(Gradient, AdaptiveMaxPool) {
  GradCheck c;
  ValueId x = c.param("x", {2, 1, 7, 3});
  c.check(c.graph().add("adaptive_max_pool2d", {x}, {{"output_hw", std::vector<int64_t>{1, 3}}}));
}

TEST(Gradient, EmbeddingWithRepeatedIds) {
  GradCheck c;
  ValueId table = c.param("table", {5, 3});
  ValueId ids = c.indices("ids", {2, 3}, {0, 4, 4, 1, 0, 2});
  c.check(c.graph().add("embedding", {table, ids}));
}

TEST(Gradient, Dropout) {
  GradCheck c;
  ValueId x = c.param("x", {4, 6});
  c.check(c.graph().add("dropout", {x}, {{"p", 0.3}, {"seed", int64_t{7}}}));
}

TEST(Gradient, SpmmValuesAndDense) {
  for (int t = 0; t < 2; ++t) {
    SCOPED_TRACE("transpose_a=" + std::to_string(t));
    GradCheck c;
    // A is 3x4: rows {0: cols 1,3}, {1: none}, {2: cols 0,1,2}.
    ValueId indptr = c.indices("indptr", {4}, {0, 2, 2, 5});
    ValueId indices = c.indices("indices", {5}, {1, 3, 0, 1, 2});
    ValueId values = c.param("values", {5});
    ValueId dense = c.param("dense", t ? Shape{3, 2} : Shape{4, 2});
    Attrs a{{"transpose_a", int64_t{t}}};
    if (t) a.set("a_cols", int64_t{4});
    c.check(c.graph().add("spmm", {indptr, indices, values, dense}, a));
  }
}

TEST(Gradient, CrossEntropy) {
  GradCheck c;
  ValueId logits = c.param("logits", {4, 5}, -3, 3);
  ValueId labels = c.indices("labels", {4}, {1, 0, 4, 1}, InputKind::label);
  c.check(c.graph().add("cross_entropy", {logits, labels}));
}

TEST(Gradient, NllOfLogSoftmax) {
  GradCheck c;
  ValueId logits = c.param("logits", {3, 4}, -3, 3);
  ValueId labels = c.indices("labels", {3}, {3, 0, 2}, InputKind::label);
  c.check(c.graph().add("nll_loss", {c.graph().add("log_softmax", {logits}), labels}));
}

TEST(Gradient, BceWithLogits) {
  GradCheck c;
  ValueId logits = c.param("logits", {3, 4}, -3, 3);
  ValueId targets = c.data("targets", {3, 4}, 0, 1);
  c.check(c.graph().add("bce_with_logits", {logits, targets}));
}
