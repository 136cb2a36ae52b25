#include "ir/ops/flop_count.h"

#include "ir/functor.h"
#include "support/error.h"

namespace weft::ir::ops {
namespace {

// Float operations in a statement, not looking into nested blocks.
class OpCounter : public IRVisitor {
 public:
  double ops = 0;

 protected:
  using IRVisitor::visit;
  void visit(const BinaryNode& n, const Expr& self) override {
    if (is_float(n.a.dtype())) ops += 1;
    IRVisitor::visit(n, self);
  }
  void visit(const CallNode& n, const Expr& self) override {
    ops += 1;
    IRVisitor::visit(n, self);
  }
  void visit(const BlockRealizeNode&, const Stmt&) override {}
};

class FlopCounter : public IRVisitor {
 public:
  double flops = 0;

 protected:
  void visit_block(const BlockNode& block) override {
    double instances = 1;
    for (const IterVar& iv : block.iter_vars) {
      int64_t extent = 0;
      if (!is_const_int(iv.dom.extent, &extent))
        throw InternalError("count_flops: iterator '" + iv.var->name + "' of block '" + block.name +
                            "' has a non-constant domain");
      instances *= static_cast<double>(extent);
    }
    OpCounter counter;
    counter.visit_stmt(block.body);
    double saved = scale_;
    scale_ *= instances;
    flops += scale_ * counter.ops;
    visit_stmt(block.body);  // nested blocks run once per instance of this one
    scale_ = saved;
  }

 private:
  double scale_ = 1;
};

}  // namespace

double count_flops(const PrimFunc& func) {
  FlopCounter counter;
  counter.visit_stmt(func->body);
  return counter.flops;
}

}  // namespace weft::ir::ops
