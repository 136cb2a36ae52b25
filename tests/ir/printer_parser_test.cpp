// The canonical text round-trips exactly, parse errors name the position, and
// structural hashing ignores names but nothing else.
#include <gtest/gtest.h>

#include <cmath>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/structural.h"
#include "support/error.h"

using namespace weft;
using namespace weft::ir;

namespace {

// C[i] = sum_k A[i, k] * B[k] over a split-and-predicated loop, with an intermediate.
PrimFunc sample_func() {
  Buffer a = make_buffer("A", DType::f32, {10, 8});
  Buffer b = make_buffer("B", DType::f32, {8});
  Buffer c = make_buffer("C", DType::f32, {10});
  Buffer t = make_buffer("T", DType::f32, {8}, "local");
  Var i0 = make_var("i0"), i1 = make_var("i1"), k = make_var("k"), j = make_var("j");
  Var vi = make_var("vi"), vk = make_var("vk"), vj = make_var("vj");
  Expr ivi = var_expr(vi), ivk = var_expr(vk), ivj = var_expr(vj);
  Block scale = make_block("scale", {{vj, {0, 8}, IterKind::Spatial}}, {{b, {{ivj, 1}}}}, {{t, {{ivj, 1}}}},
                           store(t, load(b, {ivj}) * float_imm(-0.5), {ivj}));
  Stmt scale_nest = make_for(j, 8, ForKind::Vectorized, make_block_realize({var_expr(j)}, bool_imm(true), scale));
  Block red = make_block("C", {{vi, {0, 10}, IterKind::Spatial}, {vk, {0, 8}, IterKind::Reduce}},
                         {{c, {{ivi, 1}}}, {a, {{ivi, 1}, {ivk, 1}}}, {t, {{0, 8}}}}, {{c, {{ivi, 1}}}},
                         store(c, load(c, {ivi}) + load(a, {ivi, ivk}) * load(t, {ivk}), {ivi}),
                         store(c, float_imm(0.0), {ivi}), {}, {{"tag", std::string("x\"y")}, {"unroll", int64_t{16}}});
  Expr binding = var_expr(i0) * 4 + var_expr(i1);
  Stmt red_nest = make_for(
      i0, 3, ForKind::Parallel,
      make_for(i1, 4, ForKind::Serial,
               make_for(k, 8, ForKind::Unrolled,
                        make_block_realize({binding, var_expr(k)}, lt(binding, 10), red)),
               "", {{"ratio", 0.25}}));
  return make_func_with_root("sample", {a, b, c}, seq({scale_nest, red_nest}), {t});
}

void expect_parse_error(const std::string& text, const std::string& fragment) {
  try {
    parse_func(text, "test.ir");
    FAIL() << "expected a ParseError containing: " << fragment;
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(Printer, PrintsTheCanonicalForm) {
  std::string text = to_text(sample_func());
  EXPECT_NE(text.find("func sample(A: f32[10, 8], B: f32[8], C: f32[10]) {"), std::string::npos) << text;
  EXPECT_NE(text.find("alloc T: f32[8] local"), std::string::npos) << text;
  EXPECT_NE(text.find("for i0 in range(3) parallel {"), std::string::npos) << text;
  EXPECT_NE(text.find("for i1 in range(4) annotate(ratio=0.25) {"), std::string::npos) << text;
  EXPECT_NE(text.find("block C(vi: spatial(0, 10) = i0 * 4 + i1, vk: reduce(0, 8) = k) where i0 * 4 + i1 < 10 {"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("reads(C[vi], A[vi, vk], T[0:+8])"), std::string::npos) << text;
  EXPECT_NE(text.find("annotate(tag=\"x\\\"y\", unroll=16)"), std::string::npos) << text;
  EXPECT_NE(text.find("C[vi] = f32(0)"), std::string::npos) << text;
  EXPECT_NE(text.find("T[vj] = B[vj] * f32(-0.5)"), std::string::npos) << text;
}

TEST(Printer, ParenthesesOnlyWhereNeeded) {
  Var x = make_var("x"), y = make_var("y");
  Expr ex = var_expr(x), ey = var_expr(y);
  EXPECT_EQ(to_text((ex + ey) * 2), "(x + y) * 2");
  EXPECT_EQ(to_text(ex + ey * 2), "x + y * 2");
  EXPECT_EQ(to_text(ex - (ey - 1)), "x - (y - 1)");
  EXPECT_EQ(to_text((ex - ey) - 1), "x - y - 1");
  EXPECT_EQ(to_text(floordiv(ex, 4) * 4 + floormod(ex, 4)), "x // 4 * 4 + x % 4");
  EXPECT_EQ(to_text(logical_not(logical_and(lt(ex, 3), ge(ey, -2)))), "!(x < 3 && y >= -2)");
  EXPECT_EQ(to_text(eq(lt(ex, ey), bool_imm(false))), "(x < y) == false");
  EXPECT_EQ(to_text(max(ex, min(ey, 0)) - -3), "max(x, min(y, 0)) - -3");
  EXPECT_EQ(to_text(cast(DType::f32, ex) * float_imm(0.1)), "cast(f32, x) * f32(0.1)");
  EXPECT_EQ(to_text(float_imm(-INFINITY, DType::f16)), "f16(-inf)");
  EXPECT_EQ(to_text(int_imm(7, DType::i64)), "i64(7)");
}

TEST(Parser, RoundTripsExactly) {
  PrimFunc f = sample_func();
  std::string text = to_text(f);
  PrimFunc g = parse_func(text, "sample.ir");
  EXPECT_EQ(to_text(g), text);
  EXPECT_TRUE(structural_equal(f, g));
  EXPECT_EQ(structural_hash(f), structural_hash(g));
}

TEST(Parser, RoundTripsEveryExpressionKind) {
  std::string text = R"(func every(A: f64[4], B: i64[4], C: bf16[2, 2]) {
  block root() {
    alloc S: f16[4] shared.dyn
    for t in range(4) thread(threadIdx.x) {
      for u: i64 in range(i64(4)) {
        block E(v: spatial(0, 4) = t, w: spatial(i64(0), i64(4), i64) = u) {
          reads(A[v], B[w])
          writes(A[v], S[v])
          if (v < 2 || !(w == i64(3))) {
            A[v] = select(cast(i64, A[v]) >= B[w] && true, exp(A[v]) / f64(3.5), pow(A[v], f64(2))) + f64(1e-05)
          } else {
            A[v] = max(erf(tanh(A[v])), sigmoid(rsqrt(sqrt(abs(log(A[v]))))))
          }
          S[v] = cast(f16, min(A[v], f64(nan)))
          B[w] = B[w] // i64(3) % i64(2) - i64(-1)
        }
      }
    }
  }
}
)";
  PrimFunc f = parse_func(text, "every.ir");
  EXPECT_EQ(to_text(f), text);
}

TEST(Parser, DistinctObjectsWithTheSameNameStayDistinct) {
  // Two loops named "i" that are different variables, nested: the printer must
  // rename one so the text still means the same program.
  Buffer a = make_buffer("A", DType::f32, {4, 4});
  Var i1 = make_var("i"), i2 = make_var("i");
  Stmt body = store(a, float_imm(1.0), {var_expr(i1), var_expr(i2)});
  PrimFunc f = make_func_with_root("f", {a}, make_for(i1, 4, ForKind::Serial, make_for(i2, 4, ForKind::Serial, body)));
  std::string text = to_text(f);
  EXPECT_NE(text.find("for i_1 in range(4)"), std::string::npos) << text;
  EXPECT_NE(text.find("A[i, i_1] = f32(1)"), std::string::npos) << text;
  EXPECT_EQ(to_text(parse_func(text)), text);
}

TEST(Parser, ReservedNamesAreEscaped) {
  Buffer a = make_buffer("range", DType::f32, {4});
  Var v = make_var("exp");
  PrimFunc f = make_func_with_root("f", {a}, make_for(v, 4, ForKind::Serial, store(a, float_imm(1.0), {var_expr(v)})));
  std::string text = to_text(f);
  EXPECT_NE(text.find("range_[exp_] = f32(1)"), std::string::npos) << text;
  EXPECT_EQ(to_text(parse_func(text)), text);
}

TEST(Parser, ErrorsNameInputAndPosition) {
  expect_parse_error("func f(A: f32[4]) {\n  block root() {\n    A[0] = f32(1) +\n  }\n}\n", "test.ir:4:3: expected an expression but found '}'");
  expect_parse_error("func f(A: f32[4]) {\n  block root() {\n    B[0] = f32(1)\n  }\n}\n", "test.ir:3:5: unknown buffer 'B'");
  expect_parse_error("func f(A: f32[4]) {\n  block root() {\n    A[i] = f32(1)\n  }\n}\n", "test.ir:3:7: unknown variable 'i'");
  expect_parse_error("func f(A: f32[4]) {\n  block root() {\n    A[0] = 1\n  }\n}\n", "test.ir:3:5: invalid IR: store to 'A' (f32) of a value of type i32");
  expect_parse_error("func f(A: f32[4]) {\n  block root() {\n    A[0] = 0.5\n  }\n}\n", "a float literal needs its type, e.g. f32(0.5)");
  expect_parse_error("func f(A: q32[4]) {", "test.ir:1:11: expected a dtype");
  expect_parse_error("func f(A: f32[4]) {\n  block root() {\n    A[0] = f32(1) $\n", "test.ir:3:19: unexpected character '$'");
  expect_parse_error("func f(A: f32[4]) {\n  block root() {\n    for i in range(4) sideways {\n", "unknown loop kind 'sideways'");
  expect_parse_error("func f(A: f32[4], A: f32[4]) {", "buffer 'A' is defined twice");
  expect_parse_error("func f(A: f32[4]) {\n  block root() {\n    A[0] = f32(1)\n", "missing '}'");
  expect_parse_error("func f(A: f32[4]) {\n  block root() {\n    A[0] = f32(1)\n  }\n}\n}", "unexpected '}' after the function");
  expect_parse_error("func f(A: i32[4]) {\n  block root() {\n    A[0] = 1 < 2 < 3\n  }\n}\n", "comparisons do not chain");
  expect_parse_error("func f(A: f32[4]) {\n  for i in range(4) {\n", "function body must be the root block");
  expect_parse_error("func f(A: f32[4]) {\n  block root() {\n    A[0] = foo(1)\n  }\n}\n", "unknown function 'foo'");
  expect_parse_error("func f(A: i32[4]) {\n  block root() {\n    A[0] = i32(99999999999)\n  }\n}\n", "does not fit in i32");
}

TEST(Structural, IgnoresNamesButNotStructure) {
  auto make = [](const std::string& buf, const std::string& var, int extent, const std::string& block) {
    Buffer a = make_buffer(buf, DType::f32, {16});
    Var i = make_var(var), vi = make_var("v" + var);
    Block b = make_block(block, {{vi, {0, extent}, IterKind::Spatial}}, {}, {{a, {{var_expr(vi), 1}}}},
                         store(a, float_imm(2.0), {var_expr(vi)}));
    return make_func_with_root("fn_" + buf, {a}, make_for(i, extent, ForKind::Serial,
                                                          make_block_realize({var_expr(i)}, bool_imm(true), b)));
  };
  EXPECT_TRUE(structural_equal(make("A", "i", 16, "B"), make("X", "j", 16, "B")));
  EXPECT_EQ(structural_hash(make("A", "i", 16, "B")), structural_hash(make("X", "j", 16, "B")));
  EXPECT_FALSE(structural_equal(make("A", "i", 16, "B"), make("A", "i", 8, "B")));
  EXPECT_FALSE(structural_equal(make("A", "i", 16, "B"), make("A", "i", 16, "C")));  // block names matter
}

TEST(Structural, GoldenHashIsStable) {
  // Pinned: the tuning database keys on this value. Change it only with a migration.
  EXPECT_EQ(structural_hash_hex(sample_func()), "ef59f70c35e8073d");
}
