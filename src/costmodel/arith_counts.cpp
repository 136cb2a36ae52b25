#include "costmodel/arith_counts.h"

#include "ir/functor.h"

namespace weft::costmodel {

namespace {

using namespace layout;

class ArithCounter : public ir::IRVisitor {
 public:
  ArithCounts counts{};

 protected:
  using ir::IRVisitor::visit;

  void visit(const ir::BinaryNode& n, const ir::Expr& self) override {
    ir::DType t = n.a.dtype();  // comparisons yield bool; count them by operand type
    bool is_float = ir::is_float(t);
    switch (n.op) {
      case ir::BinaryOp::Add:
      case ir::BinaryOp::Sub:
        add(is_float ? kFloatAddSub : kIntAddSub);
        if (is_float && (is_float_mul(n.a) || is_float_mul(n.b))) add(kFloatFma);
        break;
      case ir::BinaryOp::Mul: add(is_float ? kFloatMul : kIntMul); break;
      case ir::BinaryOp::Div:
      case ir::BinaryOp::FloorDiv:
      case ir::BinaryOp::FloorMod: add(is_float ? kFloatDiv : kIntDivMod); break;
      case ir::BinaryOp::Min:
      case ir::BinaryOp::Max: add(is_float ? kFloatMinMax : kIntMinMax); break;
      case ir::BinaryOp::EQ:
      case ir::BinaryOp::NE:
      case ir::BinaryOp::LT:
      case ir::BinaryOp::LE:
      case ir::BinaryOp::GT:
      case ir::BinaryOp::GE: add(is_float ? kFloatCmp : kIntCmp); break;
      case ir::BinaryOp::And:
      case ir::BinaryOp::Or: add(kBoolOp); break;
    }
    ir::IRVisitor::visit(n, self);
  }
  void visit(const ir::NotNode& n, const ir::Expr& self) override {
    add(kBoolOp);
    ir::IRVisitor::visit(n, self);
  }
  void visit(const ir::CastNode& n, const ir::Expr& self) override {
    add(kCast);
    ir::IRVisitor::visit(n, self);
  }
  void visit(const ir::SelectNode& n, const ir::Expr& self) override {
    add(kSelect);
    ir::IRVisitor::visit(n, self);
  }
  void visit(const ir::CallNode& n, const ir::Expr& self) override {
    switch (n.func) {
      case ir::Intrinsic::sqrt:
      case ir::Intrinsic::rsqrt:
      case ir::Intrinsic::abs: add(kFloatOtherMath); break;
      default: add(kFloatExpLike); break;  // exp, log, tanh, erf, sigmoid, pow
    }
    ir::IRVisitor::visit(n, self);
  }

 private:
  static bool is_float_mul(const ir::Expr& e) {
    const auto* b = e.as<ir::BinaryNode>();
    return b && b->op == ir::BinaryOp::Mul && ir::is_float(b->dtype);
  }
  void add(Arith kind) { counts[kind] += 1; }
};

}  // namespace

ArithCounts count_arith(const ir::BufferStoreNode& store) {
  ArithCounter c;
  c.visit_expr(store.value);
  for (const ir::Expr& i : store.indices) c.visit_expr(i);
  ArithCounts& k = c.counts;
  k[kFloatFlops] = k[kFloatAddSub] + k[kFloatMul] + k[kFloatDiv] + k[kFloatMinMax] + k[kFloatExpLike] +
                   k[kFloatOtherMath] + k[kFloatCmp];
  return k;
}

}  // namespace weft::costmodel
