// Reductions of a 3-D tensor X[A,B,C] over the axes marked '1' in the bit string
// `axes` (axes=001 reduces C, axes=110 reduces A and B). The output Y keeps the
// other dims in order, or is [1] when all three are reduced. Loops i, j, k stand
// for dims A, B, C; the kept dims' iterators come first, then the reduced ones.
#include <string>

#include "ir/ops/compute.h"
#include "ir/ops/op_families.h"

namespace weft::ir::ops {
namespace {

enum class Kind { Sum, Max, Mean };

std::string check_axes(const std::string& axes) {
  if (axes.size() != 3 || axes.find_first_not_of("01") != std::string::npos)
    return "expected axes as three 0/1 digits (one per dim A, B, C, 1 = reduced), got '" + axes + "'";
  if (axes.find('1') == std::string::npos) return "axes=000 reduces nothing; mark at least one dim with 1";
  return "";
}

PrimFunc build_reduction(const std::string& name, Kind kind, const ParamValues& v) {
  const int64_t dims[3] = {v.get_int("A"), v.get_int("B"), v.get_int("C")};
  const char* const loop_names[3] = {"i", "j", "k"};
  const std::string& axes = v.get_word("axes");
  DType dt = v.get_dtype("dtype"), od = v.get_dtype("out_dtype");

  std::vector<Axis> spatial_axes, reduce_axes;
  std::vector<int64_t> out_shape;
  int64_t count = 1;  // elements folded into each output
  for (int d = 0; d < 3; ++d) {
    if (axes[d] == '1') {
      reduce_axes.push_back(reduce(loop_names[d], dims[d]));
      count *= dims[d];
    } else {
      spatial_axes.push_back(spatial(loop_names[d], dims[d]));
      out_shape.push_back(dims[d]);
    }
  }
  bool scalar_out = out_shape.empty();
  if (scalar_out) out_shape.push_back(1);
  std::vector<Axis> axes_list = spatial_axes;
  axes_list.insert(axes_list.end(), reduce_axes.begin(), reduce_axes.end());

  Buffer X = make_buffer("X", dt, {dims[0], dims[1], dims[2]});
  Buffer Y = make_buffer("Y", od, out_shape);
  Stmt body = compute_block(name, axes_list, [&](const std::vector<Expr>& it) {
    // Map iterators (kept dims first) back to the input's dim order.
    std::vector<Expr> in_index(3), out_index;
    size_t next_spatial = 0, next_reduce = spatial_axes.size();
    for (int d = 0; d < 3; ++d) {
      if (axes[d] == '1') {
        in_index[d] = it[next_reduce++];
      } else {
        in_index[d] = it[next_spatial++];
        out_index.push_back(in_index[d]);
      }
    }
    if (scalar_out) out_index.push_back(int_imm(0));
    Expr x = as_type(od, load(X, in_index));
    switch (kind) {
      case Kind::Sum: return reduction(Y, out_index, make_const(od, 0.0), [&](Expr acc) { return acc + x; });
      case Kind::Max: return reduction(Y, out_index, lowest_value(od), [&](Expr acc) { return max(acc, x); });
      case Kind::Mean: break;
    }
    Expr scale = make_const(od, 1.0 / static_cast<double>(count));
    return reduction(Y, out_index, make_const(od, 0.0), [&](Expr acc) { return acc + x * scale; });
  });
  return make_func_with_root(name, {X, Y}, body);
}

OpDef reduction_op(const std::string& name, const std::string& what, Kind kind) {
  ParamDef axes = word_param("axes", "001", {});
  axes.check = check_axes;
  OpDef op;
  op.name = name;
  op.summary = "Y = " + what + " of X[A,B,C] over the dims marked 1 in axes (e.g. 001: over C), keeping the others "
               "(Y is [1] when all are reduced); block \"" + name + "\"";
  op.params = {int_param("A"), int_param("B"), int_param("C"), axes,
               dtype_param("dtype", DType::f32, float_dtypes()), out_dtype_param()};
  op.build = [name, kind](const ParamValues& v) { return build_reduction(name, kind, v); };
  return op;
}

}  // namespace

std::vector<OpDef> reduction_ops() {
  return {reduction_op("sum", "the sum", Kind::Sum), reduction_op("max", "the maximum", Kind::Max),
          reduction_op("mean", "the mean (accumulating X * (1/count))", Kind::Mean)};
}

}  // namespace weft::ir::ops
