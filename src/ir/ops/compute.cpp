#include "ir/ops/compute.h"

#include <cmath>
#include <limits>

#include "ir/access.h"
#include "support/error.h"

namespace weft::ir::ops {

Stmt compute_block(const std::string& name, const std::vector<Axis>& axes,
                   const std::function<BlockCode(const std::vector<Expr>& iters)>& code) {
  std::vector<Var> loop_vars;
  std::vector<IterVar> iter_vars;
  std::vector<Expr> iters, bindings;
  for (const Axis& a : axes) {
    Var loop = make_var(a.name);
    Var iter = make_var("v" + a.name);
    loop_vars.push_back(loop);
    iter_vars.push_back({iter, {int_imm(0), int_imm(a.extent)}, a.kind});
    iters.push_back(var_expr(iter));
    bindings.push_back(var_expr(loop));
  }
  BlockCode c = code(iters);
  bool reduces = false;
  for (const Axis& a : axes) reduces |= a.kind == IterKind::Reduce;
  if (reduces != static_cast<bool>(c.init))
    throw InternalError("block '" + name + "': a reduction block needs an init and only a reduction block has one");
  AccessRegions access = collect_accesses(seq({c.init, c.body}));
  Block block = make_block(name, iter_vars, access.reads, access.writes, c.body, c.init);
  Stmt stmt = make_block_realize(bindings, bool_imm(true), block);
  for (size_t i = axes.size(); i-- > 0;) stmt = make_for(loop_vars[i], int_imm(axes[i].extent), ForKind::Serial, stmt);
  return stmt;
}

BlockCode reduction(const Buffer& out, const std::vector<Expr>& index, Expr identity,
                    const std::function<Expr(Expr acc)>& combine) {
  return {store(out, combine(load(out, index)), index), store(out, std::move(identity), index)};
}

Expr as_type(DType dtype, Expr value) { return value.dtype() == dtype ? value : cast(dtype, std::move(value)); }

DType accumulation_type(DType storage) {
  return storage == DType::f16 || storage == DType::bf16 ? DType::f32 : storage;
}

Expr lowest_value(DType dtype) {
  switch (dtype) {
    case DType::f64: return make_const(dtype, std::numeric_limits<double>::lowest());
    case DType::f32: return make_const(dtype, std::numeric_limits<float>::lowest());
    case DType::f16: return make_const(dtype, -65504.0);
    case DType::bf16: return make_const(dtype, -3.38953138925153547590470800371487866880e+38);
    default: throw InternalError("lowest_value of non-float type " + std::string(dtype_name(dtype)));
  }
}

Expr relu(const Expr& x) { return max(x, make_const(x.dtype(), 0.0)); }

Expr gelu_erf(const Expr& x) {
  DType t = x.dtype();
  return make_const(t, 0.5) * x * (make_const(t, 1.0) + call(Intrinsic::erf, {x * make_const(t, M_SQRT1_2)}));
}

Expr gelu_tanh(const Expr& x) {
  DType t = x.dtype();
  Expr inner = make_const(t, std::sqrt(2.0 / M_PI)) * (x + make_const(t, 0.044715) * x * x * x);
  return make_const(t, 0.5) * x * (make_const(t, 1.0) + call(Intrinsic::tanh, {inner}));
}

}  // namespace weft::ir::ops
