// Helpers for codegen and runtime tests: building small programs by hand and
// checking compiled functions against the reference interpreter.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ir/interpreter.h"
#include "ir/ndarray.h"
#include "ir/stmt.h"
#include "runtime/cpu_module.h"

namespace weft::test {

inline ir::Expr ve(const ir::Var& v) { return ir::var_expr(v); }

// f(Out: f32[4, 4]) whose one block "fill" writes an allocated tmp[4, 4] and Out,
// carrying `annotations` (for storage layout annotations naming either buffer).
inline ir::PrimFunc annotated_fill_program(const ir::Annotations& annotations) {
  using namespace ir;
  Buffer out = make_buffer("Out", DType::f32, {4, 4});
  Buffer tmp = make_buffer("tmp", DType::f32, {4, 4});
  Var i = make_var("i"), j = make_var("j");
  Var vi = make_var("vi"), vj = make_var("vj");
  Block fill = make_block("fill", {{vi, {0, 4}, IterKind::Spatial}, {vj, {0, 4}, IterKind::Spatial}}, {},
                          {full_region(tmp), full_region(out)},
                          seq({store(tmp, float_imm(1), {ve(vi), ve(vj)}),
                               store(out, float_imm(2), {ve(vi), ve(vj)})}),
                          Stmt(), {}, annotations);
  Stmt s = make_for(i, 4, ForKind::Serial,
                    make_for(j, 4, ForKind::Serial, make_block_realize({ve(i), ve(j)}, bool_imm(true), fill)));
  return make_func_with_root("f", {out}, s, {tmp});
}

// Loops over `out`'s shape around one spatial block `name` that stores
// body(iterators) into out[iterators]; loop d has kinds[d] (serial when absent).
inline ir::Stmt spatial_nest(const std::string& name, const ir::Buffer& out,
                             const std::function<ir::Expr(const std::vector<ir::Expr>&)>& body,
                             const std::vector<ir::ForKind>& kinds = {}) {
  using namespace ir;
  std::vector<Var> loops;
  std::vector<IterVar> ivs;
  std::vector<Expr> bindings, idx;
  for (int d = 0; d < out->ndim(); ++d) {
    loops.push_back(make_var("i" + std::to_string(d)));
    Var v = make_var("v" + std::to_string(d));
    ivs.push_back({v, {int_imm(0), int_imm(out->shape[d])}, IterKind::Spatial});
    bindings.push_back(ve(loops.back()));
    idx.push_back(ve(v));
  }
  Stmt s = make_block_realize(bindings, bool_imm(true),
                              make_block(name, ivs, {}, {full_region(out)}, store(out, body(idx), idx)));
  for (int d = out->ndim() - 1; d >= 0; --d)
    s = make_for(loops[d], int_imm(out->shape[d]), d < static_cast<int>(kinds.size()) ? kinds[d] : ForKind::Serial, s);
  return s;
}

// One random array per parameter of `func`, values in [lo, hi).
inline std::vector<ir::NDArray> random_args(const ir::PrimFunc& func, uint64_t seed, double lo = -1, double hi = 1) {
  Rng rng(seed);
  std::vector<ir::NDArray> arrays;
  for (const ir::Buffer& p : func->params) arrays.push_back(ir::NDArray::random(p->dtype, p->shape, rng, lo, hi));
  return arrays;
}

inline std::vector<ir::NDArray*> pointers(std::vector<ir::NDArray>& arrays) {
  std::vector<ir::NDArray*> ptrs;
  for (ir::NDArray& a : arrays) ptrs.push_back(&a);
  return ptrs;
}

// Runs the interpreter and `fn` on the same random arguments; "" when every
// parameter ends up equal (within the dtype's tolerance), else what differs.
inline std::string compare_with_interpreter(const runtime::CpuFunction& fn, uint64_t seed = 7, double lo = -1,
                                            double hi = 1) {
  std::vector<ir::NDArray> expected = random_args(fn.func(), seed, lo, hi), actual = expected;
  ir::interpret(fn.func(), pointers(expected));
  fn(pointers(actual));
  std::string problems;
  for (size_t i = 0; i < expected.size(); ++i) {
    ir::Comparison c = ir::compare(expected[i], actual[i]);
    if (!c.ok) problems += fn.name() + ": parameter '" + fn.func()->params[i]->name + "': " + c.message + "\n";
  }
  return problems;
}

}  // namespace weft::test
