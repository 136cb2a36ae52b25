// Interval analysis: exact results on small cases, open ends, overflow widening.
// (The randomized soundness property is in simplify_test.cpp, next to the random
// expression generator it shares.)
#include <gtest/gtest.h>

#include "ir/interval.h"
#include "support/error.h"

using namespace weft;
using namespace weft::ir;

namespace {

class IntervalBasics : public ::testing::Test {
 protected:
  Var x = make_var("x"), y = make_var("y"), z = make_var("z");
  Expr X = var_expr(x), Y = var_expr(y), Z = var_expr(z);
  VarDomains d{{x.get(), {-2, 3}}, {y.get(), {1, 4}}};
  std::string b(const Expr& e, const VarDomains& dom) { return to_string(bound_of(e, dom)); }
  std::string b(const Expr& e) { return b(e, d); }
};

TEST_F(IntervalBasics, ConstantsAndVariables) {
  EXPECT_EQ(b(int_imm(7)), "[7, 7]");
  EXPECT_EQ(b(X), "[-2, 3]");
  EXPECT_EQ(b(Z), "[-inf, +inf]");  // no domain: unbounded
  EXPECT_EQ(b(Z + 1), "[-inf, +inf]");
  EXPECT_EQ(b(Z * 0), "[0, 0]");
}

TEST_F(IntervalBasics, Arithmetic) {
  EXPECT_EQ(b(X + Y), "[-1, 7]");
  EXPECT_EQ(b(X - Y), "[-6, 2]");
  EXPECT_EQ(b(X * Y), "[-8, 12]");
  EXPECT_EQ(b(X * -3), "[-9, 6]");
  EXPECT_EQ(b(X * X), "[-6, 9]");  // sound, not exact: x is the same value twice
  EXPECT_EQ(b(min(X, Y)), "[-2, 3]");
  EXPECT_EQ(b(max(X, Y)), "[1, 4]");
}

TEST_F(IntervalBasics, FloorDivision) {
  VarDomains w{{x.get(), {-7, 7}}, {y.get(), {2, 4}}, {z.get(), {-8, 9}}};
  EXPECT_EQ(b(floordiv(X, 2), w), "[-4, 3]");
  EXPECT_EQ(b(floordiv(X, -2), w), "[-4, 3]");
  EXPECT_EQ(b(floordiv(Z, Y), w), "[-4, 4]");
  EXPECT_EQ(b(floordiv(Z, Y * -1), w), "[-5, 4]");
  EXPECT_EQ(b(floordiv(Z, X), w), "[-inf, +inf]");  // the divisor may be 0
  EXPECT_EQ(b(floordiv(Z, 0), w), "[-inf, +inf]");
}

TEST_F(IntervalBasics, FloorModulo) {
  auto in = [&](int64_t lo, int64_t hi) { return VarDomains{{x.get(), {lo, hi}}, {y.get(), {3, 5}}}; };
  EXPECT_EQ(b(floormod(X, 8), in(0, 5)), "[0, 5]");
  EXPECT_EQ(b(floormod(X, 8), in(9, 12)), "[1, 4]");  // within one period: shifted
  EXPECT_EQ(b(floormod(X, 8), in(6, 12)), "[0, 7]");
  EXPECT_EQ(b(floormod(X, 8), in(-3, 2)), "[0, 7]");
  EXPECT_EQ(b(floormod(X, 8), in(0, 20)), "[0, 7]");
  EXPECT_EQ(b(floormod(X, -4), in(0, 10)), "[-3, 0]");
  EXPECT_EQ(b(floormod(X, Y), in(0, 2)), "[0, 2]");
  EXPECT_EQ(b(floormod(X, Y), in(0, 100)), "[0, 4]");
  EXPECT_EQ(b(floormod(X, Y), in(-5, 100)), "[0, 4]");
  EXPECT_EQ(b(floormod(X, Y - 3), in(0, 5)), "[-inf, +inf]");  // divisor may be 0
}

TEST_F(IntervalBasics, SelectCastAndConditions) {
  EXPECT_EQ(b(select(lt(X, Y), X, Y + 10)), "[-2, 14]");
  EXPECT_EQ(b(select(lt(X, Y + 5), X, Y + 10)), "[-2, 3]");  // decided: x < y + 5 always
  EXPECT_EQ(b(lt(X, Y + 5)), "[1, 1]");
  EXPECT_EQ(b(lt(X, Y)), "[0, 1]");
  EXPECT_EQ(b(ge(X, 4)), "[0, 0]");
  EXPECT_EQ(b(eq(X, 7)), "[0, 0]");
  EXPECT_EQ(b(ne(X, 7)), "[1, 1]");
  EXPECT_EQ(b(logical_and(lt(X, Y + 5), lt(X, Y))), "[0, 1]");
  EXPECT_EQ(b(logical_or(lt(X, Y + 5), lt(X, Y))), "[1, 1]");
  EXPECT_EQ(b(logical_not(ge(X, 4))), "[1, 1]");
  EXPECT_EQ(b(cast(DType::i32, lt(X, Y))), "[0, 1]");
  EXPECT_EQ(b(cast(DType::i64, X)), "[-2, 3]");
  EXPECT_EQ(b(cast(DType::boolean, Y)), "[1, 1]");
  EXPECT_EQ(b(cast(DType::i32, float_imm(2.0))), "[-inf, +inf]");
  Var n = make_var("n", DType::i64);
  EXPECT_EQ(b(cast(DType::i32, var_expr(n)), {{n.get(), {0, 100}}}), "[0, 100]");
  EXPECT_EQ(b(cast(DType::i32, var_expr(n)), {{n.get(), {0, int64_t{1} << 40}}}), "[-inf, +inf]");  // may wrap
  EXPECT_EQ(b(cast(DType::i8, X), {{x.get(), {0, 200}}}), "[-inf, +inf]");
}

TEST_F(IntervalBasics, OpenEnds) {
  VarDomains open{{x.get(), {0, Interval::kPosInf}}};
  EXPECT_EQ(b(X + 1, open), "[1, +inf]");
  EXPECT_EQ(b(X * -2, open), "[-inf, 0]");
  EXPECT_EQ(b(floordiv(X, 4), open), "[0, +inf]");
  EXPECT_EQ(b(floormod(X, 4), open), "[0, 3]");
  EXPECT_EQ(b(min(X, 10), open), "[0, 10]");
  EXPECT_EQ(b(X - X, open), "[-inf, +inf]");
  EXPECT_EQ(b(floordiv(int_imm(100), X + 1), open), "[0, 100]");
}

TEST_F(IntervalBasics, OverflowWidensNarrowTypes) {
  // 2^30 * 4 does not fit in i32: the product may wrap, so nothing is known.
  EXPECT_EQ(b(X * 4, {{x.get(), {0, int64_t{1} << 30}}}), "[-inf, +inf]");
  Var n = make_var("n", DType::i64);
  EXPECT_EQ(b(var_expr(n) * 4, {{n.get(), {0, int64_t{1} << 30}}}), "[0, 4294967296]");
  // Past int64, bounds saturate to open ends.
  EXPECT_EQ(b(var_expr(n) * 4, {{n.get(), {-(int64_t{1} << 62), int64_t{1} << 62}}}), "[-inf, +inf]");
  EXPECT_EQ(b(var_expr(n) + 1, {{n.get(), {0, INT64_MAX - 1}}}), "[1, +inf]");
}

TEST_F(IntervalBasics, Helpers) {
  EXPECT_EQ(Interval::from_extent(4, 8), (Interval{4, 11}));
  EXPECT_EQ(Interval::closed(-1, 1), (Interval{-1, 1}));
  EXPECT_THROW(Interval::from_extent(0, 0), InternalError);
  EXPECT_THROW(Interval::closed(2, 1), InternalError);
  EXPECT_EQ(interval_union({0, 3}, {5, 9}), (Interval{0, 9}));
  EXPECT_TRUE(Interval::point(3).is_point());
  EXPECT_FALSE(Interval::everything().is_bounded());
  EXPECT_TRUE((Interval{0, 9}).contains(Interval{2, 3}));
  EXPECT_FALSE((Interval{0, 9}).contains(10));
  EXPECT_EQ(to_string(Interval{Interval::kNegInf, 3}), "[-inf, 3]");
}

}  // namespace
