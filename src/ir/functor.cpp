#include "ir/functor.h"

namespace weft::ir {

// ---- IRVisitor ----------------------------------------------------------------------

void IRVisitor::visit(const BinaryNode& n, const Expr&) {
  visit_expr(n.a);
  visit_expr(n.b);
}
void IRVisitor::visit(const NotNode& n, const Expr&) { visit_expr(n.a); }
void IRVisitor::visit(const CastNode& n, const Expr&) { visit_expr(n.value); }
void IRVisitor::visit(const SelectNode& n, const Expr&) {
  visit_expr(n.cond);
  visit_expr(n.true_value);
  visit_expr(n.false_value);
}
void IRVisitor::visit(const CallNode& n, const Expr&) {
  for (const Expr& a : n.args) visit_expr(a);
}
void IRVisitor::visit(const BufferLoadNode& n, const Expr&) {
  for (const Expr& i : n.indices) visit_expr(i);
}
void IRVisitor::visit(const ForNode& n, const Stmt&) {
  visit_expr(n.extent);
  visit_stmt(n.body);
}
void IRVisitor::visit(const BlockRealizeNode& n, const Stmt&) {
  for (const Expr& v : n.iter_values) visit_expr(v);
  visit_expr(n.predicate);
  visit_block(*n.block);
}
void IRVisitor::visit_region(const BufferRegion& region) {
  for (const Range& r : region.region) {
    visit_expr(r.min);
    visit_expr(r.extent);
  }
}
void IRVisitor::visit_block(const BlockNode& b) {
  for (const IterVar& iv : b.iter_vars) {
    visit_expr(iv.dom.min);
    visit_expr(iv.dom.extent);
  }
  for (const auto& r : b.reads) visit_region(r);
  for (const auto& r : b.writes) visit_region(r);
  if (b.init) visit_stmt(b.init);
  visit_stmt(b.body);
}
void IRVisitor::visit(const BufferStoreNode& n, const Stmt&) {
  visit_expr(n.value);
  for (const Expr& i : n.indices) visit_expr(i);
}
void IRVisitor::visit(const SeqStmtNode& n, const Stmt&) {
  for (const Stmt& s : n.seq) visit_stmt(s);
}
void IRVisitor::visit(const IfThenElseNode& n, const Stmt&) {
  visit_expr(n.cond);
  visit_stmt(n.then_case);
  if (n.else_case) visit_stmt(n.else_case);
}

// ---- IRMutator ----------------------------------------------------------------------

std::vector<Expr> IRMutator::mutate(const std::vector<Expr>& es, bool* changed) {
  std::vector<Expr> out;
  out.reserve(es.size());
  for (const Expr& e : es) {
    out.push_back(mutate(e));
    if (!out.back().same_as(e)) *changed = true;
  }
  return out;
}

Range IRMutator::mutate(const Range& r, bool* changed) {
  Range out{mutate(r.min), mutate(r.extent)};
  if (!out.min.same_as(r.min) || !out.extent.same_as(r.extent)) *changed = true;
  return out;
}

BufferRegion IRMutator::mutate(const BufferRegion& r, bool* changed) {
  BufferRegion out{r.buffer, {}};
  for (const Range& rg : r.region) out.region.push_back(mutate(rg, changed));
  return out;
}

Expr IRMutator::visit(const BinaryNode& n, const Expr& self) {
  Expr a = mutate(n.a), b = mutate(n.b);
  if (a.same_as(n.a) && b.same_as(n.b)) return self;
  return binary(n.op, a, b);
}
Expr IRMutator::visit(const NotNode& n, const Expr& self) {
  Expr a = mutate(n.a);
  return a.same_as(n.a) ? self : logical_not(a);
}
Expr IRMutator::visit(const CastNode& n, const Expr& self) {
  Expr v = mutate(n.value);
  return v.same_as(n.value) ? self : cast(n.dtype, v);
}
Expr IRMutator::visit(const SelectNode& n, const Expr& self) {
  Expr c = mutate(n.cond), t = mutate(n.true_value), f = mutate(n.false_value);
  if (c.same_as(n.cond) && t.same_as(n.true_value) && f.same_as(n.false_value)) return self;
  return select(c, t, f);
}
Expr IRMutator::visit(const CallNode& n, const Expr& self) {
  bool changed = false;
  auto args = mutate(n.args, &changed);
  return changed ? call(n.func, args) : self;
}
Expr IRMutator::visit(const BufferLoadNode& n, const Expr& self) {
  bool changed = false;
  auto idx = mutate(n.indices, &changed);
  return changed ? load(n.buffer, idx) : self;
}

Stmt IRMutator::visit(const ForNode& n, const Stmt& self) {
  Expr ext = mutate(n.extent);
  Stmt body = mutate(n.body);
  if (ext.same_as(n.extent) && body.same_as(n.body)) return self;
  return make_for(n.loop_var, ext, n.for_kind, body, n.thread_tag, n.annotations);
}

Block IRMutator::mutate_block(const Block& block) {
  const BlockNode& b = *block;
  bool changed = false;
  std::vector<IterVar> ivs;
  for (const IterVar& iv : b.iter_vars) ivs.push_back({iv.var, mutate(iv.dom, &changed), iv.kind});
  std::vector<BufferRegion> reads, writes;
  for (const auto& r : b.reads) reads.push_back(mutate(r, &changed));
  for (const auto& r : b.writes) writes.push_back(mutate(r, &changed));
  Stmt init = mutate(b.init);
  Stmt body = mutate(b.body);
  if (!init.same_as(b.init) || !body.same_as(b.body)) changed = true;
  if (!changed) return block;
  return make_block(b.name, ivs, reads, writes, body, init, b.alloc_buffers, b.annotations);
}

Stmt IRMutator::visit(const BlockRealizeNode& n, const Stmt& self) {
  bool changed = false;
  auto values = mutate(n.iter_values, &changed);
  Expr pred = mutate(n.predicate);
  Block block = mutate_block(n.block);
  if (!changed && pred.same_as(n.predicate) && block == n.block) return self;
  return make_block_realize(values, pred, block);
}

Stmt IRMutator::visit(const BufferStoreNode& n, const Stmt& self) {
  bool changed = false;
  Expr v = mutate(n.value);
  auto idx = mutate(n.indices, &changed);
  if (!changed && v.same_as(n.value)) return self;
  return store(n.buffer, v, idx);
}

Stmt IRMutator::visit(const SeqStmtNode& n, const Stmt& self) {
  bool changed = false;
  std::vector<Stmt> out;
  for (const Stmt& s : n.seq) {
    out.push_back(mutate(s));
    if (!out.back().same_as(s)) changed = true;
  }
  return changed ? seq(out) : self;
}

Stmt IRMutator::visit(const IfThenElseNode& n, const Stmt& self) {
  Expr c = mutate(n.cond);
  Stmt t = mutate(n.then_case), e = mutate(n.else_case);
  if (c.same_as(n.cond) && t.same_as(n.then_case) && e.same_as(n.else_case)) return self;
  return if_then_else(c, t, e);
}

}  // namespace weft::ir
