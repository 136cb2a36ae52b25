// The simplifier: expected results as printed text, then randomized properties
// (value preserved, dtype preserved, idempotent; intervals sound) checked against
// a small reference evaluator.
#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <unordered_map>

#include "ir/interval.h"
#include "ir/printer.h"
#include "ir/simplify.h"
#include "support/rng.h"

using namespace weft;
using namespace weft::ir;

namespace {

struct Vars {
  Var i = make_var("i"), j = make_var("j"), k = make_var("k");
  Var i0 = make_var("i0"), i1 = make_var("i1"), i2 = make_var("i2");
  Expr I = var_expr(i), J = var_expr(j), K = var_expr(k);
  Expr I0 = var_expr(i0), I1 = var_expr(i1), I2 = var_expr(i2);
};

std::string simp(const Expr& e, const VarDomains& d = {}) { return to_text(simplify(e, d)); }

class Simplify : public ::testing::Test {
 protected:
  Vars v;
  Buffer a = make_buffer("A", DType::f32, {16});
  Expr x = load(a, {v.I});  // an opaque f32 value
};

TEST_F(Simplify, FoldsIntegerConstants) {
  EXPECT_EQ(simp(int_imm(3) + 4), "7");
  EXPECT_EQ(simp(int_imm(3) - 4 * int_imm(2)), "-5");
  EXPECT_EQ(simp(floordiv(-7, 2)), "-4");
  EXPECT_EQ(simp(floormod(-7, 2)), "1");
  EXPECT_EQ(simp(floordiv(7, -2)), "-4");
  EXPECT_EQ(simp(floormod(7, -2)), "-1");
  EXPECT_EQ(simp(min(3, 5)), "3");
  EXPECT_EQ(simp(max(int_imm(3), 5)), "5");
  EXPECT_EQ(simp(int_imm(INT32_MAX) + 1), "-2147483648");  // i32 wraps, as in the interpreter
  EXPECT_EQ(simp(int_imm(INT32_MAX, DType::i64) + 1), "i64(2147483648)");
  EXPECT_EQ(simp(lt(3, 5)), "true");
  EXPECT_EQ(simp(logical_and(lt(3, 5), ge(2, 7))), "false");
}

TEST_F(Simplify, LeavesDivisionByZeroAlone) {
  EXPECT_EQ(simp(floordiv(7, 0)), "7 // 0");
  EXPECT_EQ(simp(floormod(v.I, 0)), "i % 0");
}

TEST_F(Simplify, FoldsFloatConstantsWithDtypeRounding) {
  EXPECT_EQ(simp(float_imm(0.1) + float_imm(0.2)), "f32(0.3)");
  EXPECT_EQ(simp(float_imm(1.0) / float_imm(3.0)), "f32(0.33333334)");
  EXPECT_EQ(simp(float_imm(1.0, DType::f64) / float_imm(3.0, DType::f64)), "f64(0.3333333333333333)");
  // 1 + 0.0004 is 1 in f16 (its epsilon at 1 is 2^-10).
  EXPECT_EQ(simp(float_imm(1.0, DType::f16) + float_imm(0.0004, DType::f16)), "f16(1)");
  EXPECT_EQ(simp(cast(DType::f16, float_imm(65519.0, DType::f32))), "f16(6.55e+04)");  // 65504, the largest f16
  EXPECT_EQ(simp(cast(DType::i32, float_imm(2.7))), "2");
  EXPECT_EQ(simp(cast(DType::i32, float_imm(-2.7))), "-2");
  EXPECT_EQ(simp(cast(DType::f32, int_imm(3))), "f32(3)");
  EXPECT_EQ(simp(cast(DType::i8, int_imm(300))), "i8(44)");
  EXPECT_EQ(simp(lt(float_imm(1.0), float_imm(2.0))), "true");
  EXPECT_EQ(simp(call(Intrinsic::abs, {float_imm(-2.5)})), "f32(2.5)");
}

TEST_F(Simplify, LeavesUncertainFloatFoldsAlone) {
  EXPECT_EQ(simp(call(Intrinsic::exp, {float_imm(1.0)})), "exp(f32(1))");
  EXPECT_EQ(simp(min(float_imm(NAN), float_imm(1.0))), "min(f32(nan), f32(1))");
  EXPECT_EQ(simp(max(float_imm(-0.0), float_imm(0.0))), "max(f32(-0), f32(0))");
  EXPECT_EQ(simp(cast(DType::i32, float_imm(NAN))), "cast(i32, f32(nan))");
}

TEST_F(Simplify, FloatIdentitiesOnlyWhenExact) {
  EXPECT_EQ(simp(x * float_imm(1.0)), "A[i]");
  EXPECT_EQ(simp(float_imm(1.0) * x), "A[i]");
  EXPECT_EQ(simp(x / float_imm(1.0)), "A[i]");
  EXPECT_EQ(simp(x - float_imm(0.0)), "A[i]");
  EXPECT_EQ(simp(x + float_imm(-0.0)), "A[i]");
  EXPECT_EQ(simp(x + float_imm(0.0)), "A[i] + f32(0)");  // -0.0 + 0.0 is +0.0
  EXPECT_EQ(simp(x * float_imm(0.0)), "A[i] * f32(0)");  // NaN * 0 is NaN
  EXPECT_EQ(simp(x + float_imm(1.0) + float_imm(2.0)), "A[i] + f32(1) + f32(2)");  // no reassociation
  EXPECT_EQ(simp(x - x), "A[i] - A[i]");
  // Indices inside float expressions still simplify.
  EXPECT_EQ(simp(load(a, {v.I + 0}) * float_imm(2.0)), "A[i] * f32(2)");
}

TEST_F(Simplify, LinearIdentities) {
  EXPECT_EQ(simp(v.I * 0), "0");
  EXPECT_EQ(simp(v.I + 0), "i");
  EXPECT_EQ(simp(v.I * 1), "i");
  EXPECT_EQ(simp(v.I - v.I), "0");
  EXPECT_EQ(simp((v.I + 2) * 3 - v.I), "i * 2 + 6");
  EXPECT_EQ(simp(int_imm(16) - v.I), "16 - i");
  EXPECT_EQ(simp(int_imm(0) - v.I), "i * -1");
  EXPECT_EQ(simp(int_imm(0) - v.I - 3), "i * -1 - 3");
  EXPECT_EQ(simp(v.I - v.J * 2 + 1), "i - j * 2 + 1");
}

TEST_F(Simplify, CanonicalOrderIsIndependentOfInputOrder) {
  EXPECT_EQ(simp(v.J + v.I), "i + j");
  EXPECT_EQ(simp(v.I + v.J), "i + j");
  // Largest coefficient first, the mixed-radix reading of a split index.
  EXPECT_EQ(simp(v.I2 + v.I0 * 32 + v.I1 * 8), "i0 * 32 + i1 * 8 + i2");
  EXPECT_EQ(simp(v.I1 * 8 + v.I2 + v.I0 * 32), "i0 * 32 + i1 * 8 + i2");
  EXPECT_EQ(simp(v.J * v.I), "i * j");
  EXPECT_EQ(simp(v.I * v.J), "i * j");
  EXPECT_EQ(simp((v.I * 2) * (v.J * 3)), "i * j * 6");
  EXPECT_EQ(simp(v.K * (v.J * v.I)), "i * j * k");
  EXPECT_EQ(simp(min(v.J, v.I)), "min(i, j)");
  EXPECT_EQ(simp(eq(v.J, v.I)), "i == j");
  EXPECT_EQ(simp(eq(v.I, v.J)), "i == j");
}

TEST_F(Simplify, SameNamedVariablesStayDistinct) {
  Var other_i = make_var("i");
  Expr sum = v.I + var_expr(other_i) + v.I;
  EXPECT_EQ(simp(sum), "i * 2 + i_1");
  EXPECT_EQ(simp(v.I - var_expr(other_i)), "i - i_1");
}

TEST_F(Simplify, DivisionByConstants) {
  EXPECT_EQ(simp(floordiv(v.I * 4 + v.J, 4)), "i + j // 4");
  EXPECT_EQ(simp(floormod(v.I * 4 + v.J, 4)), "j % 4");
  EXPECT_EQ(simp(floordiv(v.I * 6 + 4, 2)), "i * 3 + 2");
  EXPECT_EQ(simp(floormod(v.I * 6 + 3, 6)), "3");
  EXPECT_EQ(simp(floormod(v.I * 6 + v.J * 2, 4)), "(i + j) % 2 * 2");  // 2 * ((3i + j) % 2)
  EXPECT_EQ(simp(floordiv(v.I * 5, 4)), "i + i // 4");
  EXPECT_EQ(simp(floordiv(v.I + 5, 4)), "(i + 1) // 4 + 1");
  EXPECT_EQ(simp(floordiv(v.I - 1, 4)), "(i - 1) // 4");
  EXPECT_EQ(simp(floordiv(v.I - 4, 4)), "i // 4 - 1");
  EXPECT_EQ(simp(floordiv(v.I, 1)), "i");
  EXPECT_EQ(simp(floormod(v.I, 1)), "0");
  EXPECT_EQ(simp(floordiv(v.I, -1)), "i * -1");
  EXPECT_EQ(simp(floormod(v.I, -1)), "0");
  EXPECT_EQ(simp(floordiv(v.I, -4)), "i // -4");
}

TEST_F(Simplify, NestedDivisions) {
  EXPECT_EQ(simp(floordiv(floordiv(v.I, 4), 8)), "i // 32");
  EXPECT_EQ(simp(floordiv(floordiv(v.I, 4) + 1, 8)), "(i + 4) // 32");
  EXPECT_EQ(simp(floormod(floormod(v.I, 16), 4)), "i % 4");
  EXPECT_EQ(simp(floormod(floormod(v.I, 16) + v.J, 4)), "(i + j) % 4");
  EXPECT_EQ(simp(floormod(floormod(v.I, 4), 16)), "i % 4");  // by bounds: i % 4 < 16
  EXPECT_EQ(simp(floormod(floormod(v.I, 6), 4)), "i % 6 % 4");
  // The merged divisor 2^32 does not fit in i32: left nested.
  EXPECT_EQ(simp(floordiv(floordiv(v.I, 65536), 65536)), "i // 65536 // 65536");
  Var n = make_var("n", DType::i64);
  EXPECT_EQ(simp(floordiv(floordiv(var_expr(n), 65536), 65536)), "n // i64(4294967296)");
}

TEST_F(Simplify, DivisionDecidedByBounds) {
  VarDomains d{{v.i.get(), {0, 7}}, {v.j.get(), {0, 3}}, {v.k.get(), {5, 9}}};
  EXPECT_EQ(simp(floordiv(v.I, 8), d), "0");
  EXPECT_EQ(simp(floormod(v.I, 8), d), "i");
  EXPECT_EQ(simp(floordiv(v.I + 8, 8), d), "1");
  EXPECT_EQ(simp(floormod(v.I + 8, 8), d), "i");
  EXPECT_EQ(simp(floordiv(v.I + 16, 8), d), "2");
  EXPECT_EQ(simp(floormod(v.I - 8, 8), d), "i");
  EXPECT_EQ(simp(floordiv(v.J * 2 + 1, 8), d), "0");
  EXPECT_EQ(simp(floordiv(v.I, 4), d), "i // 4");  // i // 4 is 0 or 1
  EXPECT_EQ(simp(floordiv(v.J, v.K), d), "0");
  EXPECT_EQ(simp(floormod(v.J, v.K), d), "j");
  EXPECT_EQ(simp(floordiv(v.I, v.K), d), "i // k");
}

TEST_F(Simplify, SplitAndFuseRoundTrips) {
  Expr i = v.I;
  EXPECT_EQ(simp(floordiv(i, 4) * 4 + floormod(i, 4)), "i");
  EXPECT_EQ(simp(floormod(i, 4) + floordiv(i, 4) * 4), "i");
  EXPECT_EQ(simp((floordiv(i, 4) * 4 + floormod(i, 4)) * 2 + 1), "i * 2 + 1");
  // Three-way split [i // 32, (i // 4) % 8, i % 4] fused back.
  EXPECT_EQ(simp(floordiv(i, 32) * 32 + floormod(floordiv(i, 4), 8) * 4 + floormod(i, 4)), "i");
  EXPECT_EQ(simp(floormod(floordiv(i, 4), 8) * 4 + floormod(i, 4)), "i % 32");
  EXPECT_EQ(simp(i - floordiv(i, 4) * 4), "i % 4");
  EXPECT_EQ(simp(floordiv(v.I + v.J, 4) * 4 + floormod(v.J + v.I, 4) + 1), "i + j + 1");
  // Fuse then split: f = i0*16 + i1 with i1 in [0, 16).
  VarDomains d{{v.i0.get(), {0, 7}}, {v.i1.get(), {0, 15}}};
  Expr f = v.I0 * 16 + v.I1;
  EXPECT_EQ(simp(floordiv(f, 16), d), "i0");
  EXPECT_EQ(simp(floormod(f, 16), d), "i1");
  // Fuse (16 x 16 -> 256) then split into [4, 8, 8]: f = i0*64 + i1*8 + i2.
  VarDomains fs{{v.i0.get(), {0, 3}}, {v.i1.get(), {0, 7}}, {v.i2.get(), {0, 7}}};
  Expr fused = v.I0 * 64 + v.I1 * 8 + v.I2;
  EXPECT_EQ(simp(floordiv(fused, 16), fs), "i0 * 4 + i1 // 2");
  EXPECT_EQ(simp(floormod(fused, 16), fs), "i1 % 2 * 8 + i2");
  EXPECT_EQ(simp(floordiv(v.I1 * 8 + v.I2 + 8, 16), fs), "(i1 + 1) // 2");
  EXPECT_EQ(simp(floordiv(v.I1 * 8 + v.I2 + 9, 16), fs), "(i1 * 8 + i2 + 9) // 16");  // i2 + 1 may reach 8
  EXPECT_EQ(simp(floordiv(floormod(v.I, 64), 8)), "i // 8 % 8");
  // Split then fuse: i = i0*4 + i1, i1 in [0, 4).
  VarDomains s{{v.i0.get(), {0, 3}}, {v.i1.get(), {0, 3}}};
  EXPECT_EQ(simp(floordiv(v.I0 * 4 + v.I1, 4) * 4 + floormod(v.I0 * 4 + v.I1, 4), s), "i0 * 4 + i1");
}

TEST_F(Simplify, MinMax) {
  VarDomains d{{v.i.get(), {0, 15}}};
  EXPECT_EQ(simp(min(v.I, v.I + 1)), "i");
  EXPECT_EQ(simp(max(v.I, v.I + 1)), "i + 1");
  EXPECT_EQ(simp(max(v.I - 3, v.I)), "i");
  EXPECT_EQ(simp(min(v.I, 16), d), "i");
  EXPECT_EQ(simp(max(v.I, 0), d), "i");
  EXPECT_EQ(simp(min(v.I, 8), d), "min(i, 8)");
  EXPECT_EQ(simp(min(8, v.I), d), "min(i, 8)");
  EXPECT_EQ(simp(min(min(v.I, 8), 4)), "min(i, 4)");
  EXPECT_EQ(simp(max(max(v.I, 8), 4)), "max(i, 8)");
  EXPECT_EQ(simp(min(v.J, v.J)), "j");
}

TEST_F(Simplify, ComparisonsDecidedByBounds) {
  VarDomains d{{v.i.get(), {0, 15}}};
  EXPECT_EQ(simp(lt(v.I, 16), d), "true");
  EXPECT_EQ(simp(ge(v.I, 16), d), "false");
  EXPECT_EQ(simp(le(v.I, 15), d), "true");
  EXPECT_EQ(simp(gt(v.I, -1), d), "true");
  EXPECT_EQ(simp(eq(v.I, 16), d), "false");
  EXPECT_EQ(simp(ne(v.I, -1), d), "true");
  EXPECT_EQ(simp(lt(v.I, 8), d), "i < 8");
  EXPECT_EQ(simp(lt(v.I, v.I + 1)), "true");  // no domain needed: the difference is constant
  EXPECT_EQ(simp(eq(v.I + v.J, v.J + v.I)), "true");
  EXPECT_EQ(simp(lt(v.I, floordiv(v.I, 4) * 4 + 4)), "true");  // i - (i // 4)*4 is i % 4, in [0, 3]
  EXPECT_EQ(simp(min(v.I, floordiv(v.I, 4) * 4)), "i // 4 * 4");
  VarDomains split{{v.i0.get(), {0, 3}}, {v.i1.get(), {0, 3}}};
  EXPECT_EQ(simp(lt(v.I0 * 4 + v.I1, 16), split), "true");
  EXPECT_EQ(simp(lt(v.I0 * 4 + v.I1, 14), split), "i0 * 4 + i1 < 14");
}

TEST_F(Simplify, ComparisonsNormalised) {
  EXPECT_EQ(simp(gt(int_imm(16), v.I * 4 + v.J)), "i * 4 + j < 16");
  EXPECT_EQ(simp(lt(v.I * 4 + v.J - 16, 0)), "i * 4 + j < 16");
  EXPECT_EQ(simp(gt(v.J, v.I)), "i < j");
  EXPECT_EQ(simp(ge(v.J, v.I)), "i <= j");
  EXPECT_EQ(simp(lt(v.I + 1, v.J)), "i < j - 1");
  EXPECT_EQ(simp(lt(int_imm(5) - v.I, 0)), "5 < i");
  EXPECT_EQ(simp(eq(v.I - v.J, 0)), "i == j");
  EXPECT_EQ(simp(ne(v.J * 2, v.I + 4)), "i != j * 2 - 4");
}

TEST_F(Simplify, Logic) {
  Expr c = lt(v.I, v.J);
  EXPECT_EQ(simp(logical_and(bool_imm(true), c)), "i < j");
  EXPECT_EQ(simp(logical_and(c, bool_imm(false))), "false");
  EXPECT_EQ(simp(logical_or(c, bool_imm(true))), "true");
  EXPECT_EQ(simp(logical_or(bool_imm(false), c)), "i < j");
  EXPECT_EQ(simp(logical_and(c, c)), "i < j");
  EXPECT_EQ(simp(logical_not(logical_not(c))), "i < j");
  EXPECT_EQ(simp(logical_not(c)), "j <= i");
  EXPECT_EQ(simp(logical_not(eq(v.I, v.J))), "i != j");
  EXPECT_EQ(simp(logical_not(lt(x, float_imm(0.0)))), "!(A[i] < f32(0))");  // NaN: not A[i] >= 0
  EXPECT_EQ(simp(eq(c, bool_imm(true))), "i < j");
  EXPECT_EQ(simp(eq(c, bool_imm(false))), "j <= i");
  // Guards keep their order: && short-circuits.
  EXPECT_EQ(simp(logical_and(lt(v.J, v.I), c)), "j < i && i < j");
}

TEST_F(Simplify, SelectAndCast) {
  Expr c = lt(v.I, v.J);
  EXPECT_EQ(simp(select(bool_imm(true), v.I, v.J)), "i");
  EXPECT_EQ(simp(select(lt(v.I, v.I + 1), v.I, v.J)), "i");
  EXPECT_EQ(simp(select(c, v.I + 0, v.I)), "i");
  EXPECT_EQ(simp(select(c, bool_imm(true), bool_imm(false))), "i < j");
  EXPECT_EQ(simp(select(c, bool_imm(false), bool_imm(true))), "j <= i");
  Var k64 = make_var("k", DType::i64);
  EXPECT_EQ(simp(cast(DType::i32, v.I)), "i");
  EXPECT_EQ(simp(cast(DType::i32, cast(DType::i64, v.I))), "i");
  EXPECT_EQ(simp(cast(DType::i64, cast(DType::i32, var_expr(k64)))), "cast(i64, cast(i32, k))");
  EXPECT_EQ(simp(cast(DType::i64, cast(DType::i32, var_expr(k64))), {{k64.get(), {0, 100}}}), "k");
}

TEST_F(Simplify, PointDomainsBecomeConstants) {
  VarDomains d{{v.i0.get(), {0, 0}}, {v.i1.get(), {0, 3}}};
  EXPECT_EQ(simp(v.I0 * 4 + v.I1, d), "i1");
}

TEST_F(Simplify, KeepsDtype) {
  Var n = make_var("n", DType::i64);
  Expr e = simplify(floordiv(var_expr(n) * 8 + 3, 8));
  EXPECT_EQ(e.dtype(), DType::i64);
  EXPECT_EQ(to_text(e), "n");
  EXPECT_EQ(to_text(simplify(var_expr(n) - var_expr(n))), "i64(0)");
  EXPECT_EQ(to_text(simplify(var_expr(n) * 2 + 1)), "n * i64(2) + i64(1)");
}

// ---- statements -----------------------------------------------------------------------

TEST_F(Simplify, StatementUsesLoopAndIteratorDomains) {
  Buffer src = make_buffer("S", DType::f32, {16});
  Buffer dst = make_buffer("D", DType::f32, {16});
  Var vi = make_var("vi");
  Expr ivi = var_expr(vi);
  auto nest = [&](int64_t bound) {
    Block b = make_block("B", {{vi, {0, 16}, IterKind::Spatial}}, {{src, {{ivi, 1}}}}, {{dst, {{floormod(ivi, 16), 1}}}},
                         store(dst, load(src, {ivi + 0}), {floormod(ivi, 16)}));
    Expr binding = v.I0 * 4 + v.I1;
    return make_for(v.i0, 4, ForKind::Serial,
                    make_for(v.i1, 4, ForKind::Serial, make_block_realize({binding}, lt(binding, bound), b)));
  };
  Stmt out = simplify(nest(16));
  const auto* realize = out.as<ForNode>()->body.as<ForNode>()->body.as<BlockRealizeNode>();
  ASSERT_NE(realize, nullptr);
  EXPECT_TRUE(is_const_true(realize->predicate));  // stays the literal `true`
  const auto* st = realize->block->body.as<BufferStoreNode>();
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(to_text(st->indices[0]), "vi");  // vi in [0, 16): vi % 16 is vi
  EXPECT_EQ(to_text(st->value), "S[vi]");
  EXPECT_EQ(to_text(realize->block->writes[0].region[0].min), "vi");

  Stmt kept = simplify(nest(14));
  const auto* r2 = kept.as<ForNode>()->body.as<ForNode>()->body.as<BlockRealizeNode>();
  EXPECT_EQ(to_text(r2->predicate), "i0 * 4 + i1 < 14");
}

TEST_F(Simplify, StatementSharesUnchangedSubtreesAndDecidesIfs) {
  Buffer dst = make_buffer("D", DType::i32, {8});
  Stmt body = store(dst, v.I, {v.I});
  Stmt loop = make_for(v.i, 8, ForKind::Serial, body);
  EXPECT_TRUE(simplify(loop).same_as(loop));

  Stmt guarded = make_for(v.i, 8, ForKind::Serial,
                          if_then_else(lt(v.I, 8), store(dst, v.I + 0, {v.I}), store(dst, int_imm(0), {v.I})));
  Stmt s = simplify(guarded);
  const auto* st = s.as<ForNode>()->body.as<BufferStoreNode>();
  ASSERT_NE(st, nullptr);
  EXPECT_EQ(to_text(st->value), "i");

  Stmt never = make_for(v.i, 8, ForKind::Serial, if_then_else(ge(v.I, 8), store(dst, v.I, {v.I})));
  const auto* ite = simplify(never).as<ForNode>()->body.as<IfThenElseNode>();
  ASSERT_NE(ite, nullptr);
  EXPECT_EQ(to_text(ite->cond), "false");
}

TEST_F(Simplify, FunctionKeepsItsIdentityWhenNothingChanges) {
  Buffer dst = make_buffer("D", DType::i32, {8});
  PrimFunc f = make_func_with_root("f", {dst}, make_for(v.i, 8, ForKind::Serial, store(dst, v.I, {v.I})));
  EXPECT_EQ(simplify(f), f);
  PrimFunc g = make_func_with_root("g", {dst}, make_for(v.i, 8, ForKind::Serial, store(dst, v.I * 1, {v.I + 0})));
  PrimFunc sg = simplify(g);
  EXPECT_NE(sg, g);
  EXPECT_NE(to_text(sg).find("D[i] = i"), std::string::npos) << to_text(sg);
}

// ---- randomized properties ----------------------------------------------------------

// Random integer and bool expressions over three variables, shaped like index code:
// sums, products by constants, floordiv/floormod (mostly by constants), min/max,
// selects, and the split/fuse patterns the simplifier recombines.
class RandomExprs {
 public:
  RandomExprs(Rng& rng, DType t) : rng_(rng), t_(t) {
    for (const char* name : {"x", "y", "z"}) vars.push_back(make_var(name, t));
  }
  std::vector<Var> vars;

  Expr int_expr(int depth) {
    if (depth == 0 || rng_.uniform_int(0, 4) == 0) return leaf();
    Expr a = int_expr(depth - 1);
    switch (rng_.uniform_int(0, 12)) {
      case 0: return a + int_expr(depth - 1);
      case 1: return a - int_expr(depth - 1);
      case 2: return a * constant(-4, 6);
      case 3: return constant(-3, 5) * a + int_expr(depth - 1);
      case 4: return a * int_expr(depth - 1);
      case 5: return floordiv(a, divisor());
      case 6: return floormod(a, divisor());
      case 7: return rng_.uniform_int(0, 1) ? floordiv(a, int_expr(depth - 1)) : floormod(a, int_expr(depth - 1));
      case 8: return rng_.uniform_int(0, 1) ? min(a, int_expr(depth - 1)) : max(a, int_expr(depth - 1));
      case 9: return select(bool_expr(depth - 1), a, int_expr(depth - 1));
      case 10: {  // (a // c) * c + a % c, possibly with an extra term
        Expr c = constant(1, 8);
        return floordiv(a, c) * c + floormod(a, c) + (rng_.uniform_int(0, 1) ? leaf() : constant(0, 0));
      }
      case 11: {  // ((a // c) % d) * c + a % c
        Expr c = constant(1, 5), d = constant(1, 5);
        return floormod(floordiv(a, c), d) * c + floormod(a, c);
      }
      default: return a - floordiv(a, constant(1, 6)) * constant(1, 6);
    }
  }

  Expr bool_expr(int depth) {
    int pick = static_cast<int>(rng_.uniform_int(0, depth > 0 ? 9 : 5));
    if (pick <= 5) {
      Expr a = int_expr(std::max(depth - 1, 0)), b = int_expr(std::max(depth - 1, 0));
      BinaryOp ops[] = {BinaryOp::LT, BinaryOp::LE, BinaryOp::GT, BinaryOp::GE, BinaryOp::EQ, BinaryOp::NE};
      return binary(ops[pick], a, b);
    }
    if (pick == 6) return logical_and(bool_expr(depth - 1), bool_expr(depth - 1));
    if (pick == 7) return logical_or(bool_expr(depth - 1), bool_expr(depth - 1));
    if (pick == 8) return logical_not(bool_expr(depth - 1));
    return bool_imm(rng_.uniform_int(0, 1) != 0);
  }

  // Domains: a random interval per variable; now and then a variable has none.
  VarDomains domains() {
    VarDomains d;
    for (const Var& v : vars) {
      if (rng_.uniform_int(0, 7) == 0) continue;
      int64_t lo = rng_.uniform_int(-12, 12), extent = rng_.uniform_int(1, 24);
      d[v.get()] = Interval::from_extent(lo, extent);
    }
    return d;
  }

  std::unordered_map<const VarNode*, int64_t> point(const VarDomains& d) {
    std::unordered_map<const VarNode*, int64_t> env;
    for (const Var& v : vars) {
      auto it = d.find(v.get());
      env[v.get()] = it == d.end() ? rng_.uniform_int(-40, 40) : rng_.uniform_int(it->second.min, it->second.max);
    }
    return env;
  }

 private:
  Expr leaf() {
    if (rng_.uniform_int(0, 9) < 7) return var_expr(vars[rng_.uniform_int(0, 2)]);
    return constant(-9, 9);
  }
  Expr constant(int64_t lo, int64_t hi) { return int_imm(rng_.uniform_int(lo, hi), t_); }
  Expr divisor() { return rng_.uniform_int(0, 9) == 0 ? constant(-5, -1) : constant(1, 9); }

  Rng& rng_;
  DType t_;
};

// Reference semantics for integer/bool expressions, with the interpreter's short
// circuits. Empty when the value is undefined (division by zero). Overflow: in
// strict mode any result outside its dtype makes the value empty (the simplifier
// may assume index arithmetic never overflows); in wrapping mode results wrap
// around like the interpreter's. Originals are evaluated strictly, simplified
// expressions wrapping: their products may be grouped differently, which is
// harmless under wrap-around as long as the original did not overflow.
class Evaluator {
 public:
  explicit Evaluator(const std::unordered_map<const VarNode*, int64_t>& env, bool wrap = false)
      : env_(env), wrap_(wrap) {}

  std::optional<int64_t> eval(const Expr& e) {
    using i128 = __int128;
    if (const auto* v = e.as<VarNode>()) return env_.at(v);
    if (const auto* c = e.as<IntImmNode>()) return c->value;
    if (const auto* n = e.as<NotNode>()) {
      auto a = eval(n->a);
      return a ? std::optional<int64_t>(!*a) : std::nullopt;
    }
    if (const auto* s = e.as<SelectNode>()) {
      auto c = eval(s->cond);
      if (!c) return std::nullopt;
      return *c ? eval(s->true_value) : eval(s->false_value);
    }
    if (const auto* c = e.as<CastNode>()) {
      auto a = eval(c->value);
      if (!a) return std::nullopt;
      return c->dtype == DType::boolean ? (*a != 0) : fit(*a, c->dtype, /*wrap=*/true);  // casts always wrap
    }
    const auto* b = e.as<BinaryNode>();
    if (!b) ADD_FAILURE() << "evaluator: unexpected node " << to_text(e);
    if (!b) return std::nullopt;
    if (b->op == BinaryOp::And || b->op == BinaryOp::Or) {
      auto a = eval(b->a);
      if (!a) return std::nullopt;
      if ((b->op == BinaryOp::And) != (*a != 0)) return *a != 0;  // short circuit
      auto c = eval(b->b);
      if (!c) return std::nullopt;
      return *c != 0;
    }
    auto x = eval(b->a), y = eval(b->b);
    if (!x || !y) return std::nullopt;
    i128 p = *x, q = *y;
    switch (b->op) {
      case BinaryOp::Add: return fit(p + q, b->dtype, wrap_);
      case BinaryOp::Sub: return fit(p - q, b->dtype, wrap_);
      case BinaryOp::Mul: return fit(p * q, b->dtype, wrap_);
      case BinaryOp::FloorDiv:
      case BinaryOp::FloorMod: {
        if (q == 0) return std::nullopt;
        i128 d = p / q;
        if ((p % q != 0) && ((p < 0) != (q < 0))) --d;
        return fit(b->op == BinaryOp::FloorDiv ? d : p - d * q, b->dtype, wrap_);
      }
      case BinaryOp::Min: return std::min(*x, *y);
      case BinaryOp::Max: return std::max(*x, *y);
      case BinaryOp::EQ: return p == q;
      case BinaryOp::NE: return p != q;
      case BinaryOp::LT: return p < q;
      case BinaryOp::LE: return p <= q;
      case BinaryOp::GT: return p > q;
      case BinaryOp::GE: return p >= q;
      default: ADD_FAILURE() << "evaluator: unexpected operator in " << to_text(e); return std::nullopt;
    }
  }

 private:
  static std::optional<int64_t> fit(__int128 v, DType t, bool wrap = false) {
    __int128 lo = t == DType::i32 ? INT32_MIN : t == DType::i8 ? INT8_MIN : INT64_MIN;
    __int128 hi = t == DType::i32 ? INT32_MAX : t == DType::i8 ? INT8_MAX : INT64_MAX;
    if (v >= lo && v <= hi) return static_cast<int64_t>(v);
    if (!wrap) return std::nullopt;
    if (t == DType::i32) return static_cast<int32_t>(static_cast<int64_t>(v));
    if (t == DType::i8) return static_cast<int8_t>(static_cast<int64_t>(v));
    return static_cast<int64_t>(static_cast<uint64_t>(v));
  }

  const std::unordered_map<const VarNode*, int64_t>& env_;
  bool wrap_;
};

std::string describe(const VarDomains& d, const std::vector<Var>& vars,
                     const std::unordered_map<const VarNode*, int64_t>* point = nullptr) {
  std::string s;
  for (const Var& v : vars) {
    auto it = d.find(v.get());
    s += v->name + " in " + (it == d.end() ? "(unbounded)" : to_string(it->second));
    if (point) s += " = " + std::to_string(point->at(v.get()));
    s += "; ";
  }
  return s;
}

// Checks value, dtype and idempotence of simplify(e) on random points; returns the
// number of points at which the original was defined.
int check_case(const Expr& e, const VarDomains& d, RandomExprs& gen) {
  Expr s = simplify(e, d);
  EXPECT_EQ(s.dtype(), e.dtype()) << to_text(e);
  EXPECT_EQ(to_text(simplify(s, d)), to_text(s)) << "not idempotent on " << to_text(e) << "\n  " << describe(d, gen.vars);
  int defined = 0;
  for (int p = 0; p < 8; ++p) {
    auto env = gen.point(d);
    auto before = Evaluator(env).eval(e);
    if (!before) continue;
    ++defined;
    auto after = Evaluator(env, /*wrap=*/true).eval(s);
    if (!after || *after != *before) {
      ADD_FAILURE() << "value changed:\n  " << to_text(e) << "\n  -> " << to_text(s) << "\n  at " << describe(d, gen.vars, &env)
                    << "\n  before " << *before << ", after " << (after ? std::to_string(*after) : "undefined");
      return defined;
    }
  }
  return defined;
}

TEST(SimplifyProperty, PreservesValueOfRandomIntegerExpressions) {
  Rng rng(20240611);
  int defined = 0;
  for (int n = 0; n < 2000 && !::testing::Test::HasFailure(); ++n) {
    RandomExprs gen(rng, n % 4 == 3 ? DType::i64 : DType::i32);
    Expr e = gen.int_expr(4);
    defined += check_case(e, gen.domains(), gen);
  }
  RecordProperty("defined_points", defined);
  EXPECT_GT(defined, 2000 * 8 / 2);  // the test must exercise values, not skip them
}

TEST(SimplifyProperty, PreservesValueOfRandomConditions) {
  Rng rng(77);
  int defined = 0;
  for (int n = 0; n < 2000 && !::testing::Test::HasFailure(); ++n) {
    RandomExprs gen(rng, DType::i32);
    Expr e = gen.bool_expr(3);
    defined += check_case(e, gen.domains(), gen);
  }
  RecordProperty("defined_points", defined);
  EXPECT_GT(defined, 2000 * 8 / 2);
}

TEST(IntervalProperty, BoundsContainEveryValue) {
  Rng rng(4242);
  int checked = 0, bounded = 0;
  for (int n = 0; n < 2000 && !::testing::Test::HasFailure(); ++n) {
    RandomExprs gen(rng, n % 4 == 3 ? DType::i64 : DType::i32);
    Expr e = n % 5 == 4 ? gen.bool_expr(3) : gen.int_expr(4);
    VarDomains d = gen.domains();
    Expr s = simplify(e, d);
    Interval be = bound_of(e, d), bs = bound_of(s, d);
    bounded += be.is_bounded();
    for (int p = 0; p < 8; ++p) {
      auto env = gen.point(d);
      auto value = Evaluator(env).eval(e);
      if (!value) continue;
      ++checked;
      if (!be.contains(*value) || !bs.contains(*value)) {
        ADD_FAILURE() << "unsound bound: " << to_text(e) << " in " << to_string(be) << ", simplified " << to_text(s)
                      << " in " << to_string(bs) << "\n  value " << *value << " at " << describe(d, gen.vars, &env);
        break;
      }
    }
  }
  RecordProperty("checked_points", checked);
  RecordProperty("bounded_cases", bounded);
  EXPECT_GT(checked, 2000 * 8 / 2);
  EXPECT_GT(bounded, 2000 / 2);  // most cases have finite bounds: the test is not vacuous
}

}  // namespace
