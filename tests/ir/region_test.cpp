// Region relaxation and block access regions, on a tiled matmul and small cases.
#include <gtest/gtest.h>

#include "ir/printer.h"
#include "ir/region.h"
#include "ir/simplify.h"
#include "ir/substitute.h"
#include "support/error.h"

using namespace weft;
using namespace weft::ir;

namespace {

// "A[i0 * 8:+8, 0:+64]": each dimension as min, or min:+extent when the extent is not 1.
std::string text(const BufferRegion& r) {
  std::string s = r.buffer->name + "[";
  for (size_t d = 0; d < r.region.size(); ++d) {
    int64_t e;
    s += (d ? ", " : "") + to_text(r.region[d].min);
    if (!(is_const_int(r.region[d].extent, &e) && e == 1)) s += ":+" + to_text(r.region[d].extent);
  }
  return s + "]";
}

// C[i, j] += A[i, k] * B[k, j] on 64x64 matrices, tiled 8 x 8 x 4:
//   for i0 in 8, j0 in 8, k0 in 16, i1 in 8, j1 in 8, k1 in 4:
//     block C(vi = i0*8 + i1, vj = j0*8 + j1, vk = k0*4 + k1)
struct TiledMatmul {
  Buffer a = make_buffer("A", DType::f32, {64, 64});
  Buffer b = make_buffer("B", DType::f32, {64, 64});
  Buffer c = make_buffer("C", DType::f32, {64, 64});
  Var i0 = make_var("i0"), j0 = make_var("j0"), k0 = make_var("k0");
  Var i1 = make_var("i1"), j1 = make_var("j1"), k1 = make_var("k1");
  Block block;
  Stmt root, k0_loop, i1_loop;

  TiledMatmul() {
    Var vi = make_var("vi"), vj = make_var("vj"), vk = make_var("vk");
    Expr ei = var_expr(vi), ej = var_expr(vj), ek = var_expr(vk);
    block = make_block("C",
                       {{vi, {0, 64}, IterKind::Spatial}, {vj, {0, 64}, IterKind::Spatial},
                        {vk, {0, 64}, IterKind::Reduce}},
                       {{c, {{ei, 1}, {ej, 1}}}, {a, {{ei, 1}, {ek, 1}}}, {b, {{ek, 1}, {ej, 1}}}},
                       {{c, {{ei, 1}, {ej, 1}}}},
                       store(c, load(c, {ei, ej}) + load(a, {ei, ek}) * load(b, {ek, ej}), {ei, ej}),
                       store(c, float_imm(0.0), {ei, ej}));
    auto v = [](const Var& x) { return var_expr(x); };
    Stmt realize = make_block_realize({v(i0) * 8 + v(i1), v(j0) * 8 + v(j1), v(k0) * 4 + v(k1)}, bool_imm(true), block);
    Stmt s = make_for(k1, 4, ForKind::Serial, realize);
    s = make_for(j1, 8, ForKind::Serial, s);
    i1_loop = s = make_for(i1, 8, ForKind::Serial, s);
    k0_loop = s = make_for(k0, 16, ForKind::Serial, s);
    s = make_for(j0, 8, ForKind::Serial, s);
    root = make_for(i0, 8, ForKind::Serial, s);
  }

  VarDomains outer_tiles() const {
    return {{i0.get(), {0, 7}}, {j0.get(), {0, 7}}, {k0.get(), {0, 15}}};
  }
};

TEST(Region, RelaxesTheRowsOfATile) {
  TiledMatmul m;
  Var k = make_var("k");
  BufferRegion r{m.a, {{var_expr(m.i0) * 8 + var_expr(m.i1), 1}, {var_expr(k), 1}}};
  BufferRegion out = relax_region(r, {{m.i1.get(), {0, 7}}, {k.get(), {0, 63}}}, {{m.i0.get(), {0, 7}}});
  EXPECT_EQ(text(out), "A[i0 * 8:+8, 0:+64]");
  // Nothing relaxed: the region is the access itself, simplified.
  VarDomains all{{m.i0.get(), {0, 7}}, {m.i1.get(), {0, 7}}, {k.get(), {0, 63}}};
  EXPECT_EQ(text(relax_region(r, {}, all)), "A[i0 * 8 + i1, k]");
  // Without domains for the symbols, the region is clamped symbolically: still sound.
  EXPECT_EQ(text(relax_region({m.a, {{var_expr(k), 1}, {0, 1}}}, {})), "A[max(k, 0):+min(k, 63) - max(k, 0) + 1, 0]");
}

TEST(Region, BlockAccessUnderTheInnerTileLoops) {
  TiledMatmul m;
  BlockAccess acc = block_access_under(m.i1_loop, m.block, m.outer_tiles());
  ASSERT_EQ(acc.reads.size(), 3u);
  ASSERT_EQ(acc.writes.size(), 1u);
  EXPECT_EQ(text(acc.reads[0]), "C[i0 * 8:+8, j0 * 8:+8]");
  EXPECT_EQ(text(acc.reads[1]), "A[i0 * 8:+8, k0 * 4:+4]");
  EXPECT_EQ(text(acc.reads[2]), "B[k0 * 4:+4, j0 * 8:+8]");
  EXPECT_EQ(text(acc.writes[0]), "C[i0 * 8:+8, j0 * 8:+8]");
}

TEST(Region, BlockAccessUnderTheWholeNestCoversEverything) {
  TiledMatmul m;
  BlockAccess acc = block_access_under(m.root, m.block);
  EXPECT_EQ(text(acc.reads[1]), "A[0:+64, 0:+64]");
  EXPECT_EQ(text(acc.writes[0]), "C[0:+64, 0:+64]");
}

TEST(Region, ComputeAtQuestionWithEnclosingLoopDomains) {
  TiledMatmul m;
  VarDomains outer = enclosing_loop_domains(m.root, m.k0_loop);
  ASSERT_EQ(outer.size(), 2u);
  EXPECT_EQ(outer.at(m.i0.get()), (Interval{0, 7}));
  EXPECT_EQ(outer.at(m.j0.get()), (Interval{0, 7}));
  // One iteration of k0: k0 stays free.
  outer[m.k0.get()] = Interval::from_extent(0, 16);
  BlockAccess one = block_access_under(m.k0_loop.as<ForNode>()->body, m.block, outer);
  EXPECT_EQ(text(one.reads[1]), "A[i0 * 8:+8, k0 * 4:+4]");
  // The whole k0 loop: k0 relaxed too.
  BlockAccess all = block_access_under(m.k0_loop, m.block, enclosing_loop_domains(m.root, m.k0_loop));
  EXPECT_EQ(text(all.reads[1]), "A[i0 * 8:+8, 0:+64]");
  EXPECT_EQ(text(all.reads[2]), "B[0:+64, j0 * 8:+8]");
  EXPECT_TRUE(enclosing_loop_domains(m.root, store(m.a, float_imm(0.0), {0, 0})).empty());
}

TEST(Region, BlockAccessOfARealize) {
  TiledMatmul m;
  const auto* realize = m.i1_loop.as<ForNode>()->body.as<ForNode>()->body.as<ForNode>()->body.as<BlockRealizeNode>();
  ASSERT_NE(realize, nullptr);
  VarDomains context = m.outer_tiles();
  context[m.i1.get()] = {0, 7};
  context[m.j1.get()] = {0, 7};
  BlockAccess acc = block_access(*realize, {{m.k1.get(), {0, 3}}}, context);
  EXPECT_EQ(text(acc.reads[1]), "A[i0 * 8 + i1, k0 * 4:+4]");
}

TEST(Region, ClampsToTheBufferShape) {
  Buffer a = make_buffer("A", DType::f32, {64});
  Var i = make_var("i"), r = make_var("r"), i0 = make_var("i0"), i1 = make_var("i1");
  // A padded stencil reads A[i + r - 1]: rows -1 .. 64 clamp to the buffer.
  BufferRegion pad{a, {{var_expr(i) + var_expr(r) - 1, 1}}};
  EXPECT_EQ(text(relax_region(pad, {{i.get(), {0, 63}}, {r.get(), {0, 2}}})), "A[0:+64]");
  // A non-divisible split: 13 tiles of 5 over 64 rows; the last tile has 4.
  BufferRegion tile{a, {{var_expr(i0) * 5 + var_expr(i1), 1}}};
  BufferRegion t = relax_region(tile, {{i1.get(), {0, 4}}}, {{i0.get(), {0, 12}}});
  EXPECT_EQ(to_text(t.region[0].min), "i0 * 5");
  EXPECT_EQ(to_text(t.region[0].extent), "min(i0 * 5 + 4, 63) - i0 * 5 + 1");
  auto extent_at = [&](int64_t tile_index) {
    return to_text(simplify(substitute(t.region[0].extent, {{i0.get(), int_imm(tile_index)}})));
  };
  EXPECT_EQ(extent_at(0), "5");
  EXPECT_EQ(extent_at(12), "4");
  // A dimension with no bound at all covers the whole buffer.
  Var free = make_var("free");
  EXPECT_EQ(text(relax_region({a, {{var_expr(free), 1}}}, {{free.get(), Interval::everything()}})), "A[0:+64]");
}

TEST(Region, RelaxesThroughDivisionMinMaxSelectAndProducts) {
  Buffer a = make_buffer("A", DType::f32, {32});
  Var i0 = make_var("i0"), i1 = make_var("i1"), n = make_var("n");
  Expr e0 = var_expr(i0), e1 = var_expr(i1);
  VarDomains relaxed{{i1.get(), {0, 7}}}, context{{i0.get(), {0, 3}}, {n.get(), {1, 3}}};
  auto relax = [&](const Expr& index) { return text(relax_region({a, {{index, 1}}}, relaxed, context)); };
  EXPECT_EQ(relax(floordiv(e0 * 8 + e1, 2)), "A[i0 * 4:+4]");
  EXPECT_EQ(relax(floormod(e0 * 8 + e1, 16)), "A[i0 % 2 * 8:+8]");  // simplified to (i0 % 2)*8 + i1 first
  EXPECT_EQ(relax(floormod(e0 * 3 + e1, 16)), "A[0:+16]");  // may wrap around: numeric bounds
  EXPECT_EQ(relax(min(e1, 5)), "A[0:+6]");
  EXPECT_EQ(relax(max(e1, e0 + 2)), "A[i0 + 2:+6 - i0]");
  EXPECT_EQ(relax(select(lt(e0, 2), e1, e1 + 8)), "A[0:+16]");
  EXPECT_EQ(relax(e1 * var_expr(n)), "A[0:+n * 7 + 1]");
  EXPECT_EQ(relax(e0 - e1 + 10), "A[i0 + 3:+8]");  // a negative coefficient swaps the ends
}

TEST(Region, SeveralRealizationsOfOneBlockAreUnited) {
  Buffer a = make_buffer("A", DType::f32, {32});
  Buffer o = make_buffer("O", DType::f32, {32});
  Var vi = make_var("vi"), p = make_var("p"), q = make_var("q");
  Expr ei = var_expr(vi);
  Block blk = make_block("copy", {{vi, {0, 32}, IterKind::Spatial}}, {{a, {{ei, 1}}}}, {{o, {{ei, 1}}}},
                         store(o, load(a, {ei}), {ei}));
  Stmt body = seq({make_for(p, 4, ForKind::Serial, make_block_realize({var_expr(p)}, bool_imm(true), blk)),
                   make_for(q, 4, ForKind::Serial, make_block_realize({var_expr(q) + 8}, bool_imm(true), blk))});
  BlockAccess acc = block_access_under(body, blk);
  EXPECT_EQ(text(acc.reads[0]), "A[0:+12]");
  Block stranger = make_block("other", {}, {}, {}, store(o, float_imm(0.0), {0}));
  EXPECT_THROW(block_access_under(body, stranger), InternalError);
}

TEST(Region, BindingsOfEnclosingBlocksAreSubstituted) {
  // An outer block (as left by blockize) binds vo = i0; inside it, loop i1 realizes
  // the inner block with vi = vo*8 + i1, reading A[vi] from a 128-row buffer.
  Buffer a = make_buffer("A", DType::f32, {128});
  Buffer o = make_buffer("O", DType::f32, {128});
  Var i0 = make_var("i0"), i1 = make_var("i1"), vo = make_var("vo"), vi = make_var("vi");
  Expr ei = var_expr(vi);
  Block inner = make_block("inner", {{vi, {0, 32}, IterKind::Spatial}}, {{a, {{ei, 1}}}}, {{o, {{ei, 1}}}},
                           store(o, load(a, {ei}), {ei}));
  Stmt inner_loop = make_for(
      i1, 8, ForKind::Serial, make_block_realize({var_expr(vo) * 8 + var_expr(i1)}, bool_imm(true), inner));
  Block outer = make_block("outer", {{vo, {0, 4}, IterKind::Spatial}}, {{a, {{var_expr(vo) * 8, 8}}}},
                           {{o, {{var_expr(vo) * 8, 8}}}}, inner_loop);
  Stmt nest = make_for(i0, 4, ForKind::Serial, make_block_realize({var_expr(i0)}, bool_imm(true), outer));
  EXPECT_EQ(text(block_access_under(nest, inner).reads[0]), "A[0:+32]");
  // From inside the outer block, vo is a free symbol.
  EXPECT_EQ(text(block_access_under(inner_loop, inner, {{vo.get(), {0, 3}}}).reads[0]), "A[vo * 8:+8]");
  // The outer block's own declared region, relaxed over i0.
  EXPECT_EQ(text(block_access_under(nest, outer).reads[0]), "A[0:+32]");
}

TEST(Region, UnionAndMerge) {
  Buffer a = make_buffer("A", DType::f32, {64});
  Buffer b = make_buffer("B", DType::f32, {64});
  Var i = make_var("i");
  Expr e = var_expr(i);
  EXPECT_EQ(text(region_union({a, {{e, 4}}}, {a, {{e + 4, 4}}})), "A[i:+8]");
  EXPECT_EQ(text(region_union({a, {{e, 4}}}, {a, {{e + 2, 1}}})), "A[i:+4]");
  EXPECT_EQ(text(region_union({a, {{0, 4}}}, {a, {{e, 1}}}, {{i.get(), {8, 9}}})), "A[0:+i + 1]");
  EXPECT_THROW(region_union({a, {{e, 1}}}, {b, {{e, 1}}}), InternalError);
  std::vector<BufferRegion> merged = merge_regions({{b, {{e, 1}}}, {a, {{e, 2}}}, {b, {{e + 1, 1}}}});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(text(merged[0]), "B[i:+2]");
  EXPECT_EQ(text(merged[1]), "A[i:+2]");
}

}  // namespace
