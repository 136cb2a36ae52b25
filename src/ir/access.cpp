#include "ir/access.h"

#include "ir/functor.h"
#include "support/error.h"

namespace weft::ir {

bool same_expr(const Expr& a, const Expr& b) {
  if (a.same_as(b)) return true;
  if (!a || !b || a.kind() != b.kind() || a.dtype() != b.dtype()) return false;
  auto same_list = [](const std::vector<Expr>& x, const std::vector<Expr>& y) {
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!same_expr(x[i], y[i])) return false;
    return true;
  };
  switch (a.kind()) {
    case ExprKind::Var: return false;  // distinct variable objects (identity checked above)
    case ExprKind::IntImm: return a.as<IntImmNode>()->value == b.as<IntImmNode>()->value;
    case ExprKind::FloatImm: {
      double x = a.as<FloatImmNode>()->value, y = b.as<FloatImmNode>()->value;
      return x == y || (x != x && y != y);  // NaN immediates are the same constant
    }
    case ExprKind::Binary: {
      const auto *x = a.as<BinaryNode>(), *y = b.as<BinaryNode>();
      return x->op == y->op && same_expr(x->a, y->a) && same_expr(x->b, y->b);
    }
    case ExprKind::Not: return same_expr(a.as<NotNode>()->a, b.as<NotNode>()->a);
    case ExprKind::Cast: return same_expr(a.as<CastNode>()->value, b.as<CastNode>()->value);
    case ExprKind::Select: {
      const auto *x = a.as<SelectNode>(), *y = b.as<SelectNode>();
      return same_expr(x->cond, y->cond) && same_expr(x->true_value, y->true_value) &&
             same_expr(x->false_value, y->false_value);
    }
    case ExprKind::Call: {
      const auto *x = a.as<CallNode>(), *y = b.as<CallNode>();
      return x->func == y->func && same_list(x->args, y->args);
    }
    case ExprKind::BufferLoad: {
      const auto *x = a.as<BufferLoadNode>(), *y = b.as<BufferLoadNode>();
      return x->buffer == y->buffer && same_list(x->indices, y->indices);
    }
  }
  return false;
}

namespace {

class AccessCollector : public IRVisitor {
 public:
  AccessRegions result;

 protected:
  using IRVisitor::visit;

  void visit(const BufferLoadNode& n, const Expr& self) override {
    add(&result.reads, n.buffer, n.indices);
    IRVisitor::visit(n, self);  // indices may load too
  }
  void visit(const BufferStoreNode& n, const Stmt& self) override {
    add(&result.writes, n.buffer, n.indices);
    IRVisitor::visit(n, self);
  }
  void visit(const ForNode& n, const Stmt&) override {
    throw InternalError("collect_accesses: loop '" + n.loop_var->name +
                        "' inside a block body; point regions cannot describe it");
  }
  void visit(const BlockRealizeNode& n, const Stmt&) override {
    throw InternalError("collect_accesses: nested block '" + n.block->name +
                        "' inside a block body; point regions cannot describe it");
  }

 private:
  static void add(std::vector<BufferRegion>* list, const Buffer& buffer, const std::vector<Expr>& indices) {
    for (const BufferRegion& r : *list) {
      if (r.buffer != buffer) continue;
      bool same = true;
      for (size_t d = 0; d < indices.size() && same; ++d) same = same_expr(r.region[d].min, indices[d]);
      if (same) return;
    }
    BufferRegion region{buffer, {}};
    for (const Expr& index : indices) region.region.push_back({index, int_imm(1, index.dtype())});
    list->push_back(std::move(region));
  }
};

}  // namespace

AccessRegions collect_accesses(const Stmt& body) {
  AccessCollector collector;
  if (body) collector.visit_stmt(body);
  return std::move(collector.result);
}

}  // namespace weft::ir
