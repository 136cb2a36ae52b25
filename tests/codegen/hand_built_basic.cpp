// Scalar constructs: elementwise, reductions with init, predicates, allocations,
// loop kinds, storage types, integer division, intrinsics, awkward names.
#include <stdexcept>

#include "codegen/codegen_test_util.h"
#include "codegen/hand_built.h"

namespace weft::test {

using namespace ir;

namespace {

PrimFunc add_2d() {
  Buffer a = make_buffer("A", DType::f32, {7, 13}), b = make_buffer("B", DType::f32, {7, 13}),
         c = make_buffer("C", DType::f32, {7, 13});
  Stmt body = spatial_nest("C", c, [&](const auto& i) { return load(a, i) + load(b, i); });
  return make_func_with_root("add_2d", {a, b, c}, body);
}

// C[i, j] = sum_k A[i, k] * B[k, j], loops i, j, k; `kinds` for i, j, k.
PrimFunc matmul(const std::string& name, int64_t m, int64_t n, int64_t k, std::vector<ForKind> kinds,
                bool k_outside_j = false) {
  Buffer a = make_buffer("A", DType::f32, {m, k}), b = make_buffer("B", DType::f32, {k, n}),
         c = make_buffer("C", DType::f32, {m, n});
  Var i = make_var("i"), j = make_var("j"), r = make_var("k");
  Var vi = make_var("vi"), vj = make_var("vj"), vk = make_var("vk");
  Block blk = make_block(
      "C", {{vi, {0, int_imm(m)}, IterKind::Spatial}, {vj, {0, int_imm(n)}, IterKind::Spatial},
            {vk, {0, int_imm(k)}, IterKind::Reduce}},
      {full_region(a), full_region(b)}, {full_region(c)},
      store(c, load(c, {ve(vi), ve(vj)}) + load(a, {ve(vi), ve(vk)}) * load(b, {ve(vk), ve(vj)}), {ve(vi), ve(vj)}),
      store(c, float_imm(0.0), {ve(vi), ve(vj)}));
  Stmt s = make_block_realize({ve(i), ve(j), ve(r)}, bool_imm(true), blk);
  if (k_outside_j) {
    s = make_for(j, int_imm(n), kinds[1], s);
    s = make_for(r, int_imm(k), kinds[2], s);
  } else {
    s = make_for(r, int_imm(k), kinds[2], s);
    s = make_for(j, int_imm(n), kinds[1], s);
  }
  s = make_for(i, int_imm(m), kinds[0], s);
  return make_func_with_root(name, {a, b, c}, s);
}

// B[v] = A[v] * 2 over 10 elements through a split 3 x 4 with a predicate.
PrimFunc predicate_split() {
  Buffer a = make_buffer("A", DType::f32, {10}), b = make_buffer("B", DType::f32, {10});
  Var io = make_var("io"), ii = make_var("ii"), v = make_var("v");
  Expr bind = ve(io) * 4 + ve(ii);
  Block blk = make_block("B", {{v, {0, 10}, IterKind::Spatial}}, {full_region(a)}, {full_region(b)},
                         store(b, load(a, {ve(v)}) * float_imm(2.0), {ve(v)}));
  Stmt s = make_block_realize({bind}, lt(bind, 10), blk);
  s = make_for(io, 3, ForKind::Serial, make_for(ii, 4, ForKind::Serial, s));
  return make_func_with_root("predicate_split", {a, b}, s);
}

// A root-allocated intermediate large enough to live on the heap.
PrimFunc alloc_root_heap() {
  Buffer a = make_buffer("A", DType::f32, {80, 64}), t = make_buffer("T", DType::f32, {80, 64}),
         c = make_buffer("C", DType::f32, {80, 64});
  Stmt s1 = spatial_nest("T", t, [&](const auto& i) { return call(Intrinsic::exp, {load(a, i)}); });
  Stmt s2 = spatial_nest("C", c, [&](const auto& i) { return load(t, i) * float_imm(2.0) + float_imm(1.0); });
  return make_func_with_root("alloc_root_heap", {a, c}, seq({s1, s2}), {t});
}

// A block per row allocating a small row buffer (stack), filled and read by inner blocks.
PrimFunc alloc_block_stack() {
  Buffer a = make_buffer("A", DType::f32, {5, 64}), c = make_buffer("C", DType::f32, {5, 64});
  Buffer r = make_buffer("R", DType::f32, {64}, "local");
  Var i = make_var("i"), vi = make_var("vi"), j1 = make_var("j"), j2 = make_var("j"), w1 = make_var("vj"),
      w2 = make_var("vj");
  Stmt fill = make_for(j1, 64, ForKind::Serial,
                       make_block_realize({ve(j1)}, bool_imm(true),
                                          make_block("R", {{w1, {0, 64}, IterKind::Spatial}}, {}, {full_region(r)},
                                                     store(r, load(a, {ve(vi), ve(w1)}) * float_imm(3.0), {ve(w1)}))));
  Stmt use = make_for(j2, 64, ForKind::Serial,
                      make_block_realize({ve(j2)}, bool_imm(true),
                                         make_block("C", {{w2, {0, 64}, IterKind::Spatial}}, {}, {full_region(c)},
                                                    store(c, load(r, {ve(w2)}) + float_imm(1.0), {ve(vi), ve(w2)}))));
  Block row = make_block("row", {{vi, {0, 5}, IterKind::Spatial}}, {}, {}, seq({fill, use}), Stmt(), {r});
  Stmt s = make_for(i, 5, ForKind::Serial, make_block_realize({ve(i)}, bool_imm(true), row));
  return make_func_with_root("alloc_block_stack", {a, c}, s);
}

PrimFunc parallel_nested() {
  Buffer a = make_buffer("A", DType::f32, {8, 16}), c = make_buffer("C", DType::f32, {8, 16});
  Stmt s = spatial_nest("C", c, [&](const auto& i) { return load(a, i) * float_imm(2.0); },
                        {ForKind::Parallel, ForKind::Parallel});
  return make_func_with_root("parallel_nested", {a, c}, s);
}

PrimFunc unrolled() {
  Buffer a = make_buffer("A", DType::f32, {6, 4}), c = make_buffer("C", DType::f32, {6, 4});
  Stmt s = spatial_nest("C", c, [&](const auto& i) { return load(a, i) - float_imm(0.5); },
                        {ForKind::Serial, ForKind::Unrolled});
  return make_func_with_root("unrolled", {a, c}, s);
}

// f16 and bf16 storage, computed in float.
PrimFunc half_storage() {
  Buffer a = make_buffer("A", DType::f16, {9, 5}), b = make_buffer("B", DType::bf16, {9, 5}),
         c = make_buffer("C", DType::f16, {9, 5}), d = make_buffer("D", DType::bf16, {9, 5}),
         e = make_buffer("E", DType::f32, {9, 5});
  // One operation per store, so results are exact: multi-operation f16 expressions
  // are computed in float and rounded once, where the interpreter rounds each step.
  Stmt s1 = spatial_nest("C", c, [&](const auto& i) { return load(a, i) + float_imm(1.0, DType::f16); });
  Stmt s2 = spatial_nest("D", d, [&](const auto& i) { return load(b, i) - cast(DType::bf16, load(a, i)); });
  Stmt s3 = spatial_nest("E", e, [&](const auto& i) {
    return cast(DType::f32, load(a, i)) + cast(DType::f32, load(b, i));
  });
  return make_func_with_root("half_storage", {a, b, c, d, e}, seq({s1, s2, s3}));
}

// floordiv / floormod of negative and positive values by positive and negative divisors.
PrimFunc floor_div_mod(const std::string& name, ForKind kind) {
  Buffer x = make_buffer("X", DType::i32, {32});
  std::vector<Buffer> outs;
  std::vector<Stmt> nests;
  int n = 0;
  for (int64_t d : {3, -4}) {
    for (bool mod : {false, true}) {
      Buffer o = make_buffer("O" + std::to_string(n++), DType::i32, {32});
      nests.push_back(spatial_nest(o->name, o, [&](const auto& i) {
        Expr v = load(x, i);
        return mod ? floormod(v, int_imm(d)) : floordiv(v, int_imm(d));
      }, {kind}));
      outs.push_back(o);
    }
  }
  std::vector<Buffer> params{x};
  params.insert(params.end(), outs.begin(), outs.end());
  return make_func_with_root(name, params, seq(nests));
}

// Every intrinsic, on `dtype`, inputs in [0.1, 2).
PrimFunc intrinsics(const std::string& name, DType dtype, ForKind kind) {
  Buffer a = make_buffer("A", dtype, {4, 16}), b = make_buffer("B", dtype, {4, 16});
  std::vector<Buffer> params{a, b};
  std::vector<Stmt> nests;
#define WEFT_X(N, ARITY)                                                                             \
  {                                                                                                 \
    Buffer o = make_buffer("out_" #N, dtype, {4, 16});                                              \
    params.push_back(o);                                                                            \
    nests.push_back(spatial_nest(o->name, o, [&](const auto& i) {                                   \
      return ARITY == 1 ? call(Intrinsic::N, {load(a, i)}) : call(Intrinsic::N, {load(a, i), load(b, i)}); \
    }, {ForKind::Serial, kind}));                                                                   \
  }
  WEFT_INTRINSICS(WEFT_X)
#undef WEFT_X
  return make_func_with_root(name, params, seq(nests));
}

// Names that are C++ keywords or repeat in nested scopes.
PrimFunc awkward_names() {
  Buffer a = make_buffer("int", DType::f32, {3, 4}), c = make_buffer("return", DType::f32, {3, 4});
  Var i = make_var("for"), j = make_var("for"), vi = make_var("i"), vj = make_var("i");
  Block blk = make_block("class", {{vi, {0, 3}, IterKind::Spatial}, {vj, {0, 4}, IterKind::Spatial}}, {}, {full_region(c)},
                         store(c, load(a, {ve(vi), ve(vj)}) + cast(DType::f32, ve(vi) * 10 + ve(vj)), {ve(vi), ve(vj)}));
  Stmt s = make_for(i, 3, ForKind::Serial,
                    make_for(j, 4, ForKind::Serial, make_block_realize({ve(i), ve(j)}, bool_imm(true), blk)));
  return make_func_with_root("awkward_names", {a, c}, s);
}

// An if/else statement and selects, min/max, comparisons and casts in scalar code.
PrimFunc branches_and_casts() {
  Buffer a = make_buffer("A", DType::f32, {6, 6}), c = make_buffer("C", DType::f32, {6, 6}),
         k = make_buffer("K", DType::i8, {6, 6}), m = make_buffer("M", DType::boolean, {6, 6});
  Var i = make_var("i"), j = make_var("j"), vi = make_var("vi"), vj = make_var("vj");
  std::vector<Expr> idx{ve(vi), ve(vj)};
  Stmt then_case = store(c, max(load(a, idx), float_imm(0.25)), idx);
  Stmt else_case = store(c, select(load(m, idx), min(load(a, idx), float_imm(-0.25)), float_imm(7.0)), idx);
  Stmt body = seq({if_then_else(lt(ve(vi), ve(vj)), then_case, else_case),
                   store(k, cast(DType::i8, load(a, idx) * float_imm(300.0)), idx),
                   store(m, logical_or(ge(load(a, idx), float_imm(0.5)), logical_not(load(m, idx))), idx)});
  Block blk = make_block("B", {{vi, {0, 6}, IterKind::Spatial}, {vj, {0, 6}, IterKind::Spatial}}, {}, {}, body);
  Stmt s = make_for(i, 6, ForKind::Serial,
                    make_for(j, 6, ForKind::Serial, make_block_realize({ve(i), ve(j)}, bool_imm(true), blk)));
  return make_func_with_root("branches_and_casts", {a, c, k, m}, s);
}

}  // namespace

std::vector<HandBuilt> hand_built_basic() {
  return {
      {"add_2d", add_2d()},
      {"matmul_init", matmul("matmul_init", 13, 7, 33, {ForKind::Serial, ForKind::Serial, ForKind::Serial})},
      {"matmul_parallel", matmul("matmul_parallel", 16, 9, 5, {ForKind::Parallel, ForKind::Serial, ForKind::Unrolled})},
      {"predicate_split", predicate_split()},
      {"alloc_root_heap", alloc_root_heap()},
      {"alloc_block_stack", alloc_block_stack()},
      {"parallel_nested", parallel_nested()},
      {"unrolled", unrolled()},
      {"half_storage", half_storage()},
      {"floor_div_mod", floor_div_mod("floor_div_mod", ForKind::Serial), -20, 20},
      {"intrinsics_f32", intrinsics("intrinsics_f32", DType::f32, ForKind::Serial), 0.1, 2},
      {"intrinsics_f64", intrinsics("intrinsics_f64", DType::f64, ForKind::Serial), 0.1, 2},
      {"awkward_names", awkward_names()},
      {"branches_and_casts", branches_and_casts()},
      // Vector variants of the scalar programs above.
      {"matmul_vec_j", matmul("matmul_vec_j", 8, 16, 8, {ForKind::Serial, ForKind::Vectorized, ForKind::Serial}, true)},
      {"floor_div_mod_vec", floor_div_mod("floor_div_mod_vec", ForKind::Vectorized), -20, 20},
      {"intrinsics_f32_vec", intrinsics("intrinsics_f32_vec", DType::f32, ForKind::Vectorized), 0.1, 2},
      {"intrinsics_f64_vec", intrinsics("intrinsics_f64_vec", DType::f64, ForKind::Vectorized), 0.1, 2},
  };
}

const std::vector<HandBuilt>& hand_built_all() {
  static const std::vector<HandBuilt> all = [] {
    std::vector<HandBuilt> v = hand_built_basic(), w = hand_built_vector();
    v.insert(v.end(), w.begin(), w.end());
    return v;
  }();
  return all;
}

const HandBuilt& hand_built(const std::string& name) {
  for (const HandBuilt& h : hand_built_all())
    if (h.name == name) return h;
  throw std::out_of_range("no hand-built program '" + name + "'");
}

}  // namespace weft::test
