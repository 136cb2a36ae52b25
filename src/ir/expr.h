// Expressions of the tensor-program IR. Nodes are immutable and shared; `Expr` is a
// nullable handle with arithmetic operators so compute definitions read like math.
// Constructors check their invariants and throw IRError.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "ir/dtype.h"
#include "ir/node_list.h"

namespace weft::ir {

enum class ExprKind : uint8_t {
#define WEFT_X(N) N,
  WEFT_EXPR_NODES(WEFT_X)
#undef WEFT_X
};

enum class BinaryOp : uint8_t {
#define WEFT_X(N, S, P) N,
  WEFT_BINARY_OPS(WEFT_X)
#undef WEFT_X
};

enum class Intrinsic : uint8_t {
#define WEFT_X(N, A) N,
  WEFT_INTRINSICS(WEFT_X)
#undef WEFT_X
};

const char* binary_op_symbol(BinaryOp op);
int binary_op_precedence(BinaryOp op);  // 0: printed as a call
bool is_comparison(BinaryOp op);
bool is_logical(BinaryOp op);
const char* intrinsic_name(Intrinsic f);
int intrinsic_arity(Intrinsic f);
bool parse_intrinsic(const std::string& name, Intrinsic* out);

class ExprNode {
 public:
  ExprNode(ExprKind kind, DType dtype) : kind(kind), dtype(dtype) {}
  virtual ~ExprNode() = default;
  const ExprKind kind;
  const DType dtype;
};

class BufferNode;
using Buffer = std::shared_ptr<const BufferNode>;

class Expr {
 public:
  Expr() = default;
  template <typename T, typename = std::enable_if_t<std::is_base_of_v<ExprNode, T>>>
  Expr(std::shared_ptr<const T> node) : node_(std::move(node)) {}  // NOLINT: implicit by design
  Expr(int value);  // NOLINT: an i32 immediate, so `i * 4 + 1` works

  const ExprNode* get() const { return node_.get(); }
  const ExprNode* operator->() const { return node_.get(); }
  explicit operator bool() const { return node_ != nullptr; }
  DType dtype() const { return node_->dtype; }
  ExprKind kind() const { return node_->kind; }
  bool same_as(const Expr& other) const { return node_ == other.node_; }
  template <typename T>
  const T* as() const {
    return node_ && node_->kind == T::kKind ? static_cast<const T*>(node_.get()) : nullptr;
  }
  const std::shared_ptr<const ExprNode>& node() const { return node_; }

 private:
  std::shared_ptr<const ExprNode> node_;
};

class VarNode : public ExprNode {
 public:
  static constexpr ExprKind kKind = ExprKind::Var;
  VarNode(std::string name, DType dtype);
  const std::string name;
};
using Var = std::shared_ptr<const VarNode>;
Var make_var(const std::string& name, DType dtype = DType::i32);

class IntImmNode : public ExprNode {
 public:
  static constexpr ExprKind kKind = ExprKind::IntImm;
  IntImmNode(DType dtype, int64_t value);
  const int64_t value;
};

class FloatImmNode : public ExprNode {
 public:
  static constexpr ExprKind kKind = ExprKind::FloatImm;
  FloatImmNode(DType dtype, double value);  // value is rounded to dtype
  const double value;
};

class BinaryNode : public ExprNode {
 public:
  static constexpr ExprKind kKind = ExprKind::Binary;
  BinaryNode(BinaryOp op, Expr a, Expr b);
  const BinaryOp op;
  const Expr a, b;
};

class NotNode : public ExprNode {
 public:
  static constexpr ExprKind kKind = ExprKind::Not;
  explicit NotNode(Expr a);
  const Expr a;
};

class CastNode : public ExprNode {
 public:
  static constexpr ExprKind kKind = ExprKind::Cast;
  CastNode(DType dtype, Expr value);
  const Expr value;
};

class SelectNode : public ExprNode {
 public:
  static constexpr ExprKind kKind = ExprKind::Select;
  SelectNode(Expr cond, Expr true_value, Expr false_value);
  const Expr cond, true_value, false_value;
};

class CallNode : public ExprNode {
 public:
  static constexpr ExprKind kKind = ExprKind::Call;
  CallNode(Intrinsic func, std::vector<Expr> args);
  const Intrinsic func;
  const std::vector<Expr> args;
};

class BufferLoadNode : public ExprNode {
 public:
  static constexpr ExprKind kKind = ExprKind::BufferLoad;
  BufferLoadNode(Buffer buffer, std::vector<Expr> indices);
  const Buffer buffer;
  const std::vector<Expr> indices;
};

// ---- construction helpers -------------------------------------------------------
Expr int_imm(int64_t value, DType dtype = DType::i32);
Expr float_imm(double value, DType dtype = DType::f32);
Expr bool_imm(bool value);
// A constant of `dtype` (float or int) with the given value.
Expr make_const(DType dtype, double value);
Expr binary(BinaryOp op, Expr a, Expr b);
Expr operator+(Expr a, Expr b);
Expr operator-(Expr a, Expr b);
Expr operator*(Expr a, Expr b);
Expr operator/(Expr a, Expr b);  // floats only
Expr floordiv(Expr a, Expr b);   // integers only
Expr floormod(Expr a, Expr b);   // integers only
Expr min(Expr a, Expr b);
Expr max(Expr a, Expr b);
Expr eq(Expr a, Expr b);
Expr ne(Expr a, Expr b);
Expr lt(Expr a, Expr b);
Expr le(Expr a, Expr b);
Expr gt(Expr a, Expr b);
Expr ge(Expr a, Expr b);
Expr logical_and(Expr a, Expr b);
Expr logical_or(Expr a, Expr b);
Expr logical_not(Expr a);
Expr cast(DType dtype, Expr value);
Expr select(Expr cond, Expr t, Expr f);
Expr call(Intrinsic func, std::vector<Expr> args);
Expr load(Buffer buffer, std::vector<Expr> indices);
Expr var_expr(const Var& v);

// Literal helpers.
bool is_const_int(const Expr& e, int64_t* value = nullptr);
bool is_const_true(const Expr& e);

}  // namespace weft::ir
