// Statements of the tensor-program IR (block-based, in the spirit of TensorIR).
//
// A PrimFunc body is a root BlockRealize. Loops (`For`, always starting at 0) nest
// BlockRealizes, which bind each iterator of their `Block` to a value and may carry
// a predicate (for non-divisible splits). A block declares its iterators (spatial or
// reduce, with domains), the regions it reads and writes, an optional `init` run at
// the first reduction iteration, its body, and the buffers it allocates.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "ir/buffer.h"
#include "ir/expr.h"

namespace weft::ir {

enum class StmtKind : uint8_t {
#define WEFT_X(N) N,
  WEFT_STMT_NODES(WEFT_X)
#undef WEFT_X
};

enum class ForKind : uint8_t {
#define WEFT_X(N, S) N,
  WEFT_FOR_KINDS(WEFT_X)
#undef WEFT_X
};
const char* for_kind_name(ForKind k);
bool parse_for_kind(const std::string& name, ForKind* out);

// Annotation values: integers, floats or strings, kept in a sorted map so the
// printed form is canonical.
using AnnotationValue = std::variant<int64_t, double, std::string>;
using Annotations = std::map<std::string, AnnotationValue>;

class StmtNode {
 public:
  explicit StmtNode(StmtKind kind) : kind(kind) {}
  virtual ~StmtNode() = default;
  const StmtKind kind;
};

class Stmt {
 public:
  Stmt() = default;
  template <typename T, typename = std::enable_if_t<std::is_base_of_v<StmtNode, T>>>
  Stmt(std::shared_ptr<const T> node) : node_(std::move(node)) {}  // NOLINT: implicit by design
  const StmtNode* get() const { return node_.get(); }
  const StmtNode* operator->() const { return node_.get(); }
  explicit operator bool() const { return node_ != nullptr; }
  StmtKind kind() const { return node_->kind; }
  bool same_as(const Stmt& other) const { return node_ == other.node_; }
  template <typename T>
  const T* as() const {
    return node_ && node_->kind == T::kKind ? static_cast<const T*>(node_.get()) : nullptr;
  }
  const std::shared_ptr<const StmtNode>& node() const { return node_; }

 private:
  std::shared_ptr<const StmtNode> node_;
};

struct Range {
  Expr min;
  Expr extent;
};

enum class IterKind : uint8_t { Spatial, Reduce };

struct IterVar {
  Var var;
  Range dom;
  IterKind kind;
};

struct BufferRegion {
  Buffer buffer;
  std::vector<Range> region;
};
// The region covering the whole buffer.
BufferRegion full_region(const Buffer& buffer);

class ForNode : public StmtNode {
 public:
  static constexpr StmtKind kKind = StmtKind::For;
  ForNode(Var loop_var, Expr extent, ForKind for_kind, Stmt body, std::string thread_tag = "",
          Annotations annotations = {});
  const Var loop_var;
  const Expr extent;
  const ForKind for_kind;
  const Stmt body;
  const std::string thread_tag;  // e.g. "threadIdx.x"; only for ThreadBinding
  const Annotations annotations;
};

class BlockNode {
 public:
  BlockNode(std::string name, std::vector<IterVar> iter_vars, std::vector<BufferRegion> reads,
            std::vector<BufferRegion> writes, Stmt body, Stmt init = Stmt(),
            std::vector<Buffer> alloc_buffers = {}, Annotations annotations = {});
  const std::string name;
  const std::vector<IterVar> iter_vars;
  const std::vector<BufferRegion> reads;
  const std::vector<BufferRegion> writes;
  const Stmt body;
  const Stmt init;  // may be null
  const std::vector<Buffer> alloc_buffers;
  const Annotations annotations;

  bool is_reduction() const;
};
using Block = std::shared_ptr<const BlockNode>;

class BlockRealizeNode : public StmtNode {
 public:
  static constexpr StmtKind kKind = StmtKind::BlockRealize;
  BlockRealizeNode(std::vector<Expr> iter_values, Expr predicate, Block block);
  const std::vector<Expr> iter_values;
  const Expr predicate;  // bool; `true` when unconditional
  const Block block;
};

class BufferStoreNode : public StmtNode {
 public:
  static constexpr StmtKind kKind = StmtKind::BufferStore;
  BufferStoreNode(Buffer buffer, Expr value, std::vector<Expr> indices);
  const Buffer buffer;
  const Expr value;
  const std::vector<Expr> indices;
};

class SeqStmtNode : public StmtNode {
 public:
  static constexpr StmtKind kKind = StmtKind::SeqStmt;
  explicit SeqStmtNode(std::vector<Stmt> seq);
  const std::vector<Stmt> seq;
};

class IfThenElseNode : public StmtNode {
 public:
  static constexpr StmtKind kKind = StmtKind::IfThenElse;
  IfThenElseNode(Expr cond, Stmt then_case, Stmt else_case = Stmt());
  const Expr cond;
  const Stmt then_case;
  const Stmt else_case;  // may be null
};

// ---- construction helpers -------------------------------------------------------
Stmt make_for(Var loop_var, Expr extent, ForKind kind, Stmt body, std::string thread_tag = "",
              Annotations annotations = {});
Stmt make_block_realize(std::vector<Expr> iter_values, Expr predicate, Block block);
Block make_block(std::string name, std::vector<IterVar> iter_vars, std::vector<BufferRegion> reads,
                 std::vector<BufferRegion> writes, Stmt body, Stmt init = Stmt(),
                 std::vector<Buffer> alloc_buffers = {}, Annotations annotations = {});
Stmt store(Buffer buffer, Expr value, std::vector<Expr> indices);
// Flattens nested sequences; a single statement is returned as is.
Stmt seq(std::vector<Stmt> stmts);
Stmt if_then_else(Expr cond, Stmt then_case, Stmt else_case = Stmt());

// ---- PrimFunc ----------------------------------------------------------------------
class PrimFuncNode {
 public:
  // body must be a BlockRealize of the root block (no iterators, predicate true).
  PrimFuncNode(std::string name, std::vector<Buffer> params, Stmt body);
  const std::string name;
  const std::vector<Buffer> params;
  const Stmt body;

  const BlockNode& root_block() const;
};
using PrimFunc = std::shared_ptr<const PrimFuncNode>;
PrimFunc make_func(const std::string& name, std::vector<Buffer> params, Stmt body);
// Wraps `body` in a root block allocating `allocs` and builds the function.
PrimFunc make_func_with_root(const std::string& name, std::vector<Buffer> params, Stmt body,
                             std::vector<Buffer> allocs = {});

}  // namespace weft::ir
