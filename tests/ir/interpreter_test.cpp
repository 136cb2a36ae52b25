// The reference interpreter against plain C++ loops: TensorIR block semantics
// (bindings, predicates, init, allocations), arithmetic and rounding rules, and
// the errors it reports.
#include "ir/interpreter.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <string>

#include "support/error.h"

using namespace weft;
using namespace weft::ir;

namespace {

Expr v(const Var& x) { return var_expr(x); }

// for i in range(n): block `name` (vi = i, domain [0, dom)): body(vi)
Stmt loop_block(const std::string& name, int64_t n, const std::function<Stmt(Expr)>& body, int64_t dom = -1,
                ForKind kind = ForKind::Serial) {
  Var i = make_var("i"), vi = make_var("vi");
  Block b = make_block(name, {{vi, {0, int_imm(dom < 0 ? n : dom)}, IterKind::Spatial}}, {}, {}, body(v(vi)));
  return make_for(i, int_imm(n), kind, make_block_realize({v(i)}, bool_imm(true), b));
}

NDArray filled(DType t, std::vector<int64_t> shape, const std::vector<double>& values) {
  NDArray a(t, std::move(shape));
  for (size_t k = 0; k < values.size(); ++k) a.set(static_cast<int64_t>(k), values[k]);
  return a;
}

void expect_same(const NDArray& expected, const NDArray& actual, double rtol = 0, double atol = 0) {
  Comparison c = compare(expected, actual, rtol, atol);
  EXPECT_TRUE(c.ok) << c.message;
}

template <typename E>
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "<no error>";
}

bool contains(const std::string& text, const std::string& fragment) { return text.find(fragment) != std::string::npos; }

// C[i, j] = sum_k A[i, vk - kmin] * B[vk - kmin, j], vk in [kmin, kmin + K).
PrimFunc make_matmul(int64_t M, int64_t N, int64_t K, DType t, int64_t kmin = 0) {
  Buffer A = make_buffer("A", t, {M, K}), B = make_buffer("B", t, {K, N}), C = make_buffer("C", t, {M, N});
  Var i = make_var("i"), j = make_var("j"), k = make_var("k");
  Var vi = make_var("vi"), vj = make_var("vj"), vk = make_var("vk");
  Expr kk = v(vk) - int_imm(kmin);
  Block blk = make_block("C",
                         {{vi, {0, int_imm(M)}, IterKind::Spatial},
                          {vj, {0, int_imm(N)}, IterKind::Spatial},
                          {vk, {int_imm(kmin), int_imm(K)}, IterKind::Reduce}},
                         {full_region(A), full_region(B)}, {full_region(C)},
                         store(C, load(C, {v(vi), v(vj)}) + load(A, {v(vi), kk}) * load(B, {kk, v(vj)}), {v(vi), v(vj)}),
                         store(C, make_const(t, 0), {v(vi), v(vj)}));
  Stmt body = make_block_realize({v(i), v(j), v(k) + int_imm(kmin)}, bool_imm(true), blk);
  body = make_for(k, int_imm(K), ForKind::Serial, body);
  body = make_for(j, int_imm(N), ForKind::Serial, body);
  body = make_for(i, int_imm(M), ForKind::Serial, body);
  return make_func_with_root("matmul", {A, B, C}, body);
}

NDArray reference_matmul(const NDArray& a, const NDArray& b) {
  int64_t M = a.shape()[0], K = a.shape()[1], N = b.shape()[1];
  NDArray c(DType::f32, {M, N});
  const float* pa = static_cast<const float*>(a.data());
  const float* pb = static_cast<const float*>(b.data());
  float* pc = static_cast<float*>(c.data());
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      float acc = 0;
      for (int64_t k = 0; k < K; ++k) acc += pa[i * K + k] * pb[k * N + j];
      pc[i * N + j] = acc;
    }
  return c;
}

void check_matmul(int64_t M, int64_t N, int64_t K, int64_t kmin) {
  Rng rng(11);
  NDArray a = NDArray::random(DType::f32, {M, K}, rng), b = NDArray::random(DType::f32, {K, N}, rng);
  NDArray c(DType::f32, {M, N});
  for (int64_t x = 0; x < c.size(); ++x) c.set(x, 100);  // init must overwrite this
  interpret(make_matmul(M, N, K, DType::f32, kmin), {&a, &b, &c});
  Comparison cmp = compare(reference_matmul(a, b), c);
  EXPECT_TRUE(cmp.ok) << cmp.message;
}

}  // namespace

TEST(Interpreter, ElementwiseAdd) {
  Buffer A = make_buffer("A", DType::f32, {8, 6}), B = make_buffer("B", DType::f32, {8, 6});
  Buffer C = make_buffer("C", DType::f32, {8, 6});
  Var i = make_var("i"), j = make_var("j"), vi = make_var("vi"), vj = make_var("vj");
  Block blk = make_block("C", {{vi, {0, 8}, IterKind::Spatial}, {vj, {0, 6}, IterKind::Spatial}},
                         {full_region(A), full_region(B)}, {full_region(C)},
                         store(C, load(A, {v(vi), v(vj)}) + load(B, {v(vi), v(vj)}), {v(vi), v(vj)}));
  Stmt body = make_for(i, 8, ForKind::Serial,
                       make_for(j, 6, ForKind::Serial, make_block_realize({v(i), v(j)}, bool_imm(true), blk)));
  PrimFunc f = make_func_with_root("add", {A, B, C}, body);
  Rng rng(1);
  NDArray a = NDArray::random(DType::f32, {8, 6}, rng), b = NDArray::random(DType::f32, {8, 6}, rng);
  NDArray c(DType::f32, {8, 6}), want(DType::f32, {8, 6});
  interpret(f, {&a, &b, &c});
  for (int64_t x = 0; x < 48; ++x)
    static_cast<float*>(want.data())[x] = static_cast<const float*>(a.data())[x] + static_cast<const float*>(b.data())[x];
  expect_same(want, c);
}

TEST(Interpreter, MatmulWithReduceIteratorAndInit) { check_matmul(16, 12, 8, 0); }

// The init runs when every reduce iterator equals its domain min, not zero.
TEST(Interpreter, InitRunsAtTheReduceDomainMin) { check_matmul(5, 7, 9, 3); }

TEST(Interpreter, Matmul128AgainstPlainLoops) { check_matmul(128, 128, 128, 0); }

// A non-divisible split: 3 x 4 loop points cover 10 elements, guarded by i*4+j < 10.
TEST(Interpreter, PredicateSkipsOutOfRangePoints) {
  Buffer A = make_buffer("A", DType::f32, {10}), B = make_buffer("B", DType::f32, {10});
  Var i = make_var("i"), j = make_var("j"), vx = make_var("vx");
  Expr x = v(i) * 4 + v(j);
  auto build = [&](Expr predicate) {
    Block blk = make_block("B", {{vx, {0, 10}, IterKind::Spatial}}, {full_region(A)}, {full_region(B)},
                           store(B, load(A, {v(vx)}) + float_imm(1.0), {v(vx)}));
    Stmt body = make_for(i, 3, ForKind::Serial, make_for(j, 4, ForKind::Serial, make_block_realize({x}, predicate, blk)));
    return make_func_with_root("split", {A, B}, body);
  };
  Rng rng(2);
  NDArray a = NDArray::random(DType::f32, {10}, rng), b(DType::f32, {10});
  interpret(build(lt(x, 10)), {&a, &b});
  for (int64_t k = 0; k < 10; ++k) EXPECT_EQ(b.get(k), static_cast<float>(a.get(k) + 1.0f)) << k;
  // Without the predicate, point (2, 2) binds vx = 10, outside the domain.
  std::string msg = error_of<RuntimeError>([&] { interpret(build(bool_imm(true)), {&a, &b}); });
  EXPECT_TRUE(contains(msg, "block 'B': iterator 'vx' bound to 10, outside its domain [0, 10)")) << msg;
}

TEST(Interpreter, IntermediateBufferInRootBlock) {
  Buffer A = make_buffer("A", DType::f32, {6}), B = make_buffer("B", DType::f32, {6});
  Buffer T = make_buffer("T", DType::f32, {6});
  Stmt produce = loop_block("T", 6, [&](Expr x) { return store(T, load(A, {x}) * float_imm(2.0), {x}); });
  Stmt consume = loop_block("B", 6, [&](Expr x) { return store(B, load(T, {x}) + float_imm(1.0), {x}); });
  PrimFunc f = make_func_with_root("two_stage", {A, B}, seq({produce, consume}), {T});
  NDArray a = filled(DType::f32, {6}, {0, 1, -2, 3.5, 4, -0.25}), b(DType::f32, {6});
  interpret(f, {&a, &b});
  expect_same(filled(DType::f32, {6}, {1, 3, -3, 8, 9, 0.5}), b);
}

// A buffer allocated by a block is zero-filled every time the block is entered.
TEST(Interpreter, BlockAllocationsAreZeroedOnEntry) {
  Buffer A = make_buffer("A", DType::f32, {5}), B = make_buffer("B", DType::f32, {5});
  Buffer L = make_buffer("L", DType::f32, {1}, "local");
  Var i = make_var("i"), vi = make_var("vi");
  Stmt body = seq({store(L, load(L, {0}) + load(A, {v(vi)}), {0}), store(B, load(L, {0}), {v(vi)})});
  Block blk = make_block("acc", {{vi, {0, 5}, IterKind::Spatial}}, {}, {}, body, Stmt(), {L});
  PrimFunc f = make_func_with_root("f", {A, B}, make_for(i, 5, ForKind::Serial, make_block_realize({v(i)}, bool_imm(true), blk)));
  NDArray a = filled(DType::f32, {5}, {1, 2, 3, 4, 5}), b(DType::f32, {5});
  interpret(f, {&a, &b});
  expect_same(a, b);  // a running sum would mean L kept its value
}

TEST(Interpreter, EveryLoopKindRunsSerially) {
  const std::pair<ForKind, std::string> kinds[] = {{ForKind::Serial, ""},
                                                   {ForKind::Parallel, ""},
                                                   {ForKind::Vectorized, ""},
                                                   {ForKind::Unrolled, ""},
                                                   {ForKind::ThreadBinding, "threadIdx.x"}};
  for (const auto& [kind, tag] : kinds) {
    Buffer A = make_buffer("A", DType::f32, {7}), B = make_buffer("B", DType::f32, {7});
    Var i = make_var("i"), vi = make_var("vi");
    Block blk = make_block("B", {{vi, {0, 7}, IterKind::Spatial}}, {}, {},
                           store(B, load(A, {v(vi)}) * load(A, {v(vi)}), {v(vi)}));
    Stmt body = make_for(i, 7, kind, make_block_realize({v(i)}, bool_imm(true), blk), tag);
    NDArray a = filled(DType::f32, {7}, {0, 1, 2, 3, -4, 5, 6}), b(DType::f32, {7});
    interpret(make_func_with_root("sq", {A, B}, body), {&a, &b});
    expect_same(filled(DType::f32, {7}, {0, 1, 4, 9, 16, 25, 36}), b);
  }
}

TEST(Interpreter, LoopExtentMayDependOnOuterLoops) {
  Buffer B = make_buffer("B", DType::i32, {4, 4});
  Var i = make_var("i"), j = make_var("j"), vi = make_var("vi"), vj = make_var("vj");
  Block blk = make_block("B", {{vi, {0, 4}, IterKind::Spatial}, {vj, {0, 4}, IterKind::Spatial}}, {}, {},
                         store(B, int_imm(1), {v(vi), v(vj)}));
  Stmt body = make_for(i, 4, ForKind::Serial,
                       make_for(j, v(i) + 1, ForKind::Serial, make_block_realize({v(i), v(j)}, bool_imm(true), blk)));
  NDArray b(DType::i32, {4, 4});
  interpret(make_func_with_root("tri", {B}, body), {&b});
  for (int64_t r = 0; r < 4; ++r)
    for (int64_t c = 0; c < 4; ++c) EXPECT_EQ(b.get(r * 4 + c), c <= r ? 1 : 0) << r << "," << c;
}

TEST(Interpreter, IfThenElse) {
  Buffer B = make_buffer("B", DType::f32, {5});
  Stmt body = loop_block("B", 5, [&](Expr x) {
    return if_then_else(lt(x, 2), store(B, float_imm(1.0), {x}), store(B, float_imm(2.0), {x}));
  });
  NDArray b(DType::f32, {5});
  interpret(make_func_with_root("f", {B}, body), {&b});
  expect_same(filled(DType::f32, {5}, {1, 1, 2, 2, 2}), b);
}

TEST(Interpreter, FloorDivAndFloorModRoundTowardNegativeInfinity) {
  Buffer X = make_buffer("X", DType::i32, {6}), Y = make_buffer("Y", DType::i32, {6});
  Buffer Q = make_buffer("Q", DType::i32, {6}), R = make_buffer("R", DType::i32, {6});
  Stmt body = loop_block("QR", 6, [&](Expr x) {
    return seq({store(Q, floordiv(load(X, {x}), load(Y, {x})), {x}), store(R, floormod(load(X, {x}), load(Y, {x})), {x})});
  });
  PrimFunc f = make_func_with_root("divmod", {X, Y, Q, R}, body);
  NDArray x = filled(DType::i32, {6}, {-7, 7, -7, 7, -6, 0}), y = filled(DType::i32, {6}, {2, -2, -2, 2, 3, -5});
  NDArray q(DType::i32, {6}), r(DType::i32, {6});
  interpret(f, {&x, &y, &q, &r});
  expect_same(filled(DType::i32, {6}, {-4, -4, 3, 3, -2, 0}), q);
  expect_same(filled(DType::i32, {6}, {1, -1, -1, 1, 0, 0}), r);

  y.set(3, 0);
  std::string msg = error_of<RuntimeError>([&] { interpret(f, {&x, &y, &q, &r}); });
  EXPECT_TRUE(contains(msg, "integer division by zero: 7 // 0 (in block 'QR')")) << msg;
}

TEST(Interpreter, IntegerArithmeticWrapsToItsType) {
  Buffer X = make_buffer("X", DType::i32, {2}), W = make_buffer("W", DType::i64, {2});
  Buffer S = make_buffer("S", DType::i8, {2});
  Stmt body = loop_block("W", 2, [&](Expr x) {
    return seq({store(W, cast(DType::i64, load(X, {x}) * load(X, {x})), {x}),
                store(S, cast(DType::i8, load(X, {x})) + int_imm(100, DType::i8), {x})});
  });
  NDArray x = filled(DType::i32, {2}, {65536, 100}), w(DType::i64, {2}), s(DType::i8, {2});
  interpret(make_func_with_root("wrap", {X, W, S}, body), {&x, &w, &s});
  expect_same(filled(DType::i64, {2}, {0, 10000}), w);  // 2^32 wraps to 0 in i32
  expect_same(filled(DType::i8, {2}, {100, -56}), s);   // cast(i8, 65536) = 0; 100 + 100 wraps
}

TEST(Interpreter, SelectEvaluatesOnlyTheChosenBranch) {
  Buffer A = make_buffer("A", DType::f32, {4}), B = make_buffer("B", DType::f32, {8});
  Stmt body = loop_block("B", 8, [&](Expr x) {
    Expr guarded = select(lt(x, 4), load(A, {x}), float_imm(-1.0));  // A[x] is out of bounds for x >= 4
    return store(B, select(gt(guarded, float_imm(0.0)), guarded, float_imm(0.0)), {x});
  });
  NDArray a = filled(DType::f32, {4}, {1.5, -2, 0, 3}), b(DType::f32, {8});
  interpret(make_func_with_root("relu", {A, B}, body), {&a, &b});
  expect_same(filled(DType::f32, {8}, {1.5, 0, 0, 3, 0, 0, 0, 0}), b);
}

// `&&` and `||` short-circuit, so a bounds guard protects the load after it.
TEST(Interpreter, LogicShortCircuits) {
  Buffer A = make_buffer("A", DType::boolean, {3});
  Buffer B = make_buffer("B", DType::boolean, {6}), C = make_buffer("C", DType::boolean, {6});
  Stmt body = loop_block("BC", 6, [&](Expr x) {
    return seq({store(B, logical_and(lt(x, 3), load(A, {x})), {x}),
                store(C, logical_or(ge(x, 3), logical_not(load(A, {x}))), {x})});
  });
  NDArray a = filled(DType::boolean, {3}, {1, 0, 1}), b(DType::boolean, {6}), c(DType::boolean, {6});
  interpret(make_func_with_root("logic", {A, B, C}, body), {&a, &b, &c});
  expect_same(filled(DType::boolean, {6}, {1, 0, 1, 0, 0, 0}), b);
  expect_same(filled(DType::boolean, {6}, {0, 1, 0, 1, 1, 1}), c);
}

TEST(Interpreter, Casts) {
  Buffer F = make_buffer("F", DType::f32, {5}), N = make_buffer("N", DType::i32, {5});
  Buffer I = make_buffer("I", DType::i32, {5}), S = make_buffer("S", DType::i8, {5});
  Buffer Bf = make_buffer("Bf", DType::boolean, {5}), Bi = make_buffer("Bi", DType::boolean, {5});
  Buffer H = make_buffer("H", DType::f16, {5}), G = make_buffer("G", DType::f16, {5});
  Buffer D = make_buffer("D", DType::f64, {5});
  Stmt body = loop_block("cast", 5, [&](Expr x) {
    Expr f = load(F, {x}), n = load(N, {x});
    return seq({store(I, cast(DType::i32, f), {x}), store(S, cast(DType::i8, f), {x}), store(Bf, cast(DType::boolean, f), {x}),
                store(Bi, cast(DType::boolean, n), {x}), store(H, cast(DType::f16, n), {x}), store(G, cast(DType::f16, f), {x}),
                store(D, cast(DType::f64, cast(DType::boolean, n)), {x})});
  });
  PrimFunc func = make_func_with_root("casts", {F, N, I, S, Bf, Bi, H, G, D}, body);
  NDArray f = filled(DType::f32, {5}, {2.7, -2.7, 0, 200, 0.5}), n = filled(DType::i32, {5}, {2049, -3, 0, 4097, 1});
  NDArray i(DType::i32, {5}), s(DType::i8, {5}), bf(DType::boolean, {5}), bi(DType::boolean, {5});
  NDArray h(DType::f16, {5}), g(DType::f16, {5}), d(DType::f64, {5});
  interpret(func, {&f, &n, &i, &s, &bf, &bi, &h, &g, &d});
  expect_same(filled(DType::i32, {5}, {2, -2, 0, 200, 0}), i);   // truncation toward zero
  expect_same(filled(DType::i8, {5}, {2, -2, 0, -56, 0}), s);    // 200 wraps in i8
  expect_same(filled(DType::boolean, {5}, {1, 1, 0, 1, 1}), bf);
  expect_same(filled(DType::boolean, {5}, {1, 1, 0, 1, 1}), bi);
  expect_same(filled(DType::f16, {5}, {2048, -3, 0, 4096, 1}), h);  // int -> f16 rounds to nearest even
  EXPECT_EQ(g.get(0), 2.69921875);
  EXPECT_EQ(g.get(1), -2.69921875);
  expect_same(filled(DType::f64, {5}, {1, 1, 0, 1, 1}), d);
}

TEST(Interpreter, EveryIntrinsic) {
  const std::vector<double> xs = {-1.5, 0.25, 0.5, 3.0, 0.0}, ys = {2.0, 0.5, -1.0, 3.0, 2.5};
  const std::pair<Intrinsic, std::function<double(double, double)>> fns[] = {
      {Intrinsic::exp, [](double x, double) { return std::exp(x); }},
      {Intrinsic::log, [](double x, double) { return std::log(x); }},
      {Intrinsic::tanh, [](double x, double) { return std::tanh(x); }},
      {Intrinsic::erf, [](double x, double) { return std::erf(x); }},
      {Intrinsic::sqrt, [](double x, double) { return std::sqrt(x); }},
      {Intrinsic::rsqrt, [](double x, double) { return 1.0 / std::sqrt(x); }},
      {Intrinsic::sigmoid, [](double x, double) { return 1.0 / (1.0 + std::exp(-x)); }},
      {Intrinsic::abs, [](double x, double) { return std::fabs(x); }},
      {Intrinsic::pow, [](double x, double y) { return std::pow(x, y); }}};
  for (DType t : {DType::f64, DType::f32, DType::f16, DType::bf16}) {
    for (const auto& [fn, ref] : fns) {
      Buffer X = make_buffer("X", t, {5}), Y = make_buffer("Y", t, {5}), Z = make_buffer("Z", t, {5});
      Stmt body = loop_block("Z", 5, [&](Expr i) {
        std::vector<Expr> args = {load(X, {i})};
        if (intrinsic_arity(fn) == 2) args.push_back(load(Y, {i}));
        return store(Z, call(fn, args), {i});
      });
      NDArray x = filled(t, {5}, xs), y = filled(t, {5}, ys), z(t, {5}), want(t, {5});
      interpret(make_func_with_root("f", {X, Y, Z}, body), {&x, &y, &z});
      for (int64_t k = 0; k < 5; ++k) want.set(k, ref(x.get(k), y.get(k)));
      Comparison c = compare(want, z, 0, 0);  // exact: computed in double, rounded once
      EXPECT_TRUE(c.ok) << intrinsic_name(fn) << " " << dtype_name(t) << ": " << c.message;
    }
  }
}

// Every float operation rounds to the expression's dtype, not just the final store.
TEST(Interpreter, FloatOpsRoundAfterEveryOperation) {
  struct Case {
    DType t;
    double small;      // half an ulp of 1.0 in t
    double per_op;     // (1 + small) + small, rounding each op
  };
  for (const Case& c : {Case{DType::f32, 0x1p-24, 1.0}, Case{DType::f16, 0x1p-11, 1.0}, Case{DType::bf16, 0x1p-8, 1.0},
                        Case{DType::f64, 0x1p-53, 1.0}}) {
    Buffer A = make_buffer("A", c.t, {2}), B = make_buffer("B", c.t, {2});
    Stmt body = loop_block("B", 1, [&](Expr) {
      Expr one = load(A, {0}), small = load(A, {1});
      return seq({store(B, (one + small) + small, {0}), store(B, one + (small + small), {1})});
    });
    NDArray a = filled(c.t, {2}, {1.0, c.small}), b(c.t, {2});
    interpret(make_func_with_root("f", {A, B}, body), {&a, &b});
    EXPECT_EQ(b.get(0), c.per_op) << dtype_name(c.t);
    EXPECT_EQ(b.get(1), 1.0 + 2 * c.small) << dtype_name(c.t);
  }
  // Division is float division, rounded: 1/3 in f16.
  Buffer A = make_buffer("A", DType::f16, {1});
  Stmt body = loop_block("A", 1, [&](Expr x) { return store(A, float_imm(1.0, DType::f16) / float_imm(3.0, DType::f16), {x}); });
  NDArray a(DType::f16, {1});
  interpret(make_func_with_root("f", {A}, body), {&a});
  EXPECT_EQ(a.get(0), 0.333251953125);
}

TEST(Interpreter, MinMax) {
  Buffer A = make_buffer("A", DType::f32, {4}), N = make_buffer("N", DType::i32, {4});
  Buffer B = make_buffer("B", DType::f32, {4}), M = make_buffer("M", DType::i32, {4});
  Stmt body = loop_block("B", 4, [&](Expr x) {
    return seq({store(B, min(max(load(A, {x}), float_imm(-1.0)), float_imm(1.0)), {x}),
                store(M, max(min(load(N, {x}), int_imm(5)), int_imm(-5)), {x})});
  });
  NDArray a = filled(DType::f32, {4}, {-3, 0.5, 2, -1}), n = filled(DType::i32, {4}, {-9, 3, 9, 0});
  NDArray b(DType::f32, {4}), m(DType::i32, {4});
  interpret(make_func_with_root("clamp", {A, N, B, M}, body), {&a, &n, &b, &m});
  expect_same(filled(DType::f32, {4}, {-1, 0.5, 1, -1}), b);
  expect_same(filled(DType::i32, {4}, {-5, 3, 5, 0}), m);
}

TEST(Interpreter, OutOfBoundsAccessNamesBufferAndIndex) {
  Buffer A = make_buffer("A", DType::f32, {4, 3}), B = make_buffer("B", DType::f32, {5});
  Stmt body = loop_block("B", 5, [&](Expr x) { return store(B, load(A, {x, int_imm(1)}), {x}); });
  NDArray a(DType::f32, {4, 3}), b(DType::f32, {5});
  std::string msg = error_of<RuntimeError>([&] { interpret(make_func_with_root("f", {A, B}, body), {&a, &b}); });
  EXPECT_TRUE(contains(msg, "buffer 'A' accessed at index [4, 1], outside its shape [4, 3] (in block 'B')")) << msg;

  Stmt neg = loop_block("B", 5, [&](Expr x) { return store(B, float_imm(0.0), {x - 1}); });
  msg = error_of<RuntimeError>([&] { interpret(make_func_with_root("f", {A, B}, neg), {&a, &b}); });
  EXPECT_TRUE(contains(msg, "buffer 'B' accessed at index [-1]")) << msg;
}

TEST(Interpreter, IteratorOutOfDomainNamesBlockAndIterator) {
  Buffer B = make_buffer("B", DType::f32, {8});
  Stmt body = loop_block("fill", 6, [&](Expr x) { return store(B, float_imm(1.0), {x}); }, /*dom=*/4);
  NDArray b(DType::f32, {8});
  std::string msg = error_of<RuntimeError>([&] { interpret(make_func_with_root("f", {B}, body), {&b}); });
  EXPECT_TRUE(contains(msg, "block 'fill': iterator 'vi' bound to 4, outside its domain [0, 4)")) << msg;
}

TEST(Interpreter, ArgumentsAreChecked) {
  PrimFunc f = make_matmul(4, 4, 4, DType::f32);
  NDArray a(DType::f32, {4, 4}), b(DType::f32, {4, 4}), c(DType::f32, {4, 4});
  NDArray wrong_shape(DType::f32, {4, 5}), wrong_type(DType::f16, {4, 4});
  std::string msg = error_of<UsageError>([&] { interpret(f, {&a, &wrong_shape, &c}); });
  EXPECT_TRUE(contains(msg, "parameter 'B' has shape [4, 5], expected [4, 4]")) << msg;
  msg = error_of<UsageError>([&] { interpret(f, {&a, &b, &wrong_type}); });
  EXPECT_TRUE(contains(msg, "parameter 'C' has dtype f16, expected f32")) << msg;
  msg = error_of<UsageError>([&] { interpret(f, {&a, &b}); });
  EXPECT_TRUE(contains(msg, "expected 3 arguments, got 2")) << msg;
  msg = error_of<UsageError>([&] { interpret(f, {&a, nullptr, &c}); });
  EXPECT_TRUE(contains(msg, "parameter 'B' is null")) << msg;
}

TEST(Interpreter, UnboundVariablesAndBuffersAreIRErrors) {
  Buffer A = make_buffer("A", DType::f32, {4}), T = make_buffer("T", DType::f32, {4});
  Var k = make_var("k");
  Stmt uses_k = loop_block("A", 4, [&](Expr) { return store(A, float_imm(0.0), {v(k)}); });
  NDArray a(DType::f32, {4});
  std::string msg = error_of<IRError>([&] { interpret(make_func_with_root("f", {A}, uses_k), {&a}); });
  EXPECT_TRUE(contains(msg, "variable 'k' is used outside the loop or block that defines it")) << msg;
  Stmt uses_t = loop_block("A", 4, [&](Expr x) { return store(A, load(T, {x}), {x}); });
  msg = error_of<IRError>([&] { interpret(make_func_with_root("f", {A}, uses_t), {&a}); });
  EXPECT_TRUE(contains(msg, "buffer 'T' is neither a parameter nor allocated")) << msg;
}
