// Binary elementwise ops on M x N tensors, the second operand broadcast per
// `bcast`: none (B is M x N), row (B is [N], one value per column index j), col
// (B is [M], one per row i), scalar (B is [1]). Also bias_add, the row case under
// its usual name.
#include <functional>
#include <string>

#include "ir/ops/compute.h"
#include "ir/ops/op_families.h"

namespace weft::ir::ops {
namespace {

using Combine = std::function<Expr(const Expr&, const Expr&)>;

// The second operand's shape and its index at (i, j) for a broadcast mode.
struct Broadcast {
  std::vector<int64_t> shape;
  std::function<std::vector<Expr>(const Expr& i, const Expr& j)> index;
};

Broadcast broadcast(const std::string& mode, int64_t M, int64_t N) {
  if (mode == "row") return {{N}, [](const Expr&, const Expr& j) { return std::vector<Expr>{j}; }};
  if (mode == "col") return {{M}, [](const Expr& i, const Expr&) { return std::vector<Expr>{i}; }};
  if (mode == "scalar") return {{1}, [](const Expr&, const Expr&) { return std::vector<Expr>{int_imm(0)}; }};
  return {{M, N}, [](const Expr& i, const Expr& j) { return std::vector<Expr>{i, j}; }};
}

PrimFunc build_binary(const std::string& name, const std::string& b_name, const std::string& mode,
                      const Combine& combine, const ParamValues& v) {
  int64_t M = v.get_int("M"), N = v.get_int("N");
  DType dt = v.get_dtype("dtype");
  Broadcast bc = broadcast(mode, M, N);
  Buffer A = make_buffer("A", dt, {M, N});
  Buffer B = make_buffer(b_name, dt, bc.shape);
  Buffer C = make_buffer("C", dt, {M, N});
  Stmt body = compute_block(name, {spatial("i", M), spatial("j", N)}, [&](const std::vector<Expr>& it) {
    Expr value = combine(load(A, {it[0], it[1]}), load(B, bc.index(it[0], it[1])));
    return BlockCode{store(C, value, {it[0], it[1]}), Stmt()};
  });
  return make_func_with_root(name, {A, B, C}, body);
}

OpDef binary_op(const std::string& name, const std::string& formula, Combine combine) {
  OpDef op;
  op.name = name;
  op.summary = "C[M,N] = " + formula + " elementwise, B broadcast per bcast (none: [M,N], row: [N], col: [M], "
               "scalar: [1]); block \"" + name + "\"";
  op.params = {int_param("M"), int_param("N"), word_param("bcast", "none", {"none", "row", "col", "scalar"}),
               dtype_param("dtype", DType::f32, float_dtypes())};
  op.build = [name, combine](const ParamValues& v) { return build_binary(name, "B", v.get_word("bcast"), combine, v); };
  return op;
}

}  // namespace

std::vector<OpDef> binary_ops() {
  std::vector<OpDef> ops = {
      binary_op("add", "A + B", [](const Expr& a, const Expr& b) { return a + b; }),
      binary_op("sub", "A - B", [](const Expr& a, const Expr& b) { return a - b; }),
      binary_op("mul", "A * B", [](const Expr& a, const Expr& b) { return a * b; }),
      binary_op("div", "A / B", [](const Expr& a, const Expr& b) { return a / b; }),
      binary_op("maximum", "max(A, B)", [](const Expr& a, const Expr& b) { return max(a, b); }),
  };
  OpDef bias;
  bias.name = "bias_add";
  bias.summary = "C[M,N] = A[M,N] + bias[N]; block \"bias_add\"";
  bias.params = {int_param("M"), int_param("N"), dtype_param("dtype", DType::f32, float_dtypes())};
  bias.build = [](const ParamValues& v) {
    return build_binary("bias_add", "bias", "row", [](const Expr& a, const Expr& b) { return a + b; }, v);
  };
  ops.push_back(bias);
  return ops;
}

}  // namespace weft::ir::ops
