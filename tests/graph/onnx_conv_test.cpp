// ONNX Conv and pooling import (NCHW data, OIHW weights, permutes around weft's
// NHWC ops): results against direct float64 loops written here, gradients of an
// imported conv against finite differences, and the unsupported variants.
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <numeric>

#include "frontend/onnx_import.h"
#include "grad_check.h"
#include "graph/executor.h"
#include "graph/passes/pass.h"
#include "onnx_test_models.h"
#include "support/error.h"

using namespace weft::graph;
using namespace weft::graph::testing;
using weft::frontend::import_onnx;

namespace {

struct ConvParams {
  int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dil_h = 1, dil_w = 1;
};

// y[n,o,oy,ox] = bias[o] + sum_{c,ky,kx} x[n,c,oy*s-p+ky*d, ox*s-p+kx*d] * w[o,c,ky,kx], zero outside.
std::vector<double> reference_conv(const std::vector<double>& x, const Shape& xs, const std::vector<double>& w,
                                   const Shape& ws, const std::vector<double>& bias, const ConvParams& p,
                                   Shape& out_shape) {
  int64_t n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], kh = ws[2], kw = ws[3];
  int64_t oh = (h + 2 * p.pad_h - p.dil_h * (kh - 1) - 1) / p.stride_h + 1;
  int64_t ow = (wd + 2 * p.pad_w - p.dil_w * (kw - 1) - 1) / p.stride_w + 1;
  out_shape = {n, o, oh, ow};
  std::vector<double> y(static_cast<size_t>(n * o * oh * ow));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oc = 0; oc < o; ++oc)
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          double acc = bias.empty() ? 0.0 : bias[oc];
          for (int64_t ic = 0; ic < c; ++ic)
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                int64_t iy = oy * p.stride_h - p.pad_h + ky * p.dil_h, ix = ox * p.stride_w - p.pad_w + kx * p.dil_w;
                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
                acc += x[((b * c + ic) * h + iy) * wd + ix] * w[((oc * c + ic) * kh + ky) * kw + kx];
              }
          y[((b * o + oc) * oh + oy) * ow + ox] = acc;
        }
  return y;
}

std::vector<double> as_doubles(const std::vector<float>& v) { return {v.begin(), v.end()}; }

std::vector<float> random_floats(size_t n, weft::Rng& rng) {
  std::vector<float> v(n);
  for (float& f : v) f = static_cast<float>((2 * rng.uniform_real() - 1));
  return v;
}

void expect_near_all(const Tensor& actual, const Shape& shape, const std::vector<double>& expected, double tol) {
  ASSERT_EQ(actual.shape(), shape);
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual.at(static_cast<int64_t>(i)), expected[i], tol) << "element " << i;
}

std::string import_error(const std::string& bytes) {
  try {
    import_onnx(bytes, "net.onnx");
  } catch (const weft::UsageError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no UsageError";
  return "";
}

}  // namespace

TEST(OnnxConv, ConvBiasReluMatchesADirectConvolution) {
  struct Case {
    Shape x, w;
    std::vector<onnx::AttributeProto> attrs;
    ConvParams expected;
  };
  std::vector<Case> cases = {
      {{2, 3, 7, 6}, {4, 3, 3, 2},
       {ints_attr("pads", {1, 0, 1, 0}), ints_attr("strides", {2, 1}), ints_attr("dilations", {1, 2}),
        int_attr("group", 1), ints_attr("kernel_shape", {3, 2})},
       {2, 1, 1, 0, 1, 2}},
      {{1, 2, 5, 5}, {3, 2, 3, 3}, {string_attr("auto_pad", "SAME_UPPER")}, {1, 1, 1, 1, 1, 1}},
      {{1, 1, 6, 4}, {2, 1, 2, 2}, {string_attr("auto_pad", "VALID"), ints_attr("strides", {2, 2})},
       {2, 2, 0, 0, 1, 1}},
  };
  weft::Rng rng(5);
  for (const Case& k : cases) {
    SCOPED_TRACE(shape_str(k.x) + " * " + shape_str(k.w));
    std::vector<float> w = random_floats(static_cast<size_t>(TensorType{k.w, DType::f32, ""}.numel()), rng);
    std::vector<float> bias = random_floats(static_cast<size_t>(k.w[0]), rng);
    std::string bytes = model({node("Conv", {"x", "w", "b"}, "c", k.attrs), node("Relu", {"c"}, "y")},
                              {raw_float_tensor("w", k.w, w), float_tensor("b", {k.w[0]}, bias)},
                              {value_info("x", k.x)}, {"y"});
    weft::frontend::OnnxModel m = import_onnx(bytes, "conv.onnx");
    // The OIHW weight stays a parameter in ONNX's layout; a permute makes it HWIO.
    EXPECT_EQ(m.graph.type(*m.graph.find_value("w")).shape, k.w);
    std::vector<float> x = random_floats(static_cast<size_t>(TensorType{k.x, DType::f32, ""}.numel()), rng);
    TensorMap feeds = m.initializers;
    feeds.emplace("x", Tensor(TensorType{k.x, DType::f32, ""}, as_doubles(x)));
    Shape out_shape;
    std::vector<double> expected =
        reference_conv(as_doubles(x), k.x, as_doubles(w), k.w, as_doubles(bias), k.expected, out_shape);
    for (double& v : expected) v = std::max(v, 0.0);
    expect_near_all(execute(m.graph, feeds).at("y"), out_shape, expected, 1e-5);
  }
}

TEST(OnnxConv, GradientsOfAnImportedConvInOnnxLayout) {
  weft::Rng rng(11);
  std::vector<double> w(3 * 2 * 2 * 3), b(3);
  for (double& v : w) v = (2 * rng.uniform_real() - 1);
  for (double& v : b) v = (2 * rng.uniform_real() - 1);
  std::string bytes =
      model({node("Conv", {"x", "w", "b"}, "c", {ints_attr("pads", {1, 1, 1, 1}), ints_attr("strides", {2, 1})}),
             node("Tanh", {"c"}, "t"), node("ReduceSum", {"t"}, "loss", {int_attr("keepdims", 0)})},
            {double_tensor("w", {3, 2, 2, 3}, w), double_tensor("b", {3}, b)},
            {value_info("x", {2, 2, 4, 5}, "", onnx::TensorProto_DataType_DOUBLE)}, {"loss"});
  weft::frontend::OnnxModel m = import_onnx(bytes, "conv.onnx");
  TensorMap feeds = m.initializers;
  feeds.emplace("x", Tensor::random(TensorType{{2, 2, 4, 5}, DType::f64, ""}, rng));
  // d loss / d w comes back as an OIHW tensor, checked element by element.
  EXPECT_EQ(execute(build_training_graph(m.graph), feeds).at(gradient_output_name("w")).shape(), (Shape{3, 2, 2, 3}));
  check_gradients(m.graph, feeds, rng, 1e-5, 1e-7, 1e-6, 0);
}

TEST(OnnxConv, PoolsMatchDirectLoops) {
  const Shape xs{2, 3, 5, 6};
  weft::Rng rng(3);
  std::vector<float> x = random_floats(2 * 3 * 5 * 6, rng);
  std::vector<onnx::AttributeProto> window = {ints_attr("kernel_shape", {3, 2}), ints_attr("strides", {2, 2}),
                                              ints_attr("pads", {1, 0, 1, 0})};
  std::vector<onnx::AttributeProto> with_pad = window;
  with_pad.push_back(int_attr("count_include_pad", 1));
  std::string bytes = model({node("MaxPool", {"x"}, "max", window), node("AveragePool", {"x"}, "avg", window),
                             node("AveragePool", {"x"}, "avg_pad", with_pad), node("GlobalAveragePool", {"x"}, "gap"),
                             node("GlobalMaxPool", {"x"}, "gmp")},
                            {}, {value_info("x", xs)}, {"max", "avg", "avg_pad", "gap", "gmp"});
  weft::frontend::OnnxModel m = import_onnx(bytes, "pool.onnx");
  TensorMap out = execute(m.graph, {{"x", Tensor(TensorType{xs, DType::f32, ""}, as_doubles(x))}});

  // Windows of 3x2, stride 2, padding 1 row each side: out 3x3.
  const int64_t oh = 3, ow = 3;
  std::vector<double> max, avg, avg_pad, gap, gmp;
  for (int64_t n = 0; n < 2; ++n)
    for (int64_t c = 0; c < 3; ++c) {
      const float* img = x.data() + (n * 3 + c) * 30;
      for (int64_t oy = 0; oy < oh; ++oy)
        for (int64_t ox = 0; ox < ow; ++ox) {
          double best = -std::numeric_limits<double>::infinity(), sum = 0;
          int count = 0;
          for (int64_t ky = 0; ky < 3; ++ky)
            for (int64_t kx = 0; kx < 2; ++kx) {
              int64_t iy = oy * 2 - 1 + ky, ix = ox * 2 + kx;
              if (iy < 0 || iy >= 5) continue;
              best = std::max(best, double{img[iy * 6 + ix]});
              sum += img[iy * 6 + ix];
              ++count;
            }
          max.push_back(best);
          avg.push_back(sum / count);
          avg_pad.push_back(sum / 6);
        }
      gap.push_back(std::accumulate(img, img + 30, 0.0) / 30);
      gmp.push_back(*std::max_element(img, img + 30));
    }
  expect_near_all(out.at("max"), {2, 3, oh, ow}, max, 1e-6);
  expect_near_all(out.at("avg"), {2, 3, oh, ow}, avg, 1e-6);
  expect_near_all(out.at("avg_pad"), {2, 3, oh, ow}, avg_pad, 1e-6);
  expect_near_all(out.at("gap"), {2, 3, 1, 1}, gap, 1e-6);
  expect_near_all(out.at("gmp"), {2, 3, 1, 1}, gmp, 1e-6);
}

TEST(OnnxConv, UnsupportedVariantsAreNamed) {
  std::vector<onnx::ValueInfoProto> in = {value_info("x", {1, 2, 5, 5})};
  std::vector<onnx::TensorProto> w = {float_tensor("w", {2, 2, 3, 3}, ramp(36, 0.1f))};
  auto conv = [&](std::vector<onnx::AttributeProto> attrs) {
    return import_error(model({node("Conv", {"x", "w"}, "c", std::move(attrs))}, w, in, {"c"}));
  };
  EXPECT_EQ(conv({ints_attr("pads", {1, 0, 0, 0})}),
            "net.onnx: node 0 'c_node' (Conv): asymmetric pads [1,0,0,0] are not supported: weft pads both sides of "
            "an axis equally");
  EXPECT_EQ(conv({int_attr("group", 2)}), "net.onnx: node 0 'c_node' (Conv): group 2 is not supported (only 1)");
  EXPECT_EQ(conv({ints_attr("kernel_shape", {2, 2})}),
            "net.onnx: node 0 'c_node' (Conv): kernel_shape [2,2] disagrees with the weight's spatial dims [3,3]");
  EXPECT_EQ(conv({string_attr("auto_pad", "SAME_LOWER"), ints_attr("strides", {3, 3})}),
            "net.onnx: node 0 'c_node' (Conv): auto_pad SAME_LOWER pads axis 2 by 1 in total, which weft cannot "
            "split equally between both sides");
  EXPECT_EQ(import_error(model({node("Conv", {"x", "w", "b"}, "c")}, {w[0], float_tensor("b", {3}, ramp(3, 1))}, in,
                               {"c"})),
            "net.onnx: node 0 'c_node' (Conv): bias [3] must have one value per output channel [2]");
  EXPECT_EQ(import_error(model({node("MaxPool", {"x"}, "p", {ints_attr("kernel_shape", {2, 2}), int_attr("ceil_mode", 1)})},
                               {}, in, {"p"})),
            "net.onnx: node 0 'p_node' (MaxPool): ceil_mode=1 is not supported");
  std::string big_pad = import_error(model(
      {node("AveragePool", {"x"}, "p", {ints_attr("kernel_shape", {2, 2}), ints_attr("pads", {2, 2, 2, 2})})}, {}, in,
      {"p"}));
  EXPECT_EQ(big_pad.rfind("net.onnx: node 0 'p_node' (AveragePool): invalid IR: node 'p/pool' (avg_pool2d)", 0), 0u)
      << big_pad;
}

// Two convs with a Relu between them: the NHWC->NCHW permute after the first
// and the NCHW->NHWC one before the second meet across the Relu, and EVT's
// pipeline cancels them; the Gemm head's addmm is decomposed. Results stay.
TEST(OnnxConv, PipelineCancelsThePermutesBetweenLayers) {
  weft::Rng rng(8);
  std::string bytes = model(
      {node("Conv", {"x", "w1", "b1"}, "c1", {ints_attr("pads", {1, 1, 1, 1})}), node("Relu", {"c1"}, "r1"),
       node("Conv", {"r1", "w2"}, "c2", {ints_attr("strides", {2, 2})}), node("Relu", {"c2"}, "r2"),
       node("GlobalAveragePool", {"r2"}, "gap"), node("Flatten", {"gap"}, "flat"),
       node("Gemm", {"flat", "fc", "fc_b"}, "logits", {int_attr("transB", 1), float_attr("beta", 0.5f)})},
      {float_tensor("w1", {4, 3, 3, 3}, random_floats(108, rng)), float_tensor("b1", {4}, random_floats(4, rng)),
       float_tensor("w2", {5, 4, 2, 2}, random_floats(80, rng)), float_tensor("fc", {2, 5}, random_floats(10, rng)),
       float_tensor("fc_b", {2}, random_floats(2, rng))},
      {value_info("x", {2, 3, 6, 6})}, {"logits"});
  weft::frontend::OnnxModel m = import_onnx(bytes, "cnn.onnx");
  auto permutes = [](const Graph& g) {
    size_t n = 0;
    for (const Node& node : g.nodes()) n += node.op == "permute";
    return n;
  };
  Graph optimised = run_passes(m.graph, default_pipeline(false));
  // Before: in/out permutes of both convs plus both weights' OIHW->HWIO (6).
  // After: the first conv's input, both weights and the second conv's output (4).
  EXPECT_EQ(permutes(m.graph), 6u);
  EXPECT_EQ(permutes(optimised), 4u) << optimised.str();
  for (const Node& node : optimised.nodes()) EXPECT_NE(node.op, "addmm");
  TensorMap feeds = m.initializers;
  feeds.emplace("x", Tensor::random(TensorType{{2, 3, 6, 6}, DType::f32, ""}, rng));
  EXPECT_LE(closeness(execute(optimised, feeds).at("logits"), execute(m.graph, feeds).at("logits"), 1e-5, 1e-6), 1.0);
}
