// Index arithmetic for code generation: the flattened (row-major, i64) index of a
// buffer access, structural equality of expressions, and how an expression varies
// across the lanes of a vectorised loop (invariant, linear with a constant stride,
// or anything else).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "codegen/storage_layout.h"
#include "ir/stmt.h"

namespace weft::codegen {

// sum_d cast<i64>(indices[d]) * stride_d; a 0-d buffer gives the constant 0.
// Row-major unless `layouts` lists the buffer (storage_layout.h: padded strides, or
// a blocked axis, which contributes (i / block) * stride + i % block).
ir::Expr flat_index(const ir::Buffer& buffer, const std::vector<ir::Expr>& indices,
                    const LayoutTable* layouts = nullptr);

struct LaneForm {
  enum class Kind { Invariant, Linear, Varying };
  Kind kind = Kind::Invariant;
  int64_t stride = 0;  // Linear only (never 0): value(lane l) = value(lane 0) + stride * l
  bool invariant() const { return kind == Kind::Invariant; }
  bool contiguous() const { return kind == Kind::Linear && stride == 1; }
};

// Classifies expressions against one lane variable (the vectorised loop's). Block
// iterators bound to lane-dependent values are registered with `bind`; every
// other variable is lane-invariant.
class LaneAnalysis {
 public:
  explicit LaneAnalysis(const ir::VarNode* lane_var);
  void bind(const ir::VarNode* var, LaneForm form) { vars_[var] = form; }
  LaneForm form(const ir::Expr& e) const;
  bool invariant(const ir::Expr& e) const { return form(e).invariant(); }

 private:
  LaneForm compute(const ir::Expr& e) const;
  std::map<const ir::VarNode*, LaneForm> vars_;
  // Keyed by node; holds the node so that its address is not reused by a
  // temporary (flat indices are built on the fly).
  mutable std::map<const ir::ExprNode*, std::pair<ir::Expr, LaneForm>> cache_;
};

}  // namespace weft::codegen
