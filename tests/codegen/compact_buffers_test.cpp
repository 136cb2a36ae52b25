// Buffer compaction (codegen/compact_buffers.h): cache stages shrink to the tile
// they hold and move inside the loop that uses them; every program computes what
// it computed before (interpreter and compiled code), on hand-written schedules
// and on random ones.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "codegen/compact_buffers.h"
#include "codegen/cpp_emitter.h"
#include "codegen_test_util.h"
#include "cpu_schedules.h"
#include "ir/functor.h"
#include "ir/printer.h"
#include "ir/workload.h"
#include "runtime/cpu_builder.h"
#include "schedule/random_schedule.h"
#include "schedule/replay.h"

using namespace weft;
using namespace weft::ir;

namespace {

using test::scheduled;

// Where a buffer is allocated: the buffer and the loop variables around the
// allocating block, outermost first.
struct Allocation {
  Buffer buffer;
  std::string block;
  std::vector<std::string> loops;
};

std::vector<Allocation> allocations(const PrimFunc& func) {
  struct Finder : IRVisitor {
    std::vector<std::string> loops;
    std::vector<Allocation> found;
    void visit(const ForNode& n, const Stmt& s) override {
      loops.push_back(n.loop_var->name);
      IRVisitor::visit(n, s);
      loops.pop_back();
    }
    void visit_block(const BlockNode& b) override {
      for (const Buffer& a : b.alloc_buffers) found.push_back({a, b.name, loops});
      IRVisitor::visit_block(b);
    }
  } f;
  f.visit_stmt(func->body);
  return f.found;
}

Allocation allocation_of(const PrimFunc& func, const std::string& name) {
  for (const Allocation& a : allocations(func))
    if (a.buffer->name == name) return a;
  ADD_FAILURE() << "no allocation of " << name << " in\n" << to_text(func);
  return {};
}

// Runs both functions in the interpreter on the same inputs; "" when all outputs
// are bitwise equal (compaction changes no arithmetic).
std::string interpreted_difference(const PrimFunc& a, const PrimFunc& b, uint64_t seed) {
  std::vector<NDArray> x = test::random_args(a, seed), y = x;
  interpret(a, test::pointers(x));
  interpret(b, test::pointers(y));
  for (size_t i = 0; i < x.size(); ++i) {
    Comparison c = compare(x[i], y[i], 0, 0);
    if (!c.ok) return "parameter " + a->params[i]->name + ": " + c.message;
  }
  return "";
}

// Random schedules biased toward what compaction is for: tiles, a cache stage or
// two, then compute locations for the blocks (cache copies included), then any
// other random steps. Uses the steps of the schedule property test by name.
void apply_cache_stage_steps(sched::Schedule& sch, Rng& rng) {
  static const std::vector<sched::testing::NamedStep> all = sched::testing::random_steps();
  auto step = [&](const std::string& name) {
    for (const auto& s : all)
      if (s.name == name) return s.step(sch, rng);
    ADD_FAILURE() << "no random step named " << name;
    return false;
  };
  for (int n = static_cast<int>(rng.uniform_int(0, 2)); n > 0; --n) step("split");
  if (rng.uniform_int(0, 1)) step("reorder");
  for (int n = static_cast<int>(rng.uniform_int(1, 2)); n > 0; --n) step("cache");
  for (int n = static_cast<int>(rng.uniform_int(1, 3)); n > 0; --n)
    step(rng.uniform_int(0, 1) ? "compute_location" : "reverse_compute_at");
  sched::testing::apply_random_steps(sch, rng, 3);
}

const char* kTiled = R"(c = get_block("C")
i, j, k = get_loops(c)
i0, i1 = split(i, [None, 4])
j0, j1 = split(j, [None, 16])
reorder(i0, j0, k, i1, j1)
)";

}  // namespace

TEST(CompactBuffers, AccumulatorOfCacheWriteBecomesTheRegisterTile) {
  PrimFunc f = scheduled("matmul:M=32,N=64,K=24", std::string(kTiled) + R"(cw = cache_write(c, 0, "local")
reverse_compute_at(cw, j0)
)");
  EXPECT_EQ(allocation_of(f, "C_local").buffer->shape, (std::vector<int64_t>{32, 64}));
  PrimFunc g = codegen::compact_buffers(f);
  Allocation a = allocation_of(g, "C_local");
  EXPECT_EQ(a.buffer->shape, (std::vector<int64_t>{4, 16}));
  EXPECT_EQ(a.block, "alloc_C_local");
  EXPECT_EQ(a.loops, (std::vector<std::string>{"i_0", "j_0"}));
  EXPECT_EQ(interpreted_difference(f, g, 1), "");
}

TEST(CompactBuffers, PackedTileOfCacheReadIsTileSized) {
  // B (read 2 of C, after C itself and A) is read as a 24 x 16 panel per j0
  // iteration; the copy fills it first.
  PrimFunc f = scheduled("matmul:M=32,N=64,K=24", std::string(kTiled) + R"(cr = cache_read(c, 2, "global")
compute_at(cr, j0)
)");
  PrimFunc g = codegen::compact_buffers(f);
  Allocation a = allocation_of(g, "B_global");
  EXPECT_EQ(a.buffer->shape, (std::vector<int64_t>{24, 16}));
  EXPECT_EQ(a.loops, (std::vector<std::string>{"i_0", "j_0"}));
  EXPECT_EQ(interpreted_difference(f, g, 2), "");
}

TEST(CompactBuffers, CacheReadAtTheReductionLoopShrinksBothDimensions) {
  PrimFunc f = scheduled("matmul:M=32,N=64,K=24", std::string(kTiled) + R"(k0, k1 = split(k, [None, 8])
cr = cache_read(c, 1, "local")
compute_at(cr, k0)
)");
  PrimFunc g = codegen::compact_buffers(f);
  Allocation a = allocation_of(g, "A_local");
  EXPECT_EQ(a.buffer->shape, (std::vector<int64_t>{4, 8}));
  EXPECT_EQ(a.loops, (std::vector<std::string>{"i_0", "j_0", "k_0"}));
  EXPECT_EQ(interpreted_difference(f, g, 3), "");
}

TEST(CompactBuffers, WholeGemmScheduleCompilesAndMatches) {
  // The shape of examples/schedules/matmul_1024.sched at a small size: packed B
  // panel, register accumulator with a separate init, vectorised and unrolled.
  PrimFunc f = scheduled("matmul:M=48,N=64,K=40", R"(c = get_block("C")
i, j, k = get_loops(c)
i0, i1, i2 = split(i, [2, None, 4])
j0, j1 = split(j, [None, 16])
reorder(i0, j0, i1, k, i2, j1)
bp = cache_read(c, 2, "global")
compute_at(bp, j0)
cw = cache_write(c, 0, "local")
reverse_compute_at(cw, i1)
init = decompose_reduction(c, k)
parallel(i0)
unroll(i2)
vectorize(j1)
)");
  PrimFunc g = codegen::compact_buffers(f);
  EXPECT_EQ(allocation_of(g, "C_local").buffer->shape, (std::vector<int64_t>{4, 16}));
  EXPECT_EQ(allocation_of(g, "B_global").buffer->shape, (std::vector<int64_t>{40, 16}));
  EXPECT_EQ(interpreted_difference(f, g, 4), "");
  auto module = runtime::CpuBuilder().build({{"gemm", f}});
  EXPECT_EQ(test::compare_with_interpreter(module->get_function("gemm")), "");
  // The emitted accumulator is a small stack array.
  std::string code = codegen::emit_cpp(f, "gemm");
  EXPECT_NE(code.find("alignas(64) float b_C_local[64];"), std::string::npos) << code;
}

TEST(CompactBuffers, RegisterTileOfANonDivisibleSplitKeepsItsFullWidth) {
  // 6 rows do not divide 50: the last tile of each half is cut by the buffer's
  // edge and guarded. The accumulator is still one full 6 x 16 tile per row tile
  // (clamping its region would make its height depend on i1).
  PrimFunc f = scheduled("matmul:M=50,N=32,K=16", test::kSixRowTile);
  PrimFunc g = codegen::compact_buffers(f);
  Allocation a = allocation_of(g, "C_local");
  EXPECT_EQ(a.buffer->shape, (std::vector<int64_t>{6, 16}));
  EXPECT_EQ(a.loops, (std::vector<std::string>{"i_0", "j_0", "i_1"}));
  EXPECT_EQ(interpreted_difference(f, g, 5), "");
  auto module = runtime::CpuBuilder().build({{"gemm", f}});
  EXPECT_EQ(test::compare_with_interpreter(module->get_function("gemm")), "");
}

TEST(CompactBuffers, RegisterTileUnderAFusedParallelLoopIsCompacted) {
  // The parallel postprocessor fuses i0 and j0: the tile's row is i0j0 // 2 * 18
  // + i1 * 6 and its column i0j0 % 2 * 16. Instances differ in one of the two
  // digits, so the accumulator still moves inside i1 (before, only affine
  // minimums counted, and a guarded 6-row tile kept a C-sized buffer).
  // kSixRowTile with three row blocks, fused with j0 into the parallel loop.
  PrimFunc f = scheduled("matmul:M=50,N=32,K=16", test::six_row_tile(3, true));
  PrimFunc g = codegen::compact_buffers(f);
  Allocation a = allocation_of(g, "C_local");
  EXPECT_EQ(a.buffer->shape, (std::vector<int64_t>{6, 16})) << to_text(g);
  EXPECT_EQ(a.loops, (std::vector<std::string>{"i_0_j_0_fused", "i_1"})) << to_text(g);
  EXPECT_EQ(interpreted_difference(f, g, 5), "");
  auto module = runtime::CpuBuilder().build({{"gemm", f}});
  EXPECT_EQ(test::compare_with_interpreter(module->get_function("gemm")), "");
}

TEST(CompactBuffers, OneDigitOfAFusedLoopDoesNotSeparateInstances) {
  // acc[f // 3 * 2 + i] accumulates over the three values of f % 3 that share
  // f // 3: instances of f's body overlap, so acc stays at the root.
  Buffer a = make_buffer("A", DType::f32, {6, 2}), out = make_buffer("Out", DType::f32, {2, 2});
  Buffer acc = make_buffer("acc", DType::f32, {4});
  Var f = make_var("f"), i1 = make_var("i1"), i2 = make_var("i2"), i3 = make_var("i3");
  auto e = [](const Var& v) { return var_expr(v); };
  auto at = [&](const Var& i) { return floordiv(e(f), int_imm(3)) * int_imm(2) + e(i); };
  Stmt zero = make_for(i1, int_imm(2), ForKind::Serial, store(acc, float_imm(0), {at(i1)}));
  Stmt add = make_for(i2, int_imm(2), ForKind::Serial, store(acc, load(acc, {at(i2)}) + load(a, {e(f), e(i2)}), {at(i2)}));
  Stmt put = make_for(i3, int_imm(2), ForKind::Serial,
                      store(out, load(acc, {at(i3)}), {floordiv(e(f), int_imm(3)), e(i3)}));
  Stmt body = make_for(f, int_imm(6), ForKind::Serial,
                       seq({if_then_else(eq(floormod(e(f), int_imm(3)), int_imm(0)), zero), add, put}));
  PrimFunc func = make_func_with_root("digit_sum", {a, out}, body, {acc});
  EXPECT_EQ(to_text(codegen::compact_buffers(func)), to_text(func));
}

TEST(CompactBuffers, AccumulationAcrossIterationsStaysOutside) {
  // acc carries a running sum across iterations of `o`: allocating it inside `o`
  // would restart it, so it must stay at the root at full size.
  Buffer a = make_buffer("A", DType::f32, {3, 4}), out = make_buffer("Out", DType::f32, {3, 4});
  Buffer acc = make_buffer("acc", DType::f32, {4});
  Var o = make_var("o"), i1 = make_var("i1"), i2 = make_var("i2"), i3 = make_var("i3");
  auto e = [](const Var& v) { return var_expr(v); };
  Stmt zero = make_for(i1, int_imm(4), ForKind::Serial, store(acc, float_imm(0), {e(i1)}));
  Stmt add = make_for(i2, int_imm(4), ForKind::Serial,
                      store(acc, load(acc, {e(i2)}) + load(a, {e(o), e(i2)}), {e(i2)}));
  Stmt put = make_for(i3, int_imm(4), ForKind::Serial, store(out, load(acc, {e(i3)}), {e(o), e(i3)}));
  Stmt body = make_for(o, int_imm(3), ForKind::Serial, seq({if_then_else(eq(e(o), int_imm(0)), zero), add, put}));
  PrimFunc f = make_func_with_root("running_sum", {a, out}, body, {acc});
  PrimFunc g = codegen::compact_buffers(f);
  EXPECT_EQ(to_text(g), to_text(f));
}

TEST(CompactBuffers, BufferIndexedThroughALoadIsLeftAlone) {
  Buffer idx = make_buffer("Idx", DType::i32, {4}), out = make_buffer("Out", DType::f32, {4});
  Buffer tmp = make_buffer("tmp", DType::f32, {8});
  Var t = make_var("t"), i = make_var("i"), j = make_var("j");
  Stmt body = make_for(
      t, int_imm(2), ForKind::Serial,
      seq({make_for(i, int_imm(8), ForKind::Serial, store(tmp, cast(DType::f32, var_expr(i)), {var_expr(i)})),
           make_for(j, int_imm(4), ForKind::Serial,
                    store(out, load(tmp, {floormod(load(idx, {var_expr(j)}), int_imm(8))}), {var_expr(j)}))}));
  PrimFunc f = make_func_with_root("gather", {idx, out}, body, {tmp});
  EXPECT_EQ(to_text(codegen::compact_buffers(f)), to_text(f));
}

TEST(CompactBuffers, RandomSchedulesComputeTheSameInTheInterpreter) {
  Rng rng(20261122);
  auto ops = list_ops();
  int compacted = 0, moved = 0, cases = 0;
  for (int n = 0; n < 400; ++n) {
    std::string spec = sched::testing::random_spec(ops[n % ops.size()], rng);
    if (spec.empty()) continue;
    Workload w = make_workload(spec);
    sched::Schedule sch(w.func, rng.next_u64());
    if (n % 2)
      sched::testing::apply_random_steps(sch, rng, 8);
    else
      apply_cache_stage_steps(sch, rng);
    PrimFunc f = sch.func(), g = codegen::compact_buffers(f);
    ++cases;
    if (to_text(g) != to_text(f)) ++compacted;
    for (const Allocation& a : allocations(g))
      if (!a.loops.empty()) {
        ++moved;
        break;
      }
    std::string diff = interpreted_difference(f, g, n);
    EXPECT_EQ(diff, "") << spec << "\n" << sch.trace().to_text() << to_text(f) << "\ncompacted:\n" << to_text(g);
    if (!diff.empty()) break;
  }
  EXPECT_GE(cases, 350);
  // The biased half really exercises the pass: many programs change.
  EXPECT_GE(compacted, 60) << "only " << compacted << " of " << cases << " programs were compacted";
  EXPECT_GE(moved, 30) << "only " << moved << " of " << cases << " programs allocate inside a loop";
  std::cout << compacted << " of " << cases << " programs compacted, " << moved << " allocate inside a loop\n";
}

TEST(CompactBuffers, RandomSchedulesCompileAndMatchTheInterpreter) {
  Rng rng(99);
  auto ops = list_ops();
  std::vector<std::pair<std::string, PrimFunc>> funcs;
  std::vector<std::string> traces;
  for (int n = 0; n < 120; ++n) {
    std::string spec = sched::testing::random_spec(ops[n % ops.size()], rng);
    if (spec.empty()) continue;
    sched::Schedule sch(make_workload(spec).func, rng.next_u64());
    apply_cache_stage_steps(sch, rng);
    funcs.push_back({"case" + std::to_string(n), sch.func()});
    traces.push_back(spec + "\n" + sch.trace().to_text());
  }
  std::vector<runtime::NamedFunc> named(funcs.begin(), funcs.end());
  auto module = runtime::CpuBuilder().build(named);
  int failures = 0;
  for (size_t i = 0; i < funcs.size() && failures < 3; ++i) {
    std::string diff = test::compare_with_interpreter(module->get_function(funcs[i].first), i);
    if (!diff.empty()) ++failures;
    EXPECT_EQ(diff, "") << traces[i];
  }
}

TEST(CompactBuffers, ExampleGemmScheduleGetsARegisterTileAndAPackedPanel) {
  // examples/schedules/matmul_1024.sched at a size that compiles and runs fast.
  std::ifstream in(std::string(WEFT_SOURCE_DIR) + "/examples/schedules/matmul_1024.sched");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  PrimFunc f = scheduled("matmul:M=64,N=48,K=512", text.str());
  PrimFunc g = codegen::compact_buffers(f);
  Allocation acc = allocation_of(g, "C_local"), panel = allocation_of(g, "B_global");
  EXPECT_EQ(acc.buffer->shape, (std::vector<int64_t>{4, 16}));
  EXPECT_EQ(acc.loops, (std::vector<std::string>{"i_0", "j_0", "i_1"}));
  EXPECT_EQ(panel.buffer->shape, (std::vector<int64_t>{512, 16}));
  EXPECT_EQ(panel.loops, (std::vector<std::string>{"i_0", "j_0"}));
  // The micro-kernel: one broadcast of A and 8-lane loads of the packed panel,
  // accumulating into the stack tile; no scalar fallback.
  std::string code = codegen::emit_cpp(f, "gemm");
  EXPECT_NE(code.find("alignas(64) float b_C_local[64];"), std::string::npos) << code;
  EXPECT_NE(code.find("wrt::bcast<wrt::f32x8>(b_A["), std::string::npos) << code;
  EXPECT_NE(code.find("wrt::loadu<wrt::f32x8>(b_B_global + "), std::string::npos) << code;
  EXPECT_EQ(code.find("runs as scalar code"), std::string::npos) << code;
  auto module = runtime::CpuBuilder().build({{"gemm", f}});
  EXPECT_EQ(test::compare_with_interpreter(module->get_function("gemm")), "");
}
