// Dispatch over the node list: ExprFunctor/StmtFunctor (return a value per node
// kind), ExprVisitor/StmtVisitor (walk every child), and ExprMutator/StmtMutator
// (rebuild a node only when a child changed, so unchanged subtrees stay shared).
#pragma once

#include <utility>
#include <vector>

#include "ir/stmt.h"

namespace weft::ir {

template <typename R, typename... Args>
class ExprFunctor {
 public:
  virtual ~ExprFunctor() = default;
  R visit_expr(const Expr& e, Args... args) {
    switch (e.kind()) {
#define WEFT_X(N) \
  case ExprKind::N: return visit(*static_cast<const N##Node*>(e.get()), e, std::forward<Args>(args)...);
      WEFT_EXPR_NODES(WEFT_X)
#undef WEFT_X
    }
    return R();
  }

 protected:
#define WEFT_X(N) virtual R visit(const N##Node& node, const Expr& self, Args... args) = 0;
  WEFT_EXPR_NODES(WEFT_X)
#undef WEFT_X
};

template <typename R, typename... Args>
class StmtFunctor {
 public:
  virtual ~StmtFunctor() = default;
  R visit_stmt(const Stmt& s, Args... args) {
    switch (s.kind()) {
#define WEFT_X(N) \
  case StmtKind::N: return visit(*static_cast<const N##Node*>(s.get()), s, std::forward<Args>(args)...);
      WEFT_STMT_NODES(WEFT_X)
#undef WEFT_X
    }
    return R();
  }

 protected:
#define WEFT_X(N) virtual R visit(const N##Node& node, const Stmt& self, Args... args) = 0;
  WEFT_STMT_NODES(WEFT_X)
#undef WEFT_X
};

// Walks every expression and statement, children first-to-last. Override a
// `visit` to act on a kind and call the base to keep walking.
class IRVisitor : public ExprFunctor<void>, public StmtFunctor<void> {
 public:
  using ExprFunctor<void>::visit_expr;
  using StmtFunctor<void>::visit_stmt;

 protected:
  void visit(const VarNode&, const Expr&) override {}
  void visit(const IntImmNode&, const Expr&) override {}
  void visit(const FloatImmNode&, const Expr&) override {}
  void visit(const BinaryNode& n, const Expr&) override;
  void visit(const NotNode& n, const Expr&) override;
  void visit(const CastNode& n, const Expr&) override;
  void visit(const SelectNode& n, const Expr&) override;
  void visit(const CallNode& n, const Expr&) override;
  void visit(const BufferLoadNode& n, const Expr&) override;
  void visit(const ForNode& n, const Stmt&) override;
  void visit(const BlockRealizeNode& n, const Stmt&) override;
  void visit(const BufferStoreNode& n, const Stmt&) override;
  void visit(const SeqStmtNode& n, const Stmt&) override;
  void visit(const IfThenElseNode& n, const Stmt&) override;
  // Blocks are reached through their realize; override to see each block.
  virtual void visit_block(const BlockNode& block);
  void visit_region(const BufferRegion& region);
};

// Rewrites expressions and statements bottom-up.
class IRMutator : public ExprFunctor<Expr>, public StmtFunctor<Stmt> {
 public:
  Expr mutate(const Expr& e) { return e ? visit_expr(e) : e; }
  Stmt mutate(const Stmt& s) { return s ? visit_stmt(s) : s; }
  std::vector<Expr> mutate(const std::vector<Expr>& es, bool* changed);
  Range mutate(const Range& r, bool* changed);
  BufferRegion mutate(const BufferRegion& r, bool* changed);
  virtual Block mutate_block(const Block& block);

 protected:
  Expr visit(const VarNode&, const Expr& self) override { return self; }
  Expr visit(const IntImmNode&, const Expr& self) override { return self; }
  Expr visit(const FloatImmNode&, const Expr& self) override { return self; }
  Expr visit(const BinaryNode& n, const Expr& self) override;
  Expr visit(const NotNode& n, const Expr& self) override;
  Expr visit(const CastNode& n, const Expr& self) override;
  Expr visit(const SelectNode& n, const Expr& self) override;
  Expr visit(const CallNode& n, const Expr& self) override;
  Expr visit(const BufferLoadNode& n, const Expr& self) override;
  Stmt visit(const ForNode& n, const Stmt& self) override;
  Stmt visit(const BlockRealizeNode& n, const Stmt& self) override;
  Stmt visit(const BufferStoreNode& n, const Stmt& self) override;
  Stmt visit(const SeqStmtNode& n, const Stmt& self) override;
  Stmt visit(const IfThenElseNode& n, const Stmt& self) override;
};

}  // namespace weft::ir
