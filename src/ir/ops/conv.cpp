// conv2d, NHWC data with HWIO weights. Padding is its own block writing a padded
// copy (zero at the border via select), as TensorIR does, so the conv block's
// accesses stay affine in its iterators. With pad=0 there is no pad block.
#include <cstdint>
#include <string>

#include "ir/ops/compute.h"
#include "ir/ops/op_families.h"

namespace weft::ir::ops {
namespace {

Expr scaled(const Expr& e, int64_t factor) { return factor == 1 ? e : e * int_imm(factor); }

PrimFunc build_conv2d(const ParamValues& v) {
  int64_t N = v.get_int("N"), H = v.get_int("H"), W = v.get_int("W"), C = v.get_int("C");
  int64_t K = v.get_int("K"), R = v.get_int("R"), S = v.get_int("S");
  int64_t stride = v.get_int("stride"), pad = v.get_int("pad"), dil = v.get_int("dilation");
  DType dt = v.get_dtype("dtype"), od = v.get_dtype("out_dtype");
  int64_t span_h = dil * (R - 1) + 1, span_w = dil * (S - 1) + 1;
  if (H + 2 * pad < span_h || W + 2 * pad < span_w)
    v.fail("the " + std::to_string(span_h) + "x" + std::to_string(span_w) + " dilated kernel does not fit the " +
           std::to_string(H + 2 * pad) + "x" + std::to_string(W + 2 * pad) + " padded input");
  if (H + 2 * pad > INT32_MAX || W + 2 * pad > INT32_MAX || span_h > INT32_MAX || span_w > INT32_MAX)
    v.fail("padded input or dilated kernel extent exceeds the 32-bit index range");
  int64_t P = (H + 2 * pad - span_h) / stride + 1, Q = (W + 2 * pad - span_w) / stride + 1;

  Buffer data = make_buffer("data", dt, {N, H, W, C});
  Buffer weight = make_buffer("weight", dt, {R, S, C, K});
  Buffer out = make_buffer("out", od, {N, P, Q, K});
  std::vector<Stmt> blocks;
  std::vector<Buffer> allocs;
  Buffer input = data;
  if (pad > 0) {
    Buffer padded = make_buffer("data_pad", dt, {N, H + 2 * pad, W + 2 * pad, C});
    allocs.push_back(padded);
    blocks.push_back(compute_block(
        "pad", {spatial("n", N), spatial("h", H + 2 * pad), spatial("w", W + 2 * pad), spatial("c", C)},
        [&](const std::vector<Expr>& it) {
          const Expr &n = it[0], &h = it[1], &w = it[2], &c = it[3];
          Expr inside = logical_and(logical_and(ge(h, int_imm(pad)), lt(h, int_imm(H + pad))),
                                    logical_and(ge(w, int_imm(pad)), lt(w, int_imm(W + pad))));
          Expr value = select(inside, load(data, {n, h - int_imm(pad), w - int_imm(pad), c}), make_const(dt, 0.0));
          return BlockCode{store(padded, value, {n, h, w, c}), Stmt()};
        }));
    input = padded;
  }
  blocks.push_back(compute_block(
      "conv",
      {spatial("n", N), spatial("h", P), spatial("w", Q), spatial("k", K), reduce("r", R), reduce("s", S),
       reduce("c", C)},
      [&](const std::vector<Expr>& it) {
        const Expr &n = it[0], &h = it[1], &w = it[2], &k = it[3], &r = it[4], &s = it[5], &c = it[6];
        Expr x = as_type(od, load(input, {n, scaled(h, stride) + scaled(r, dil), scaled(w, stride) + scaled(s, dil), c}));
        Expr f = as_type(od, load(weight, {r, s, c, k}));
        return reduction(out, {n, h, w, k}, make_const(od, 0.0), [&](Expr acc) { return acc + x * f; });
      }));
  return make_func_with_root("conv2d", {data, weight, out}, seq(blocks), allocs);
}

}  // namespace

std::vector<OpDef> conv_ops() {
  return {{"conv2d",
           "out[N,P,Q,K] = conv of data[N,H,W,C] (NHWC) with weight[R,S,C,K] (HWIO); stride, pad and dilation "
           "apply to both spatial dims; blocks \"pad\" (when pad > 0) and \"conv\"",
           {int_param("N"), int_param("H"), int_param("W"), int_param("C"), int_param("K"), int_param("R"),
            int_param("S"), int_param("stride", 1), int_param("pad", 0, 0), int_param("dilation", 1),
            dtype_param("dtype", DType::f32, float_dtypes()), out_dtype_param()},
           1,
           build_conv2d}};
}

}  // namespace weft::ir::ops
