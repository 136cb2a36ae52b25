// Variable substitution and variable queries.
#include <gtest/gtest.h>

#include "ir/printer.h"
#include "ir/substitute.h"
#include "support/error.h"

using namespace weft;
using namespace weft::ir;

namespace {

class Substitute : public ::testing::Test {
 protected:
  Var i = make_var("i"), j = make_var("j"), k = make_var("k");
  Expr I = var_expr(i), J = var_expr(j), K = var_expr(k);
};

TEST_F(Substitute, ReplacesUsesInExpressions) {
  Expr e = I * 2 + K;
  EXPECT_EQ(to_text(substitute(e, {{i.get(), J + 1}})), "(j + 1) * 2 + k");
  EXPECT_EQ(to_text(substitute(e, {{i.get(), K}, {k.get(), I}})), "k * 2 + i");  // simultaneous, not sequential
  Buffer a = make_buffer("A", DType::f32, {8, 8});
  EXPECT_EQ(to_text(substitute(load(a, {I, J}), {{j.get(), int_imm(3)}})), "A[i, 3]");
}

TEST_F(Substitute, SharesUnchangedExpressions) {
  Expr e = I * 2 + K;
  EXPECT_TRUE(substitute(e, {{j.get(), int_imm(0)}}).same_as(e));
  EXPECT_TRUE(substitute(e, {}).same_as(e));
  Expr s = substitute(e, {{k.get(), int_imm(0)}});
  EXPECT_TRUE(s.as<BinaryNode>()->a.same_as(e.as<BinaryNode>()->a));  // i * 2 untouched
}

TEST_F(Substitute, RejectsAReplacementOfAnotherType) {
  Var n = make_var("n", DType::i64);
  try {
    substitute(I + 1, {{i.get(), var_expr(n)}});
    FAIL() << "expected IRError";
  } catch (const IRError& e) {
    EXPECT_NE(std::string(e.what()).find("substituting 'i' (i32) by a value of type i64"), std::string::npos)
        << e.what();
  }
}

TEST_F(Substitute, ReplacesUsesInStatementsButNotDefinitions) {
  Buffer a = make_buffer("A", DType::i32, {16});
  Stmt loop = make_for(i, 8, ForKind::Serial, store(a, I + J, {I * 2 + J}));
  Stmt out = substitute(loop, {{j.get(), int_imm(1)}, {i.get(), K}});
  const auto* f = out.as<ForNode>();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->loop_var, i);  // the definition keeps its variable
  const auto* st = f->body.as<BufferStoreNode>();
  EXPECT_EQ(to_text(st->value), "k + 1");
  EXPECT_EQ(to_text(st->indices[0]), "k * 2 + 1");
  EXPECT_TRUE(substitute(loop, {{k.get(), I}}).same_as(loop));
}

TEST_F(Substitute, ReplacesInRegions) {
  Buffer a = make_buffer("A", DType::f32, {16, 16});
  BufferRegion r{a, {{I * 4, 4}, {J, K}}};
  BufferRegion out = substitute(r, {{i.get(), J}, {k.get(), int_imm(2)}});
  EXPECT_EQ(out.buffer, a);
  EXPECT_EQ(to_text(out.region[0].min), "j * 4");
  EXPECT_EQ(to_text(out.region[0].extent), "4");
  EXPECT_EQ(to_text(out.region[1].extent), "2");
}

TEST_F(Substitute, UsesVar) {
  Expr e = select(lt(I, 4), J * 2, 0);
  EXPECT_TRUE(uses_var(e, i));
  EXPECT_TRUE(uses_var(e, j));
  EXPECT_FALSE(uses_var(e, k));
  EXPECT_FALSE(uses_var(e, make_var("i")));  // same name, another variable
  EXPECT_TRUE(uses_any_var(e, {k.get(), j.get()}));
  EXPECT_FALSE(uses_any_var(e, {k.get()}));
  EXPECT_FALSE(uses_any_var(e, {}));
}

TEST_F(Substitute, CollectVarsInOrderOfFirstAppearance) {
  Var other_i = make_var("i");
  std::vector<Var> vars = collect_vars(K + I * J + K + var_expr(other_i) + I);
  ASSERT_EQ(vars.size(), 4u);
  EXPECT_EQ(vars[0], k);
  EXPECT_EQ(vars[1], i);
  EXPECT_EQ(vars[2], j);
  EXPECT_EQ(vars[3], other_i);
  EXPECT_TRUE(collect_vars(int_imm(3) + 4).empty());
}

}  // namespace
