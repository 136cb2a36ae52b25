#include "ir/expr_order.h"

#include <bit>
#include <cstdint>
#include <functional>

#include "ir/buffer.h"
#include "ir/functor.h"

namespace weft::ir {

namespace {

int kind_rank(ExprKind k) {
  switch (k) {
    case ExprKind::Var: return 0;
    case ExprKind::BufferLoad: return 1;
    case ExprKind::Call: return 2;
    case ExprKind::Cast: return 3;
    case ExprKind::Binary: return 4;
    case ExprKind::Select: return 5;
    case ExprKind::Not: return 6;
    case ExprKind::IntImm: return 7;
    case ExprKind::FloatImm: return 8;
  }
  return 9;
}

template <typename T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

class Noter : public IRVisitor {
 public:
  explicit Noter(std::unordered_map<const void*, int>& ordinal) : ordinal_(ordinal) {}

 protected:
  using IRVisitor::visit;
  void visit(const VarNode& n, const Expr&) override { add(&n); }
  void visit(const BufferLoadNode& n, const Expr& self) override {
    add(n.buffer.get());
    IRVisitor::visit(n, self);
  }

 private:
  void add(const void* p) { ordinal_.emplace(p, static_cast<int>(ordinal_.size())); }
  std::unordered_map<const void*, int>& ordinal_;
};

}  // namespace

void ExprOrder::note(const Expr& e) {
  if (!e) return;
  Noter n(ordinal_);
  n.visit_expr(e);
}

int ExprOrder::compare_objects(const void* a, const void* b) const {
  if (a == b) return 0;
  auto ia = ordinal_.find(a), ib = ordinal_.find(b);
  if (ia != ordinal_.end() && ib != ordinal_.end()) return three_way(ia->second, ib->second);
  if (ia != ordinal_.end()) return -1;  // noted objects first
  if (ib != ordinal_.end()) return 1;
  return std::less<const void*>()(a, b) ? -1 : 1;
}

int ExprOrder::compare(const Expr& a, const Expr& b) const {
  if (a.same_as(b)) return 0;
  if (int c = three_way(kind_rank(a.kind()), kind_rank(b.kind()))) return c;
  auto list = [this](const std::vector<Expr>& x, const std::vector<Expr>& y) {
    if (int c = three_way(x.size(), y.size())) return c;
    for (size_t i = 0; i < x.size(); ++i)
      if (int c = compare(x[i], y[i])) return c;
    return 0;
  };
  switch (a.kind()) {
    case ExprKind::Var: {
      const auto *x = a.as<VarNode>(), *y = b.as<VarNode>();
      if (int c = x->name.compare(y->name)) return c < 0 ? -1 : 1;
      if (int c = three_way(x->dtype, y->dtype)) return c;
      return compare_objects(x, y);
    }
    case ExprKind::IntImm: {
      if (int c = three_way(a.dtype(), b.dtype())) return c;
      return three_way(a.as<IntImmNode>()->value, b.as<IntImmNode>()->value);
    }
    case ExprKind::FloatImm: {
      if (int c = three_way(a.dtype(), b.dtype())) return c;
      double x = a.as<FloatImmNode>()->value, y = b.as<FloatImmNode>()->value;
      if (int c = three_way(x, y)) return c;
      // Equal values (or NaNs) can still differ in their bits: -0.0 vs 0.0.
      return three_way(std::bit_cast<uint64_t>(x), std::bit_cast<uint64_t>(y));
    }
    case ExprKind::Binary: {
      const auto *x = a.as<BinaryNode>(), *y = b.as<BinaryNode>();
      if (int c = three_way(x->op, y->op)) return c;
      if (int c = compare(x->a, y->a)) return c;
      return compare(x->b, y->b);
    }
    case ExprKind::Not: return compare(a.as<NotNode>()->a, b.as<NotNode>()->a);
    case ExprKind::Cast: {
      if (int c = three_way(a.dtype(), b.dtype())) return c;
      return compare(a.as<CastNode>()->value, b.as<CastNode>()->value);
    }
    case ExprKind::Select: {
      const auto *x = a.as<SelectNode>(), *y = b.as<SelectNode>();
      if (int c = compare(x->cond, y->cond)) return c;
      if (int c = compare(x->true_value, y->true_value)) return c;
      return compare(x->false_value, y->false_value);
    }
    case ExprKind::Call: {
      const auto *x = a.as<CallNode>(), *y = b.as<CallNode>();
      if (int c = three_way(x->func, y->func)) return c;
      return list(x->args, y->args);
    }
    case ExprKind::BufferLoad: {
      const auto *x = a.as<BufferLoadNode>(), *y = b.as<BufferLoadNode>();
      if (x->buffer != y->buffer) {
        if (int c = x->buffer->name.compare(y->buffer->name)) return c < 0 ? -1 : 1;
        if (int c = compare_objects(x->buffer.get(), y->buffer.get())) return c;
      }
      return list(x->indices, y->indices);
    }
  }
  return 0;
}

}  // namespace weft::ir
