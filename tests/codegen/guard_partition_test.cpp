// Loop partitioning for guarded blocks (codegen/guard_partition.h): which loops are
// split and where, that the unguarded part really has no guard, and that the
// emitted code computes what the interpreter computes whatever the tail is.
#include <gtest/gtest.h>

#include "codegen/cpp_emitter.h"
#include "codegen/guard_partition.h"
#include "codegen_test_util.h"
#include "cpu_schedules.h"
#include "ir/printer.h"
#include "ir/simplify.h"
#include "ir/substitute.h"
#include "runtime/cpu_builder.h"

using namespace weft;
using namespace weft::ir;
using codegen::GuardPartition;
using test::kSixRowTile;
using test::scheduled;
using test::ve;

namespace {

// for i in range(10): for j in range(4): block where <predicate(i, j)>: out[0] = 1
struct Nest {
  Var i = make_var("i", DType::i64), j = make_var("j", DType::i64);
  Buffer out = make_buffer("out", DType::f32, {1});
  Stmt loop(const Expr& predicate, ForKind inner = ForKind::Serial) const {
    Stmt block = make_block_realize({}, predicate,
                                    make_block("b", {}, {}, {full_region(out)}, store(out, float_imm(1), {int_imm(0)})));
    return make_for(i, int_imm(10, DType::i64), ForKind::Serial, make_for(j, int_imm(4, DType::i64), inner, block));
  }
  Expr c(int64_t v) const { return int_imm(v, DType::i64); }
};

std::optional<GuardPartition> partition_of(const Stmt& s) {
  return codegen::partition_guards(*s.as<ForNode>(), {});
}

int64_t constant_split(const GuardPartition& p) {
  int64_t v = -1;
  EXPECT_TRUE(is_const_int(simplify(p.split), &v)) << to_text(p.split);
  return v;
}

}  // namespace

TEST(GuardPartition, PrefixOfALinearGuardWithTheInnerLoopAtItsWorst) {
  Nest n;
  // i*2 + j < 15 for every j in [0, 4) exactly when i*2 + 3 <= 14, i.e. i <= 5.
  auto p = partition_of(n.loop(lt(ve(n.i) * n.c(2) + ve(n.j), n.c(15))));
  ASSERT_TRUE(p);
  EXPECT_EQ(constant_split(*p), 6);
  EXPECT_EQ(p->dropped.size(), 1u);
  // The same bound written the other way round and with <=.
  p = partition_of(n.loop(ge(n.c(14), ve(n.i) * n.c(2) + ve(n.j))));
  ASSERT_TRUE(p);
  EXPECT_EQ(constant_split(*p), 6);
  // Clamped to the loop: a guard that always holds gives the whole loop, one that
  // never holds none of it.
  p = partition_of(n.loop(lt(ve(n.i) + ve(n.j), n.c(100))));
  ASSERT_TRUE(p);
  EXPECT_EQ(constant_split(*p), 10);
  p = partition_of(n.loop(lt(ve(n.i) + ve(n.j), n.c(-5))));
  ASSERT_TRUE(p);
  EXPECT_EQ(constant_split(*p), 0);
}

TEST(GuardPartition, ConjunctionsTakeTheSmallestPrefix) {
  Nest n;
  auto p = partition_of(n.loop(logical_and(lt(ve(n.i) + ve(n.j), n.c(9)), lt(ve(n.i) * n.c(3), n.c(12)))));
  ASSERT_TRUE(p);
  EXPECT_EQ(constant_split(*p), 4);  // i*3 < 12: i <= 3 (the other allows i <= 5)
}

TEST(GuardPartition, GuardsOfOtherFormsAreLeftAlone) {
  Nest n;
  // Holds on a suffix of i.
  EXPECT_FALSE(partition_of(n.loop(gt(ve(n.i), n.c(3)))));
  // Not linear in i.
  EXPECT_FALSE(partition_of(n.loop(lt(floormod(ve(n.i), n.c(3)) + ve(n.j), n.c(4)))));
  // Not a comparison.
  EXPECT_FALSE(partition_of(n.loop(ne(ve(n.i), n.c(3)))));
  // Involves only the inner serial loop j: j's own partition handles it.
  EXPECT_FALSE(partition_of(n.loop(lt(ve(n.j), n.c(3)))));
  // ... but an inner unrolled loop is taken at its worst: all of i or none of it.
  auto p = partition_of(n.loop(lt(ve(n.j), n.c(3)), ForKind::Unrolled));
  ASSERT_TRUE(p);
  EXPECT_EQ(constant_split(*p), 0);
}

TEST(GuardPartition, OuterVariablesGiveARunTimeSplit) {
  Nest n;
  Var o = make_var("o", DType::i64);
  auto p = partition_of(n.loop(lt(ve(o) * n.c(20) + ve(n.i) * n.c(2) + ve(n.j), n.c(31))));
  ASSERT_TRUE(p);
  // o = 0: i*2 + 3 <= 30, i <= 13, the whole loop; o = 1: i*2 + 23 <= 30, i <= 3.
  GuardPartition at0{substitute(p->split, {{o.get(), n.c(0)}}), {}}, at1{substitute(p->split, {{o.get(), n.c(1)}}), {}};
  EXPECT_EQ(constant_split(at0), 10);
  EXPECT_EQ(constant_split(at1), 4);
}

TEST(GuardPartition, TheRegisterTileOfANonDivisibleSplitRunsUnguarded) {
  PrimFunc f = scheduled("matmul:M=50,N=32,K=16", kSixRowTile);
  std::string code = codegen::emit_cpp(f, "gemm");
  size_t head = code.find("v_i_1 < t_i_1_unguarded;");
  size_t tail = code.find("v_i_1 = t_i_1_unguarded;");
  ASSERT_NE(head, std::string::npos) << code;
  ASSERT_NE(tail, std::string::npos) << code;
  // Rows 0..24 and 25..49 in two halves of 5 tiles (30 rows): 4 full tiles each.
  EXPECT_NE(code.find("const int64_t t_i_1_unguarded = "), std::string::npos);
  std::string unguarded = code.substr(head, tail - head), guarded = code.substr(tail);
  EXPECT_EQ(unguarded.find("if ("), std::string::npos) << unguarded;
  EXPECT_NE(guarded.find("< 50L"), std::string::npos) << guarded;
}

TEST(GuardPartition, CompiledTilesMatchTheInterpreterWhateverTheTail) {
  // 48: no guard at all; 50 and 45: a partial last tile per half; 7: fewer rows
  // than one tile per half; 1: one row.
  for (int m : {48, 50, 45, 7, 1}) {
    std::string name = "gemm_" + std::to_string(m);
    PrimFunc f = scheduled("matmul:M=" + std::to_string(m) + ",N=32,K=16", kSixRowTile);
    auto module = runtime::CpuBuilder().build({{name, f}});
    EXPECT_EQ(test::compare_with_interpreter(module->get_function(name)), "") << "M = " << m;
  }
}
