// Vectorized loops: contiguous, broadcast and gathered accesses, tails, masked
// predicates, selects, mixed storage types, and bodies that fall back to scalar code.
#include "codegen/codegen_test_util.h"
#include "codegen/hand_built.h"

namespace weft::test {

using namespace ir;

namespace {

const std::vector<ForKind> kInnerVec{ForKind::Serial, ForKind::Vectorized};

PrimFunc vec_add(const std::string& name, int64_t rows, int64_t cols) {
  Buffer a = make_buffer("A", DType::f32, {rows, cols}), b = make_buffer("B", DType::f32, {rows, cols}),
         c = make_buffer("C", DType::f32, {rows, cols});
  return make_func_with_root(name, {a, b, c},
                             spatial_nest("C", c, [&](const auto& i) { return load(a, i) + load(b, i); }, kInnerVec));
}

// C[i, j] = A[i, j] * s[i]: s is the same in every lane.
PrimFunc vec_broadcast() {
  Buffer a = make_buffer("A", DType::f32, {4, 16}), s = make_buffer("s", DType::f32, {4}),
         c = make_buffer("C", DType::f32, {4, 16});
  return make_func_with_root(
      "vec_broadcast", {a, s, c},
      spatial_nest("C", c, [&](const auto& i) { return load(a, i) * load(s, {i[0]}); }, kInnerVec));
}

// C[i, j] = A[j, i]: lanes read with a stride of 16.
PrimFunc vec_gather() {
  Buffer a = make_buffer("A", DType::f32, {8, 16}), c = make_buffer("C", DType::f32, {16, 8});
  return make_func_with_root("vec_gather", {a, c},
                             spatial_nest("C", c, [&](const auto& i) { return load(a, {i[1], i[0]}); }, kInnerVec));
}

// C[i, j] = A[i, 2 j] and D[2 j] = A[i, j] written with stride 2 (scatter).
PrimFunc vec_strided() {
  Buffer a = make_buffer("A", DType::f32, {4, 16}), c = make_buffer("C", DType::f32, {4, 8}),
         d = make_buffer("D", DType::f32, {4, 32});
  Stmt s1 = spatial_nest("C", c, [&](const auto& i) { return load(a, {i[0], i[1] * 2}); }, kInnerVec);
  Var i = make_var("i"), j = make_var("j"), vi = make_var("vi"), vj = make_var("vj");
  Block blk = make_block("D", {{vi, {0, 4}, IterKind::Spatial}, {vj, {0, 16}, IterKind::Spatial}}, {}, {},
                         store(d, load(a, {ve(vi), ve(vj)}), {ve(vi), ve(vj) * 2}));
  Stmt s2 = make_for(i, 4, ForKind::Serial,
                     make_for(j, 16, ForKind::Vectorized, make_block_realize({ve(i), ve(j)}, bool_imm(true), blk)));
  return make_func_with_root("vec_strided", {a, c, d}, seq({s1, s2}));
}

// S[i] = sum_j A[i, j] with j vectorized: every lane stores to S[i], so scalar code.
PrimFunc vec_reduce_fallback() {
  Buffer a = make_buffer("A", DType::f32, {4, 16}), s = make_buffer("S", DType::f32, {4});
  Var i = make_var("i"), j = make_var("j"), vi = make_var("vi"), vj = make_var("vj");
  Block blk = make_block("S", {{vi, {0, 4}, IterKind::Spatial}, {vj, {0, 16}, IterKind::Reduce}}, {}, {},
                         store(s, load(s, {ve(vi)}) + load(a, {ve(vi), ve(vj)}), {ve(vi)}),
                         store(s, float_imm(0.0), {ve(vi)}));
  Stmt st = make_for(i, 4, ForKind::Serial,
                     make_for(j, 16, ForKind::Vectorized, make_block_realize({ve(i), ve(j)}, bool_imm(true), blk)));
  return make_func_with_root("vec_reduce_fallback", {a, s}, st);
}

// 13 columns split 2 x 8 with the inner loop vectorized: the last chunk is masked.
PrimFunc vec_predicate() {
  Buffer a = make_buffer("A", DType::f32, {4, 13}), c = make_buffer("C", DType::f32, {4, 13});
  Var i = make_var("i"), jo = make_var("jo"), ji = make_var("ji"), vi = make_var("vi"), vj = make_var("vj");
  Expr col = ve(jo) * 8 + ve(ji);
  Block blk = make_block("C", {{vi, {0, 4}, IterKind::Spatial}, {vj, {0, 13}, IterKind::Spatial}}, {}, {},
                         store(c, load(a, {ve(vi), ve(vj)}) * float_imm(3.0), {ve(vi), ve(vj)}));
  Stmt s = make_block_realize({ve(i), col}, lt(col, 13), blk);
  s = make_for(i, 4, ForKind::Serial, make_for(jo, 2, ForKind::Serial, make_for(ji, 8, ForKind::Vectorized, s)));
  return make_func_with_root("vec_predicate", {a, c}, s);
}

// relu as a select: the guarded load is in bounds, so it vectorizes.
PrimFunc vec_select_relu() {
  Buffer a = make_buffer("A", DType::f32, {4, 16}), c = make_buffer("C", DType::f32, {4, 16});
  return make_func_with_root("vec_select_relu", {a, c}, spatial_nest("C", c, [&](const auto& i) {
    return select(gt(load(a, i), float_imm(0.0)), load(a, i), float_imm(0.0));
  }, kInnerVec));
}

// Padding: the select guards A[i, j - 1], out of bounds for j = 0, so scalar code.
PrimFunc vec_pad_fallback() {
  Buffer a = make_buffer("A", DType::f32, {4, 16}), c = make_buffer("C", DType::f32, {4, 18});
  return make_func_with_root("vec_pad_fallback", {a, c}, spatial_nest("C", c, [&](const auto& i) {
    Expr inside = logical_and(ge(i[1], 1), lt(i[1], 17));
    return select(inside, load(a, {i[0], i[1] - 1}), float_imm(0.0));
  }, kInnerVec));
}

// Every storage type through vector loads, casts, masks and stores.
PrimFunc vec_dtypes(const std::string& name, ForKind kind) {
  std::vector<int64_t> shape{3, 16};
  Buffer h = make_buffer("H", DType::f16, shape), g = make_buffer("G", DType::bf16, shape),
         x = make_buffer("X", DType::i32, shape), m = make_buffer("M", DType::boolean, shape),
         a = make_buffer("A", DType::f32, shape), q = make_buffer("Q", DType::i64, shape);
  Buffer o_f16 = make_buffer("O_f16", DType::f16, shape), o_bool = make_buffer("O_bool", DType::boolean, shape),
         o_i8 = make_buffer("O_i8", DType::i8, shape), o_f64 = make_buffer("O_f64", DType::f64, shape),
         o_i32 = make_buffer("O_i32", DType::i32, shape), o_bf16 = make_buffer("O_bf16", DType::bf16, shape),
         o_i64 = make_buffer("O_i64", DType::i64, shape);
  std::vector<ForKind> kinds{ForKind::Serial, kind};
  std::vector<Stmt> s;
  s.push_back(spatial_nest("f16", o_f16, [&](const auto& i) {
    return cast(DType::f16, cast(DType::f32, load(h, i)) * float_imm(2.0) + cast(DType::f32, load(g, i)));
  }, kinds));
  s.push_back(spatial_nest("bool", o_bool, [&](const auto& i) {
    return logical_or(logical_and(gt(load(x, i), 0), load(m, i)), eq(load(q, i), int_imm(-1, DType::i64)));
  }, kinds));
  s.push_back(spatial_nest("i8", o_i8, [&](const auto& i) { return cast(DType::i8, load(x, i) * 100); }, kinds));
  s.push_back(spatial_nest("f64", o_f64, [&](const auto& i) {
    return select(load(m, i), cast(DType::f64, load(h, i)), cast(DType::f64, load(x, i))) +
           cast(DType::f64, load(m, i));
  }, kinds));
  s.push_back(spatial_nest("i32", o_i32, [&](const auto& i) {
    return cast(DType::i32, load(a, i) * float_imm(1000.0)) + cast(DType::i32, logical_not(load(m, i)));
  }, kinds));
  s.push_back(spatial_nest("bf16", o_bf16, [&](const auto& i) {
    return cast(DType::bf16, cast(DType::f64, load(a, i)) / float_imm(3.0, DType::f64)) +
           cast(DType::bf16, load(q, i));
  }, kinds));
  s.push_back(spatial_nest("i64", o_i64, [&](const auto& i) {
    return max(load(q, i) * 3, cast(DType::i64, load(x, i))) - min(cast(DType::i64, i[1]), load(q, i));
  }, kinds));
  return make_func_with_root(name, {h, g, x, m, a, q, o_f16, o_bool, o_i8, o_f64, o_i32, o_bf16, o_i64}, seq(s));
}

// A lane-varying select between two lane-varying values of different widths, and
// an index computed with floordiv/floormod (a gather through a non-linear index).
PrimFunc vec_nonlinear() {
  Buffer a = make_buffer("A", DType::f32, {64}), c = make_buffer("C", DType::f32, {4, 16});
  return make_func_with_root("vec_nonlinear", {a, c}, spatial_nest("C", c, [&](const auto& i) {
    Expr flat = i[0] * 16 + i[1];
    Expr permuted = floormod(flat, 4) * 16 + floordiv(flat, 4);
    return select(lt(floormod(i[1], 3), 1), load(a, {permuted}), cast(DType::f32, i[1]) * float_imm(0.5));
  }, kInnerVec));
}

}  // namespace

std::vector<HandBuilt> hand_built_vector() {
  return {
      {"vec_add", vec_add("vec_add", 4, 16)},
      {"vec_tail", vec_add("vec_tail", 3, 13)},
      {"vec_long", vec_add("vec_long", 2, 33)},
      {"vec_broadcast", vec_broadcast()},
      {"vec_gather", vec_gather()},
      {"vec_strided", vec_strided()},
      {"vec_reduce_fallback", vec_reduce_fallback()},
      {"vec_predicate", vec_predicate()},
      {"vec_select_relu", vec_select_relu()},
      {"vec_pad_fallback", vec_pad_fallback()},
      {"vec_dtypes", vec_dtypes("vec_dtypes", ForKind::Vectorized), -3, 3},
      {"dtypes_scalar", vec_dtypes("dtypes_scalar", ForKind::Serial), -3, 3},
      {"vec_nonlinear", vec_nonlinear()},
  };
}

}  // namespace weft::test
