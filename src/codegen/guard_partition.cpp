#include "codegen/guard_partition.h"

#include <unordered_map>
#include <vector>

#include "ir/functor.h"
#include "ir/linear_form.h"
#include "ir/simplify.h"
#include "ir/substitute.h"

namespace weft::codegen {

using namespace ir;

namespace {

// What the body of the partitioned loop binds: loop variables (with their
// constant extents, when constant) and block iterators, and the guarded realizes.
class BodyScan : public IRVisitor {
 public:
  std::unordered_map<const VarNode*, int64_t> loop_extents;
  VarSet bound;
  VarSet serial;  // serial loops (which could be partitioned themselves)
  std::vector<const BlockRealizeNode*> guarded;

 protected:
  void visit(const ForNode& n, const Stmt& s) override {
    bound.insert(n.loop_var.get());
    int64_t extent;
    if (is_const_int(n.extent, &extent) && extent > 0) loop_extents[n.loop_var.get()] = extent;
    if (n.for_kind == ForKind::Serial) serial.insert(n.loop_var.get());
    IRVisitor::visit(n, s);
  }
  void visit(const BlockRealizeNode& n, const Stmt& s) override {
    if (!is_const_true(n.predicate)) guarded.push_back(&n);
    IRVisitor::visit(n, s);
  }
  void visit_block(const BlockNode& b) override {
    for (const IterVar& iv : b.iter_vars) bound.insert(iv.var.get());
    IRVisitor::visit_block(b);
  }
};

void conjuncts(const Expr& e, std::vector<Expr>* out) {
  const auto* b = e.as<BinaryNode>();
  if (b && b->op == BinaryOp::And) {
    conjuncts(b->a, out);
    conjuncts(b->b, out);
  } else {
    out->push_back(e);
  }
}

class Partitioner {
 public:
  Partitioner(const ForNode& loop, int64_t extent, const BodyScan& scan) : loop_(loop), extent_(extent), scan_(scan) {}

  // The end of the prefix of the loop's iterations on which `predicate` holds for
  // every inner value, or a null Expr when the predicate is not of the handled form.
  Expr prefix_end(const Expr& predicate) const {
    std::vector<Expr> parts;
    conjuncts(predicate, &parts);
    Expr end;
    for (const Expr& part : parts) {
      if (is_const_true(part)) continue;
      Expr e = comparison_end(part);
      if (!e) return Expr();
      end = end ? min(end, e) : e;
    }
    return end;
  }

 private:
  // `lhs OP rhs` as `d <= limit` with d = lhs - rhs (or rhs - lhs), then solved for x.
  Expr comparison_end(const Expr& cmp) const {
    const auto* b = cmp.as<BinaryNode>();
    if (!b || !is_int(b->a.dtype()) || !is_int(b->b.dtype())) return Expr();
    bool flip;
    int64_t limit;
    switch (b->op) {
      case BinaryOp::LT: flip = false, limit = -1; break;
      case BinaryOp::LE: flip = false, limit = 0; break;
      case BinaryOp::GT: flip = true, limit = -1; break;
      case BinaryOp::GE: flip = true, limit = 0; break;
      default: return Expr();
    }
    ExprOrder order;
    order.note(b->a);
    order.note(b->b);
    LinearForm d = LinearForm::of(flip ? b->b : b->a, order);
    d.add(LinearForm::of(flip ? b->a : b->b, order), -1, order);

    // d = c*x + (inner terms, at most inner_max) + outer + constant.
    DType t = DType::i64;
    int64_t c = 0, inner_max = 0;
    LinearForm outer(t, 0);
    for (const LinearTerm& term : d.terms()) {
      const auto* v = term.atom.as<VarNode>();
      if (v == loop_.loop_var.get()) {
        c += term.coeff;
      } else if (v && scan_.loop_extents.count(v)) {
        // Inner loops run from 0 to extent - 1.
        if (term.coeff > 0) inner_max += term.coeff * (scan_.loop_extents.at(v) - 1);
      } else if (uses_var(term.atom, loop_.loop_var) || uses_any_var(term.atom, scan_.bound)) {
        return Expr();
      } else {
        outer.add_term(cast(t, term.atom), term.coeff, order);
      }
    }
    if (c < 0) return Expr();  // holds on a suffix: not handled
    // A comparison that does not involve x but an inner serial loop is left to that
    // loop, where it splits the iterations instead of all or nothing.
    if (c == 0)
      for (const LinearTerm& term : d.terms())
        if (const auto* v = term.atom.as<VarNode>(); v && scan_.serial.count(v)) return Expr();
    // c*x + outer <= rest, with rest = limit - constant - inner_max.
    Expr rest = int_imm(limit - d.constant() - inner_max, t);
    if (!outer.is_constant()) rest = binary(BinaryOp::Sub, rest, outer.to_expr());
    Expr extent = int_imm(extent_, t);
    if (c == 0) return select(ge(rest, int_imm(0, t)), extent, int_imm(0, t));
    return binary(BinaryOp::Add, floordiv(rest, int_imm(c, t)), int_imm(1, t));
  }

  const ForNode& loop_;
  int64_t extent_;
  const BodyScan& scan_;
};

}  // namespace

std::optional<GuardPartition> partition_guards(const ForNode& loop, const RealizeSet& already_dropped) {
  int64_t extent;
  if (!is_const_int(loop.extent, &extent) || extent < 1) return std::nullopt;
  BodyScan scan;
  scan.visit_stmt(loop.body);
  Partitioner partitioner(loop, extent, scan);

  GuardPartition p;
  Expr end;
  for (const BlockRealizeNode* r : scan.guarded) {
    if (already_dropped.count(r)) continue;
    Expr e = partitioner.prefix_end(r->predicate);
    if (!e) continue;
    p.dropped.insert(r);
    end = end ? min(end, e) : e;
  }
  if (p.dropped.empty()) return std::nullopt;
  DType t = DType::i64;
  p.split = simplify(min(max(end, int_imm(0, t)), int_imm(extent, t)));
  return p;
}

}  // namespace weft::codegen
