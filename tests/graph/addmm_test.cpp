// addmm(bias, a, b) {alpha, beta} = beta*bias + alpha*(a@b): shape inference, the
// reference kernel against naive loops, its gradient against finite differences,
// its fusion class, and the decompose pass's matmul + mul/add rewrite.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "grad_check.h"
#include "graph/op_registry.h"
#include "graph/passes/pass.h"
#include "op_runner.h"
#include "support/error.h"

using namespace weft::graph;
using namespace weft::graph::testing;

namespace {

TensorType f64(Shape s) { return TensorType{std::move(s), DType::f64, ""}; }

Tensor random_tensor(Shape shape, weft::Rng& rng) { return Tensor::random(f64(std::move(shape)), rng); }

// beta * bias[broadcast] + alpha * sum_k op(a)[i,k] op(b)[k,j].
std::vector<double> naive_addmm(const Tensor& bias, const Tensor& a, const Tensor& b, double alpha, double beta,
                                bool ta, bool tb, int64_t m, int64_t n) {
  int64_t k = ta ? a.shape()[0] : a.shape()[1];
  Shape bs = bias.shape();
  while (bs.size() < 2) bs.insert(bs.begin(), 1);
  std::vector<double> out;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t p = 0; p < k; ++p)
        acc += a.at(ta ? p * m + i : i * k + p) * b.at(tb ? j * k + p : p * n + j);
      double c = bias.at((bs[0] == 1 ? 0 : i) * bs[1] + (bs[1] == 1 ? 0 : j));
      out.push_back(beta * c + alpha * acc);
    }
  return out;
}

size_t count_op(const Graph& g, const std::string& op) {
  size_t n = 0;
  for (const Node& node : g.nodes()) n += node.op == op;
  return n;
}

}  // namespace

TEST(Addmm, ForwardMatchesNaiveLoopsForEveryBiasShape) {
  weft::Rng rng(2);
  const int64_t m = 3, n = 4, k = 5;
  for (Shape bias_shape : {Shape{}, Shape{n}, Shape{1, n}, Shape{m, 1}, Shape{m, n}})
    for (int t = 0; t < 4; ++t) {
      bool ta = t & 1, tb = t & 2;
      SCOPED_TRACE(shape_str(bias_shape) + " ta=" + std::to_string(ta) + " tb=" + std::to_string(tb));
      Tensor bias = random_tensor(bias_shape, rng), a = random_tensor(ta ? Shape{k, m} : Shape{m, k}, rng),
             b = random_tensor(tb ? Shape{n, k} : Shape{k, n}, rng);
      Attrs attrs{{"alpha", 0.75}, {"beta", -1.5}, {"transpose_a", int64_t{ta}}, {"transpose_b", int64_t{tb}}};
      Tensor out = run1("addmm", {bias, a, b}, attrs);
      ASSERT_EQ(out.shape(), (Shape{m, n}));
      std::vector<double> expected = naive_addmm(bias, a, b, 0.75, -1.5, ta, tb, m, n);
      for (int64_t i = 0; i < m * n; ++i) EXPECT_NEAR(out.at(i), expected[i], 1e-12) << i;
    }
}

TEST(Addmm, DefaultsAndBetaZeroIgnoresTheBias) {
  Tensor a = tensor({1, 2}, {1, 2}), b = tensor({2, 2}, {3, 4, 5, 6});
  Tensor y = run1("addmm", {tensor({2}, {10, 20}), a, b});
  EXPECT_EQ(y.at(0), 10 + 13.0);
  EXPECT_EQ(y.at(1), 20 + 16.0);
  // As in PyTorch, beta = 0 drops the bias entirely: its NaN does not propagate.
  double nan = std::numeric_limits<double>::quiet_NaN();
  Tensor z = run1("addmm", {tensor({2}, {nan, 1}), a, b}, {{"beta", 0.0}, {"alpha", 2.0}});
  EXPECT_EQ(z.at(0), 26.0);
  EXPECT_EQ(z.at(1), 32.0);
}

TEST(Addmm, ShapeErrorsNameTheInputs) {
  Graph g;
  ValueId a = g.add_input("a", f64({3, 5}), InputKind::data), b = g.add_input("b", f64({5, 4}), InputKind::data);
  ValueId wide = g.add_input("wide", f64({2, 3, 4}), InputKind::data);
  ValueId col = g.add_input("col", f64({4, 1}), InputKind::data);
  try {
    g.add("addmm", {col, a, b}, {}, "bad_bias");
    FAIL() << "no error";
  } catch (const weft::IRError& e) {
    EXPECT_STREQ(e.what(),
                 "invalid IR: node 'bad_bias' (addmm): input 0 (f64[4,1]) does not broadcast to the product's shape "
                 "[3,4]");
  }
  EXPECT_THROW(g.add("addmm", {wide, a, b}), weft::IRError);  // a bias may not widen the result
  try {
    g.add("addmm", {col, a, a}, {}, "bad_k");
    FAIL() << "no error";
  } catch (const weft::IRError& e) {
    EXPECT_NE(std::string(e.what()).find("input 1 (f64[3,5]) has K=5, input 2 (f64[3,5]) has K=3"), std::string::npos)
        << e.what();
  }
}

TEST(Addmm, IsAMatmulMainOp) {
  const OpDef& def = OpRegistry::global().get("addmm");
  EXPECT_EQ(def.fusion, FusionClass::matmul);
  EXPECT_TRUE(is_main(def.fusion));
}

TEST(Addmm, GradientsMatchFiniteDifferences) {
  struct Case {
    Shape bias;
    bool ta, tb;
    double alpha, beta;
  };
  for (const Case& k : {Case{{4}, false, false, 1.0, 1.0}, Case{{3, 1}, true, false, 0.7, -1.3},
                        Case{{3, 4}, false, true, -2.0, 0.5}, Case{{}, true, true, 1.5, 2.0},
                        Case{{4}, false, false, 1.0, 0.0}}) {
    SCOPED_TRACE(shape_str(k.bias) + " alpha=" + std::to_string(k.alpha) + " beta=" + std::to_string(k.beta));
    GradCheck c;
    ValueId bias = c.param("bias", k.bias), a = c.param("a", k.ta ? Shape{5, 3} : Shape{3, 5});
    ValueId b = c.param("b", k.tb ? Shape{4, 5} : Shape{5, 4});
    c.check(c.graph().add("addmm", {bias, a, b},
                          {{"alpha", k.alpha}, {"beta", k.beta}, {"transpose_a", int64_t{k.ta}},
                           {"transpose_b", int64_t{k.tb}}}));
  }
}

TEST(Decompose, AddmmBecomesMatmulPlusScaledAdd) {
  for (double beta : {1.0, -0.5, 0.0}) {
    SCOPED_TRACE("beta=" + std::to_string(beta));
    weft::Rng rng(4);
    Graph g("addmm_net");
    ValueId x = g.add_input("x", f64({6, 5}), InputKind::data);
    ValueId w = g.add_input("w", f64({4, 5}), InputKind::parameter);
    ValueId bias = g.add_input("bias", f64({4}), InputKind::parameter);
    ValueId y = g.add("addmm", {bias, x, w}, {{"alpha", 2.0}, {"beta", beta}, {"transpose_b", int64_t{1}}}, "y");
    g.add_output("loss", g.add("sum", {g.add("tanh", {y})}));

    Graph decomposed = decompose(g);
    EXPECT_EQ(count_op(decomposed, "addmm"), 0u);
    EXPECT_EQ(count_op(decomposed, "matmul"), 1u);
    EXPECT_TRUE(decomposed.find_value("y").has_value());  // the replaced value keeps its name
    // Same loss and same parameter gradients, whether the forward is decomposed
    // before autodiff or the whole training graph afterwards.
    Graph train = build_training_graph(g);
    Graph train_of_decomposed = build_training_graph(decomposed), decomposed_train = decompose(train);
    EXPECT_EQ(count_op(decomposed_train, "addmm"), 0u);
    TensorMap feeds = random_feeds(g, rng);
    TensorMap expected = execute(train, feeds);
    for (const Graph* other : {&train_of_decomposed, &decomposed_train}) {
      TensorMap actual = execute(*other, feeds);
      for (const char* name : {"loss", "grad:w", "grad:bias"})
        EXPECT_LE(closeness(actual.at(name), expected.at(name), 1e-12, 1e-14), 1.0) << name;
    }
  }
}
