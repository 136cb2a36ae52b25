// Constructor invariants: nodes built from inconsistent parts are rejected with a
// message naming the problem.
#include <gtest/gtest.h>

#include "ir/stmt.h"
#include "support/error.h"

using namespace weft;
using namespace weft::ir;

#define EXPECT_IR_ERROR(stmt, fragment)                                          \
  do {                                                                           \
    try {                                                                        \
      stmt;                                                                      \
      FAIL() << "expected IRError containing: " << fragment;                     \
    } catch (const IRError& e) {                                                 \
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what(); \
    }                                                                            \
  } while (0)

TEST(Invariants, BinaryOperandsMustMatch) {
  Var i = make_var("i");
  Expr f = float_imm(1.0);
  EXPECT_IR_ERROR(var_expr(i) + f, "different types: i32 and f32");
  EXPECT_IR_ERROR(f / f + var_expr(i), "different types");
}

TEST(Invariants, LiteralsAdaptToTheOtherOperand) {
  Var i = make_var("i", DType::i64);
  Expr e = var_expr(i) * 4;
  EXPECT_EQ(e.dtype(), DType::i64);
  Expr g = float_imm(2.0, DType::f16) + 1;
  EXPECT_EQ(g.dtype(), DType::f16);
}

TEST(Invariants, DivisionKinds) {
  Var i = make_var("i");
  EXPECT_IR_ERROR(var_expr(i) / 2, "'/' needs float operands");
  EXPECT_IR_ERROR(floordiv(float_imm(1.0), float_imm(2.0)), "needs integer operands");
  EXPECT_EQ(floordiv(var_expr(i), 2).dtype(), DType::i32);
}

TEST(Invariants, ComparisonGivesBoolAndLogicNeedsBool) {
  Var i = make_var("i");
  Expr c = lt(var_expr(i), 4);
  EXPECT_EQ(c.dtype(), DType::boolean);
  EXPECT_IR_ERROR(logical_and(var_expr(i), c), "different types");
  EXPECT_IR_ERROR(logical_not(var_expr(i)), "needs a bool operand");
}

TEST(Invariants, LoadAndStoreArity) {
  Buffer a = make_buffer("A", DType::f32, {4, 4});
  Var i = make_var("i");
  EXPECT_IR_ERROR(load(a, {var_expr(i)}), "with 1 indices, buffer has 2 dimensions");
  EXPECT_IR_ERROR(store(a, int_imm(1), {var_expr(i), var_expr(i)}), "of a value of type i32");
  EXPECT_IR_ERROR(load(a, {float_imm(0.0), var_expr(i)}), "non-integer index");
}

TEST(Invariants, NamesMustBeIdentifiers) {
  EXPECT_IR_ERROR(make_buffer("A; system(\"rm\")", DType::f32, {4}), "not an identifier");
  EXPECT_IR_ERROR(make_var("1x"), "not an identifier");
  EXPECT_IR_ERROR(make_buffer("A", DType::f32, {0}), "non-positive dimension");
  EXPECT_IR_ERROR(make_buffer("A", DType::f32, {4}, "texture"), "unknown scope");
}

TEST(Invariants, BlockBindingsMustMatchIterators) {
  Buffer a = make_buffer("A", DType::f32, {4});
  Var vi = make_var("vi");
  Block b = make_block("B", {{vi, {0, 4}, IterKind::Spatial}}, {}, {full_region(a)},
                       store(a, float_imm(0.0), {var_expr(vi)}));
  EXPECT_IR_ERROR(make_block_realize({}, bool_imm(true), b), "has 1 iterators but is bound to 0 values");
  EXPECT_IR_ERROR(make_block_realize({0}, int_imm(1), b), "predicate of block 'B' must be bool");
  EXPECT_IR_ERROR(make_block("B", {{vi, {0, 4}, IterKind::Spatial}}, {}, {}, store(a, float_imm(0.0), {var_expr(vi)}),
                             store(a, float_imm(0.0), {var_expr(vi)})),
                  "has an init but no reduction iterator");
  EXPECT_IR_ERROR(make_block("B", {{vi, {0, 4}, IterKind::Spatial}, {vi, {0, 4}, IterKind::Spatial}}, {}, {},
                             store(a, float_imm(0.0), {var_expr(vi)})),
                  "declares iterator 'vi' twice");
}

TEST(Invariants, LoopsAndFunctions) {
  Buffer a = make_buffer("A", DType::f32, {4});
  Var i = make_var("i");
  Stmt body = store(a, float_imm(0.0), {var_expr(i)});
  EXPECT_IR_ERROR(make_for(i, 4, ForKind::ThreadBinding, body, "threadIdx.w"), "unknown thread axis");
  EXPECT_IR_ERROR(make_for(i, 4, ForKind::Serial, body, "threadIdx.x"), "has a thread tag but is not thread-bound");
  EXPECT_IR_ERROR(make_func("f", {a}, body), "body must be the root block");
  Buffer s = make_buffer("S", DType::f32, {4}, "shared");
  EXPECT_IR_ERROR(make_func_with_root("f", {s}, body), "must be in global scope");
}

TEST(Invariants, ImmediatesFitTheirType) {
  EXPECT_IR_ERROR(int_imm(300, DType::i8), "does not fit in i8");
  EXPECT_FLOAT_EQ(static_cast<const FloatImmNode*>(float_imm(0.1, DType::f32).get())->value, 0.1f);
}
