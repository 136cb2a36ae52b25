// Finite-difference checks of the gradient rules of elementwise, activation,
// reduction, layout and matmul ops (f64, small random shapes).
#include "grad_check.h"

using namespace weft::graph;
using weft::graph::testing::GradCheck;

namespace {

Attrs axes_attrs(std::vector<int64_t> axes, int64_t keepdims) {
  return {{"axes", std::move(axes)}, {"keepdims", keepdims}};
}

}  // namespace

TEST(Gradient, AddBroadcastsBothWays) {
  GradCheck c;
  ValueId a = c.param("a", {2, 1, 3}), b = c.param("b", {4, 1});
  c.check(c.graph().add("add", {a, b}));
}

TEST(Gradient, SubWithScalar) {
  GradCheck c;
  ValueId a = c.param("a", {3, 2}), b = c.param("b", {});
  c.check(c.graph().add("sub", {a, b}));
}

TEST(Gradient, MulBroadcast) {
  GradCheck c;
  ValueId a = c.param("a", {2, 3}), b = c.param("b", {3});
  c.check(c.graph().add("mul", {a, b}));
}

TEST(Gradient, DivBroadcast) {
  GradCheck c;
  ValueId a = c.param("a", {2, 3}), b = c.param("b", {2, 1}, 0.5, 1.5);
  c.check(c.graph().add("div", {a, b}));
}

TEST(Gradient, Maximum) {
  GradCheck c;
  ValueId a = c.param("a", {3, 4}), b = c.param("b", {4});
  c.check(c.graph().add("maximum", {a, b}));
}

TEST(Gradient, UnaryMath) {
  for (std::string op : {"neg", "exp", "log", "sqrt", "relu", "gelu", "tanh", "sigmoid"}) {
    SCOPED_TRACE(op);
    GradCheck c;
    bool positive = op == "log" || op == "sqrt";
    ValueId x = c.param("x", {2, 5}, positive ? 0.5 : -2.0, 2.0);
    c.check(c.graph().add(op, {x}));
  }
}

TEST(Gradient, BroadcastTo) {
  GradCheck c;
  ValueId x = c.param("x", {3, 1});
  c.check(c.graph().add("broadcast_to", {x}, {{"shape", Shape{2, 3, 4}}}));
}

TEST(Gradient, Reductions) {
  struct Case {
    std::string op;
    std::vector<int64_t> axes;
    int64_t keepdims;
  };
  for (const Case& k : {Case{"sum", {1}, 0}, Case{"sum", {}, 0}, Case{"mean", {0, 2}, 1}, Case{"mean", {-1}, 0},
                        Case{"max", {-1}, 0}, Case{"max", {0, 1}, 1}}) {
    SCOPED_TRACE(k.op);
    GradCheck c;
    ValueId x = c.param("x", {2, 3, 4});
    c.check(c.graph().add(k.op, {x}, axes_attrs(k.axes, k.keepdims)));
  }
}

TEST(Gradient, ReshapeAndPermute) {
  GradCheck c;
  ValueId x = c.param("x", {2, 3, 4});
  ValueId r = c.graph().add("reshape", {x}, {{"shape", Shape{4, -1}}});
  ValueId p = c.graph().add("permute", {c.graph().add("reshape", {r}, {{"shape", Shape{2, 2, 6}}})},
                            {{"perm", std::vector<int64_t>{2, 0, 1}}});
  c.check(p);
}

TEST(Gradient, SliceAndSliceGrad) {
  GradCheck c;
  ValueId x = c.param("x", {3, 5, 2});
  ValueId s = c.graph().add("slice", {x}, {{"axis", int64_t{1}}, {"begin", int64_t{-4}}, {"end", int64_t{4}}});
  c.check(c.graph().add("slice_grad", {s}, {{"axis", int64_t{2}}, {"begin", int64_t{1}}, {"length", int64_t{4}}}));
}

TEST(Gradient, Concat) {
  GradCheck c;
  ValueId a = c.param("a", {2, 1, 3}), b = c.data("b", {2, 2, 3}), d = c.param("d", {2, 3, 3});
  c.check(c.graph().add("concat", {a, b, d}, {{"axis", int64_t{1}}}));
}

TEST(Gradient, MatmulAllTransposes) {
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      SCOPED_TRACE("transpose_a=" + std::to_string(ta) + " transpose_b=" + std::to_string(tb));
      GradCheck c;
      ValueId a = c.param("a", ta ? Shape{4, 3} : Shape{3, 4});
      ValueId b = c.param("b", tb ? Shape{5, 4} : Shape{4, 5});
      c.check(c.graph().add("matmul", {a, b}, {{"transpose_a", int64_t{ta}}, {"transpose_b", int64_t{tb}}}));
    }
}

TEST(Gradient, BatchMatmulAllTransposes) {
  for (int ta = 0; ta < 2; ++ta)
    for (int tb = 0; tb < 2; ++tb) {
      SCOPED_TRACE("transpose_a=" + std::to_string(ta) + " transpose_b=" + std::to_string(tb));
      GradCheck c;
      ValueId a = c.param("a", ta ? Shape{2, 2, 4, 3} : Shape{2, 2, 3, 4});
      ValueId b = c.param("b", tb ? Shape{2, 2, 2, 4} : Shape{2, 2, 4, 2});
      c.check(
          c.graph().add("batch_matmul", {a, b}, {{"transpose_a", int64_t{ta}}, {"transpose_b", int64_t{tb}}}));
    }
}
