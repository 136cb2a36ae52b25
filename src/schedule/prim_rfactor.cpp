// rfactor: split a reduction over one of its loops into partial results (the rf
// block, one partial per iteration of the loop, in a new buffer) and a final
// reduction of the partials (the original block).
//
//   for i, k_0, k_1:  C[vi] = C[vi] + A[vi, vk]         (vk = k_0 * 4 + k_1)
// rfactor(k_1, 0) gives
//   for i, k_0, k_1:  block C_rf(vk_1 = k_1, vi = i, vk_0 = k_0):
//                       C_rf[vk_1, vi] = C_rf[vk_1, vi] + A[vi, vk_0 * 4 + vk_1]
//   for i, k_1:       block C(vi = i, vk_1 = k_1):  C[vi] = C[vi] + C_rf[vk_1, vi]
#include <map>
#include <optional>

#include "ir/access.h"
#include "ir/functor.h"
#include "ir/substitute.h"
#include "schedule/bindings.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_reduction.h"

namespace weft::sched {

using namespace ir;

namespace {

// A block of the form `init: W[idx] = init_value; body: W[idx] = op(W[idx], x)`.
struct Reducer {
  BinaryOp op;
  Buffer buffer;
  std::vector<Expr> indices;
  Expr init_value;
  Expr operand;          // x
  bool acc_left = true;  // op(W[idx], x) rather than op(x, W[idx])
};

bool loads_buffer(const Expr& e, const BufferNode* buffer) {
  class Finder : public IRVisitor {
   public:
    explicit Finder(const BufferNode* b) : b_(b) {}
    bool found = false;

   protected:
    using IRVisitor::visit;
    void visit(const BufferLoadNode& n, const Expr& self) override {
      found |= n.buffer.get() == b_;
      IRVisitor::visit(n, self);
    }

   private:
    const BufferNode* b_;
  } f(buffer);
  f.visit_expr(e);
  return f.found;
}

bool same_indices(const std::vector<Expr>& a, const std::vector<Expr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same_expr(a[i], b[i])) return false;
  return true;
}

// The reducer of `block`, or an explanation of why it has none.
std::optional<Reducer> match_reducer(const BlockNode& block, std::string* why) {
  auto none = [&](const std::string& reason) {
    *why = reason;
    return std::optional<Reducer>();
  };
  const auto* body = block.body.as<BufferStoreNode>();
  const auto* init = block.init ? block.init.as<BufferStoreNode>() : nullptr;
  if (!block.init) return none("it has no init");
  if (!body || !init) return none("its init and its body must each be a single store");
  if (init->buffer != body->buffer || !same_indices(init->indices, body->indices))
    return none("its init and its body store to different elements");
  const auto* bin = body->value.as<BinaryNode>();
  if (!bin ||
      (bin->op != BinaryOp::Add && bin->op != BinaryOp::Mul && bin->op != BinaryOp::Max && bin->op != BinaryOp::Min))
    return none("its update is not W = W + x, W * x, max(W, x) or min(W, x)");
  Reducer r{bin->op, body->buffer, body->indices, init->value, Expr(), true};
  auto is_acc = [&](const Expr& e) {
    const auto* l = e.as<BufferLoadNode>();
    return l && l->buffer == body->buffer && same_indices(l->indices, body->indices);
  };
  if (is_acc(bin->a)) {
    r.operand = bin->b;
  } else if (is_acc(bin->b)) {
    r.operand = bin->a;
    r.acc_left = false;
  } else {
    return none("its update does not combine the stored element with a value");
  }
  if (loads_buffer(r.operand, body->buffer.get()))
    return none("the combined value reads '" + body->buffer->name + "' too");
  return r;
}

Expr combine(const Reducer& r, Expr acc, Expr x) {
  return r.acc_left ? binary(r.op, std::move(acc), std::move(x)) : binary(r.op, std::move(x), std::move(acc));
}

// The value partial results start from: the identity of + and *, or, for max and
// min (idempotent), the original init value itself.
Expr partial_start(const Reducer& r) {
  DType t = r.buffer->dtype;
  if (r.op == BinaryOp::Add) return make_const(t, 0);
  if (r.op == BinaryOp::Mul) return make_const(t, 1);
  return r.init_value;
}

std::vector<Expr> with_axis(std::vector<Expr> indices, int64_t axis, Expr index) {
  indices.insert(indices.begin() + axis, std::move(index));
  return indices;
}

// The loops that must become iterators of the rf block: the rf loop and, closed
// under sharing, every loop feeding a reduction iterator that uses one of them.
// After fusing reduction loops and splitting the fused loop, `j = f0 // 2` and
// `k = f0 % 2 * 32 + f1` share f0; rewriting only the iterators that use the rf
// loop f1 would keep `j` beside a new iterator for f0, two iterators over one loop,
// and whoever regenerates loops from the iterators would run j * f0 iterations.
VarSet linked_reduction_loops(const BlockNode& block, const BlockRealizeNode& realize,
                              const std::map<const VarNode*, const ForNode*>& loops, const Var& rf_var) {
  VarSet linked{rf_var.get()};
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < block.iter_vars.size(); ++i) {
      if (block.iter_vars[i].kind != IterKind::Reduce || !uses_any_var(realize.iter_values[i], linked)) continue;
      for (const Var& v : collect_vars(realize.iter_values[i]))
        if (loops.count(v.get()) && linked.insert(v.get()).second) grew = true;
    }
  }
  return linked;
}

Stmt copy_loop(const ForNode& l, const Var& var, Stmt body) {
  return make_for(var, l.extent, l.for_kind, std::move(body), l.thread_tag, l.annotations);
}

}  // namespace

BlockRV rfactor(Schedule& sch, LoopRV loop_rv, int64_t factor_axis) {
  const PrimFunc& func = sch.func();
  Var rf_var = sch.loop_var(loop_rv);
  LoopSite loop_site = *find_loop(func, rf_var.get());
  auto fail_loop = [&](const std::string& msg) {
    throw ScheduleError("rfactor: " + msg + "\n  loop " + rf_var->name + ":\n" + snippet(loop_site.loop));
  };
  int64_t rf_extent = const_extent(loop_site.node(), "rfactor");
  std::vector<Stmt> under = child_block_realizes(loop_site.node().body);
  if (under.size() != 1)
    fail_loop("loop " + rf_var->name + " must hold exactly one block, it holds " + std::to_string(under.size()));
  const std::string name = under[0].as<BlockRealizeNode>()->block->name;
  BlockSite site = *find_block(func, name);
  const BlockRealizeNode& realize = site.node();
  const BlockNode& block = site.block();
  auto fail = [&](const std::string& msg) {
    throw ScheduleError("rfactor: " + msg + "\n  block " + name + ":\n" + snippet(site.realize));
  };

  // ---- legality ----------------------------------------------------------------------
  std::string why;
  std::optional<Reducer> reducer = match_reducer(block, &why);
  if (!reducer) fail("block '" + name + "' is not a reduction of a recognised form: " + why);
  if (!block.alloc_buffers.empty()) fail("block '" + name + "' allocates buffers");
  VarSet reduce_iters, spatial_uses, reduce_uses;
  for (size_t i = 0; i < block.iter_vars.size(); ++i) {
    bool reduce = block.iter_vars[i].kind == IterKind::Reduce;
    if (reduce) reduce_iters.insert(block.iter_vars[i].var.get());
    for (const Var& v : collect_vars(realize.iter_values[i])) (reduce ? reduce_uses : spatial_uses).insert(v.get());
  }
  for (const Expr& idx : reducer->indices)
    for (const Var& v : collect_vars(idx))
      if (reduce_iters.count(v.get())) fail("the stored element depends on reduction iterator '" + v->name + "'");
  std::map<const VarNode*, const ForNode*> loops;  // the block's loops, by variable
  for (const Stmt& s : site.loops) {
    const ForNode& l = *s.as<ForNode>();
    loops[l.loop_var.get()] = &l;
    if (spatial_uses.count(l.loop_var.get()) && reduce_uses.count(l.loop_var.get()))
      fail("loop " + l.loop_var->name + " feeds both spatial and reduction iterators");
  }
  if (spatial_uses.count(rf_var.get()))
    fail_loop("loop " + rf_var->name + " feeds a spatial iterator of block '" + name +
              "'; rfactor needs a reduction loop");
  if (!reduce_uses.count(rf_var.get()))
    fail_loop("loop " + rf_var->name + " feeds no reduction iterator of block '" + name + "'");
  for (const Var& v : collect_vars(realize.predicate)) {
    if (!loops.count(v.get())) continue;
    if (!spatial_uses.count(v.get()))
      fail("the predicate depends on loop " + v->name +
           ", which feeds no spatial iterator: partial results could be left without their first update");
  }
  int64_t ndim = reducer->buffer->ndim();
  int64_t axis = factor_axis < 0 ? factor_axis + ndim + 1 : factor_axis;
  if (axis < 0 || axis > ndim)
    fail("factor_axis " + std::to_string(factor_axis) + " is out of range for '" + reducer->buffer->name + "' with " +
         std::to_string(ndim) + " dimension(s): use -" + std::to_string(ndim + 1) + " .. " + std::to_string(ndim));
  for (const auto& [var, l] : loops)
    if (reduce_uses.count(var)) const_extent(*l, "rfactor");
  const ForNode& top_loop = *site.loops.front().as<ForNode>();
  if (child_block_realizes(site.loops.front()).size() != 1)
    fail("loop " + top_loop.loop_var->name + " holds other blocks besides '" + name +
         "'; the final reduction would run after them, so they would see unfinished results");

  // ---- the rf block: partials indexed by the rf loop -----------------------------------
  std::vector<int64_t> rf_shape = reducer->buffer->shape;
  rf_shape.insert(rf_shape.begin() + axis, rf_extent);
  Buffer rf_buffer = make_buffer(sch.fresh_buffer_name(reducer->buffer->name + "_rf"), reducer->buffer->dtype, rf_shape,
                                 reducer->buffer->scope);

  Var rf_iter = make_var("v" + rf_var->name, rf_var->dtype);
  std::vector<IterVar> rf_iters{
      {rf_iter, {int_imm(0, rf_var->dtype), int_imm(rf_extent, rf_var->dtype)}, IterKind::Spatial}};
  std::vector<Expr> rf_values{var_expr(rf_var)};
  VarMap loop_to_iter{{rf_var.get(), var_expr(rf_iter)}};  // loops of rewritten reductions -> new iterators
  VarMap iter_map;                                         // old reduction iterators -> their new form
  VarSet linked = linked_reduction_loops(block, realize, loops, rf_var);
  for (size_t i = 0; i < block.iter_vars.size(); ++i) {
    const IterVar& iv = block.iter_vars[i];
    const Expr& value = realize.iter_values[i];
    if (iv.kind == IterKind::Spatial || !uses_any_var(value, linked)) {
      rf_iters.push_back(iv);
      rf_values.push_back(value);
      continue;
    }
    // A reduction iterator linked to the rf loop: one new iterator per loop it uses.
    for (const Var& v : collect_vars(value)) {
      auto it = loops.find(v.get());
      if (it == loops.end() || loop_to_iter.count(v.get())) continue;
      Var nv = make_var("v" + v->name, v->dtype);
      rf_iters.push_back({nv, {int_imm(0, v->dtype), it->second->extent}, IterKind::Reduce});
      rf_values.push_back(var_expr(v));
      loop_to_iter[v.get()] = var_expr(nv);
    }
    iter_map[iv.var.get()] = substitute(value, loop_to_iter);
  }
  std::vector<Expr> rf_index = with_axis(reducer->indices, axis, var_expr(rf_iter));
  Expr operand = substitute(reducer->operand, iter_map);
  Expr start = substitute(partial_start(*reducer), iter_map);
  bool still_reduces = false;
  for (const IterVar& iv : rf_iters) still_reduces |= iv.kind == IterKind::Reduce;
  Stmt rf_body, rf_init;
  if (still_reduces) {
    rf_body = store(rf_buffer, combine(*reducer, load(rf_buffer, rf_index), operand), rf_index);
    rf_init = store(rf_buffer, start, rf_index);
  } else {  // the loop was the whole reduction: each partial holds one value
    bool identity = reducer->op == BinaryOp::Add || reducer->op == BinaryOp::Mul;
    rf_body = store(rf_buffer, identity ? operand : combine(*reducer, start, operand), rf_index);
  }
  AccessRegions rf_access = collect_accesses(rf_init ? seq({rf_body, rf_init}) : rf_body);
  std::string rf_name = sch.fresh_block_name(name + "_rf");
  Stmt rf_realize = make_block_realize(
      rf_values, realize.predicate,
      make_block(rf_name, rf_iters, rf_access.reads, rf_access.writes, rf_body, rf_init, {}, block.annotations));

  // ---- the write-back block: the original reduction over the partials --------------------
  VarMap copy_map;
  std::vector<std::pair<const ForNode*, Var>> wb_loops;
  for (const Stmt& s : site.loops) {
    const ForNode& l = *s.as<ForNode>();
    if (l.loop_var != rf_var && !spatial_uses.count(l.loop_var.get())) continue;
    Var c = make_var(l.loop_var->name, l.loop_var->dtype);
    wb_loops.push_back({&l, c});
    copy_map[l.loop_var.get()] = var_expr(c);
  }
  std::vector<IterVar> wb_iters;
  std::vector<Expr> wb_values;
  VarMap wb_iter_map;
  for (size_t i = 0; i < block.iter_vars.size(); ++i) {
    const IterVar& iv = block.iter_vars[i];
    if (iv.kind != IterKind::Spatial) continue;
    Var nv = make_var(iv.var->name, iv.var->dtype);
    wb_iters.push_back({nv, iv.dom, IterKind::Spatial});
    wb_values.push_back(substitute(realize.iter_values[i], copy_map));
    wb_iter_map[iv.var.get()] = var_expr(nv);
  }
  Var wb_rf_iter = make_var("v" + rf_var->name, rf_var->dtype);
  wb_iters.push_back({wb_rf_iter, rf_iters[0].dom, IterKind::Reduce});
  wb_values.push_back(copy_map.at(rf_var.get()));
  std::vector<Expr> wb_index;
  for (const Expr& e : reducer->indices) wb_index.push_back(substitute(e, wb_iter_map));
  Stmt wb_body = store(reducer->buffer,
                       combine(*reducer, load(reducer->buffer, wb_index),
                               load(rf_buffer, with_axis(wb_index, axis, var_expr(wb_rf_iter)))),
                       wb_index);
  Stmt wb_init = substitute(block.init, wb_iter_map);
  AccessRegions wb_access = collect_accesses(seq({wb_body, wb_init}));
  Stmt wb = make_block_realize(
      wb_values, substitute(realize.predicate, copy_map),
      make_block(name, wb_iters, wb_access.reads, wb_access.writes, wb_body, wb_init, {}, block.annotations));
  for (size_t i = wb_loops.size(); i-- > 0;) wb = copy_loop(*wb_loops[i].first, wb_loops[i].second, wb);

  // ---- rewrite: rf block in place, write-back after the nest, rf buffer allocated -------
  const Var top_var = top_loop.loop_var;
  std::string parent_name = site.parent.as<BlockRealizeNode>()->block->name;
  PrimFunc out = replace_stmt(func, site.realize.get(), rf_realize);
  LoopSite top = *find_loop(out, top_var.get());
  out = replace_stmt(out, top.loop.get(), seq({top.loop, wb}));
  BlockSite parent = *find_block(out, parent_name);
  BlockEdit edit;
  edit.alloc_buffers = parent.block().alloc_buffers;
  edit.alloc_buffers->push_back(rf_buffer);
  out = replace_stmt(
      out, parent.realize.get(),
      make_block_realize(parent.node().iter_values, parent.node().predicate, edit_block(parent.block(), edit)));

  sch.set_func(out);
  BlockRV result = sch.make_block_rv(rf_name);
  sch.record({"rfactor", {Arg(loop_rv), Arg(factor_axis)}, {}, {RV{RVKind::Block, result.id}}, std::nullopt});
  return result;
}

namespace {
const RegisterInstruction kRfactor({"rfactor", RVKind::Block, false, false,
                                    [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                       const std::optional<Arg>&) {
                                      ArgReader r("rfactor", in, attrs);
                                      r.expect_count(2);
                                      BlockRV b = rfactor(sch, r.loop(0), r.integer(1));
                                      return std::vector<RV>{{RVKind::Block, b.id}};
                                    }});
}  // namespace

}  // namespace weft::sched
