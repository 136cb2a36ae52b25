// Reference kernels against hand-computed values and naive loops.
#include <gtest/gtest.h>

#include <cmath>

#include "graph/tensor.h"
#include "op_runner.h"
#include "support/error.h"

using namespace weft::graph;
using namespace weft::graph::testing;
using weft::Rng;

namespace {

void expect_values(const Tensor& t, const std::vector<double>& expected, double tol = 1e-12) {
  ASSERT_EQ(t.numel(), static_cast<int64_t>(expected.size())) << t.type().str();
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(t.at(static_cast<int64_t>(i)), expected[i], tol) << i;
}

Tensor random_tensor(Shape shape, uint64_t seed, DType dtype = DType::f64) {
  Rng rng(seed);
  return Tensor::random(TensorType{std::move(shape), dtype, ""}, rng);
}

}  // namespace

TEST(OpForward, BroadcastArithmetic) {
  Tensor a = tensor({2, 1}, {1, 2}), b = tensor({3}, {10, 20, 30});
  expect_values(run1("add", {a, b}), {11, 21, 31, 12, 22, 32});
  expect_values(run1("sub", {a, b}), {-9, -19, -29, -8, -18, -28});
  expect_values(run1("mul", {a, b}), {10, 20, 30, 20, 40, 60});
  expect_values(run1("div", {b, a}), {10, 20, 30, 5, 10, 15});
  expect_values(run1("maximum", {tensor({3}, {1, 5, -2}), tensor({}, {2})}), {2, 5, 2});
  expect_values(run1("equal", {tensor({3}, {1, 5, 2}), tensor({}, {2})}), {0, 0, 1});
}

TEST(OpForward, Activations) {
  Tensor x = tensor({4}, {-1, 0, 0.5, 2});
  expect_values(run1("relu", {x}), {0, 0, 0.5, 2});
  expect_values(run1("tanh", {x}), {std::tanh(-1.0), 0, std::tanh(0.5), std::tanh(2.0)});
  expect_values(run1("sigmoid", {x}), {1 / (1 + std::exp(1.0)), 0.5, 1 / (1 + std::exp(-0.5)), 1 / (1 + std::exp(-2.0))});
  // gelu(x) = x * Phi(x); Phi(2) = 0.97724986805.
  Tensor g = run1("gelu", {x});
  EXPECT_NEAR(g.at(3), 2 * 0.97724986805182079, 1e-12);
  EXPECT_NEAR(g.at(1), 0, 1e-15);
}

TEST(OpForward, Reductions) {
  Tensor x = tensor({2, 3}, {1, 5, 3, -4, 2, 0});
  expect_values(run1("sum", {x}, {{"axes", std::vector<int64_t>{1}}}), {9, -2});
  expect_values(run1("sum", {x}), {7});
  expect_values(run1("mean", {x}, {{"axes", std::vector<int64_t>{0}}}), {-1.5, 3.5, 1.5});
  Tensor m = run1("max", {x}, {{"axes", std::vector<int64_t>{-1}}, {"keepdims", int64_t{1}}});
  EXPECT_EQ(m.shape(), (Shape{2, 1}));
  expect_values(m, {5, 2});
}

TEST(OpForward, LayoutOps) {
  Tensor x = tensor({2, 3}, {0, 1, 2, 3, 4, 5});
  expect_values(run1("permute", {x}, {{"perm", std::vector<int64_t>{1, 0}}}), {0, 3, 1, 4, 2, 5});
  Tensor s = run1("slice", {x}, {{"axis", int64_t{1}}, {"begin", int64_t{1}}});
  EXPECT_EQ(s.shape(), (Shape{2, 2}));
  expect_values(s, {1, 2, 4, 5});
  expect_values(run1("slice_grad", {s}, {{"axis", int64_t{1}}, {"begin", int64_t{1}}, {"length", int64_t{3}}}),
                {0, 1, 2, 0, 4, 5});
  expect_values(run1("concat", {x, tensor({2, 1}, {9, 8})}, {{"axis", int64_t{-1}}}), {0, 1, 2, 9, 3, 4, 5, 8});
  Tensor r = run1("reshape", {x}, {{"shape", Shape{3, -1}}});
  EXPECT_EQ(r.shape(), (Shape{3, 2}));
  // Layout ops move i64 tensors too.
  Tensor ids = tensor({2, 2}, {1, 2, 3, 4}, DType::i64);
  expect_values(run1("permute", {ids}, {{"perm", std::vector<int64_t>{1, 0}}}), {1, 3, 2, 4});
}

TEST(OpForward, MatmulMatchesNaiveLoopsInBothPrecisions) {
  for (DType dt : {DType::f64, DType::f32}) {
    for (int ta = 0; ta < 2; ++ta)
      for (int tb = 0; tb < 2; ++tb) {
        int64_t m = 3, n = 4, k = 5;
        Tensor a = random_tensor(ta ? Shape{2, k, m} : Shape{2, m, k}, 1, dt);
        Tensor b = random_tensor(tb ? Shape{2, n, k} : Shape{2, k, n}, 2, dt);
        Tensor c = run1("batch_matmul", {a, b}, {{"transpose_a", int64_t{ta}}, {"transpose_b", int64_t{tb}}});
        ASSERT_EQ(c.shape(), (Shape{2, m, n}));
        EXPECT_EQ(c.dtype(), dt);
        for (int64_t bi = 0; bi < 2; ++bi)
          for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j) {
              double acc = 0;
              for (int64_t p = 0; p < k; ++p)
                acc += a.at(bi * m * k + (ta ? p * m + i : i * k + p)) * b.at(bi * k * n + (tb ? j * k + p : p * n + j));
              EXPECT_NEAR(c.at((bi * m + i) * n + j), acc, dt == DType::f32 ? 1e-5 : 1e-12);
            }
      }
  }
}

TEST(OpForward, Conv2dMatchesDirectConvolution) {
  int64_t N = 2, H = 6, W = 5, C = 3, KH = 3, KW = 2, O = 4, sh = 2, sw = 1, ph = 1, pw = 1, dh = 1, dw = 2;
  Tensor x = random_tensor({N, H, W, C}, 3), w = random_tensor({KH, KW, C, O}, 4);
  Tensor y = run1("conv2d", {x, w},
                  {{"stride", std::vector<int64_t>{sh, sw}}, {"padding", std::vector<int64_t>{ph, pw}},
                   {"dilation", std::vector<int64_t>{dh, dw}}});
  int64_t OH = (H + 2 * ph - dh * (KH - 1) - 1) / sh + 1, OW = (W + 2 * pw - dw * (KW - 1) - 1) / sw + 1;
  ASSERT_EQ(y.shape(), (Shape{N, OH, OW, O}));
  EXPECT_EQ(y.type().layout, "NHWC");
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox)
        for (int64_t o = 0; o < O; ++o) {
          double acc = 0;
          for (int64_t ky = 0; ky < KH; ++ky)
            for (int64_t kx = 0; kx < KW; ++kx) {
              int64_t iy = oy * sh - ph + ky * dh, ix = ox * sw - pw + kx * dw;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              for (int64_t c = 0; c < C; ++c)
                acc += x.at(((n * H + iy) * W + ix) * C + c) * w.at(((ky * KW + kx) * C + c) * O + o);
            }
          EXPECT_NEAR(y.at(((n * OH + oy) * OW + ox) * O + o), acc, 1e-12);
        }
}

TEST(OpForward, SoftmaxAndLogSoftmax) {
  Tensor x = tensor({2, 3}, {1, 2, 3, 1000, 1000, 1000});  // the second row tests overflow safety
  Tensor s = run1("softmax", {x});
  double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  expect_values(s, {std::exp(1.0) / z, std::exp(2.0) / z, std::exp(3.0) / z, 1. / 3, 1. / 3, 1. / 3});
  Tensor ls = run1("log_softmax", {x});
  for (int64_t i = 0; i < 6; ++i) EXPECT_NEAR(ls.at(i), std::log(s.at(i)), 1e-12);
  // axis 0: columns sum to 1.
  Tensor s0 = run1("softmax", {tensor({2, 2}, {0, 1, 2, 3})}, {{"axis", int64_t{0}}});
  EXPECT_NEAR(s0.at(0) + s0.at(2), 1, 1e-12);
  EXPECT_NEAR(s0.at(0), 1 / (1 + std::exp(2.0)), 1e-12);
}

TEST(OpForward, NormalisationStatistics) {
  Tensor x = random_tensor({4, 2, 2, 3}, 5);
  Tensor ones = tensor({3}, {1, 1, 1}), zeros = tensor({3}, {0, 0, 0});
  Tensor ln = run1("layernorm", {x, ones, zeros}, {{"eps", 0.0 + 1e-12}});
  Tensor bn = run1("batchnorm", {x, ones, zeros}, {{"eps", 1e-12}});
  // layernorm: every row of 3 has mean 0 and variance 1.
  for (int64_t r = 0; r < 16; ++r) {
    double m = 0, v = 0;
    for (int64_t c = 0; c < 3; ++c) m += ln.at(r * 3 + c) / 3;
    for (int64_t c = 0; c < 3; ++c) v += std::pow(ln.at(r * 3 + c) - m, 2) / 3;
    EXPECT_NEAR(m, 0, 1e-9);
    EXPECT_NEAR(v, 1, 1e-6);
  }
  // batchnorm: every channel over the 16 positions has mean 0 and variance 1.
  for (int64_t c = 0; c < 3; ++c) {
    double m = 0, v = 0;
    for (int64_t r = 0; r < 16; ++r) m += bn.at(r * 3 + c) / 16;
    for (int64_t r = 0; r < 16; ++r) v += std::pow(bn.at(r * 3 + c) - m, 2) / 16;
    EXPECT_NEAR(m, 0, 1e-9);
    EXPECT_NEAR(v, 1, 1e-6);
  }
  // gamma and beta apply per channel.
  Tensor ln2 = run1("layernorm", {x, tensor({3}, {2, 2, 2}), tensor({3}, {1, 1, 1})}, {{"eps", 1e-12}});
  EXPECT_NEAR(ln2.at(4), 2 * ln.at(4) + 1, 1e-9);
}

TEST(OpForward, Pooling) {
  // One 4x4 single-channel image holding 0..15.
  std::vector<double> v(16);
  for (int i = 0; i < 16; ++i) v[i] = i;
  Tensor x = tensor({1, 4, 4, 1}, v);
  expect_values(run1("max_pool2d", {x}, {{"kernel", std::vector<int64_t>{2, 2}}}), {5, 7, 13, 15});
  expect_values(run1("avg_pool2d", {x}, {{"kernel", std::vector<int64_t>{2, 2}}}), {2.5, 4.5, 10.5, 12.5});
  // The top-left 3x3 window with padding 1 sees 0,1,4,5 (sum 10). By default
  // (PyTorch's count_include_pad) the padding counts: 10 / 9; without it 10 / 4.
  Attrs padded{{"kernel", std::vector<int64_t>{3, 3}}, {"stride", std::vector<int64_t>{2, 2}},
               {"padding", std::vector<int64_t>{1, 1}}};
  Tensor with_pad = run1("avg_pool2d", {x}, padded);
  EXPECT_NEAR(with_pad.at(0), 10.0 / 9, 1e-12);
  // The bottom-right window sees rows/cols 1..3: 5+6+7+9+10+11+13+14+15 = 90, all in bounds.
  EXPECT_NEAR(with_pad.at(3), 10.0, 1e-12);
  padded.set("count_include_pad", int64_t{0});
  Tensor without_pad = run1("avg_pool2d", {x}, padded);
  EXPECT_NEAR(without_pad.at(0), 2.5, 1e-12);
  EXPECT_NEAR(without_pad.at(3), 10.0, 1e-12);
  padded.set("count_include_pad", int64_t{2});
  EXPECT_THROW(run1("avg_pool2d", {x}, padded), weft::IRError);
  // Adaptive pooling of a row of 7 into 3 cells covers [0,3), [2,5), [4,7).
  Tensor row = tensor({1, 1, 7, 1}, {9, 1, 2, 3, 8, 4, 5});
  expect_values(run1("adaptive_max_pool2d", {row}, {{"output_hw", std::vector<int64_t>{1, 3}}}), {9, 8, 8});
}

TEST(OpForward, EmbeddingAndOneHot) {
  Tensor table = tensor({3, 2}, {0, 1, 10, 11, 20, 21});
  Tensor ids = tensor({2}, {2, 0}, DType::i64);
  expect_values(run1("embedding", {table, ids}), {20, 21, 0, 1});
  expect_values(run1("embedding_grad", {tensor({2, 2}, {1, 2, 3, 4}), tensor({2}, {1, 1}, DType::i64)},
                     {{"num_embeddings", int64_t{3}}}),
                {0, 0, 4, 6, 0, 0});
  expect_values(run1("one_hot", {ids}, {{"depth", int64_t{3}}}), {0, 0, 1, 1, 0, 0});
  try {
    run1("embedding", {table, tensor({1}, {3}, DType::i64)});
    FAIL() << "expected RuntimeError";
  } catch (const weft::RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("node 'embedding' (embedding): id 3 at flat position 0 is outside [0, 3)"),
              std::string::npos)
        << e.what();
  }
}

TEST(OpForward, DropoutIsSeededAndMatchesItsMask) {
  Tensor x = random_tensor({50, 40}, 6);
  Attrs attrs{{"p", 0.25}, {"seed", int64_t{11}}};
  Tensor y1 = run1("dropout", {x}, attrs), y2 = run1("dropout", {x}, attrs);
  EXPECT_EQ(max_abs_diff(y1, y2), 0.0);
  Attrs mask_attrs = attrs;
  mask_attrs.set("shape", Shape{50, 40}).set("dtype", std::string("f64"));
  Tensor mask = run1("dropout_mask", {}, mask_attrs);
  EXPECT_EQ(max_abs_diff(y1, run1("mul", {x, mask})), 0.0);
  int64_t dropped = 0;
  for (int64_t i = 0; i < mask.numel(); ++i) {
    ASSERT_TRUE(mask.at(i) == 0 || std::fabs(mask.at(i) - 1 / 0.75) < 1e-15);
    dropped += mask.at(i) == 0;
  }
  EXPECT_NEAR(static_cast<double>(dropped) / 2000, 0.25, 0.04);
  Tensor other = run1("dropout", {x}, {{"p", 0.25}, {"seed", int64_t{12}}});
  EXPECT_GT(max_abs_diff(y1, other), 0.0);
}

TEST(OpForward, SpmmMatchesDense) {
  // A = [[0, 2, 0], [1, 0, 3]]
  Tensor indptr = tensor({3}, {0, 1, 3}, DType::i64), indices = tensor({3}, {1, 0, 2}, DType::i64);
  Tensor values = tensor({3}, {2, 1, 3});
  Tensor b = tensor({3, 2}, {1, 2, 3, 4, 5, 6});
  expect_values(run1("spmm", {indptr, indices, values, b}), {6, 8, 16, 20});
  // A^T x [[1, 1], [1, 0]] = [[1, 0], [2, 2], [3, 0]]
  expect_values(run1("spmm", {indptr, indices, values, tensor({2, 2}, {1, 1, 1, 0})},
                     {{"transpose_a", int64_t{1}}, {"a_cols", int64_t{3}}}),
                {1, 0, 2, 2, 3, 0});
  Tensor bad = tensor({3}, {1, 0, 5}, DType::i64);
  EXPECT_THROW(run1("spmm", {indptr, bad, values, b}), weft::RuntimeError);
}

TEST(OpForward, Losses) {
  Tensor logits = tensor({2, 4}, {0, 0, 0, 0, 0, 0, 0, 0});
  Tensor labels = tensor({2}, {1, 3}, DType::i64);
  EXPECT_NEAR(run1("cross_entropy", {logits, labels}).at(0), std::log(4.0), 1e-12);
  Tensor logp = tensor({2, 2}, {-0.5, -1.5, -2, -0.25});
  EXPECT_NEAR(run1("nll_loss", {logp, tensor({2}, {0, 0}, DType::i64)}).at(0), 1.25, 1e-12);
  expect_values(run1("nll_loss_grad", {tensor({}, {2}), tensor({2}, {1, 0}, DType::i64)}, {{"num_classes", int64_t{2}}}),
                {0, -1, -1, 0});
  EXPECT_NEAR(run1("bce_with_logits", {tensor({2}, {0, 0}), tensor({2}, {1, 0})}).at(0), std::log(2.0), 1e-12);
  // Large logits stay finite: bce(100, 1) ~ 0, bce(-100, 1) ~ 100.
  EXPECT_NEAR(run1("bce_with_logits", {tensor({2}, {100, -100}), tensor({2}, {1, 1})}).at(0), 50, 1e-9);
  EXPECT_THROW(run1("cross_entropy", {logits, tensor({2}, {1, 4}, DType::i64)}), weft::RuntimeError);
}
