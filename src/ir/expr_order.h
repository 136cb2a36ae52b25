// A deterministic total order on expressions, used by the simplifier to sort the
// terms of sums and the operands of commutative operators, so that equal
// expressions come out with the same printed form on every run.
//
// The order, most significant first:
//   1. node kind: Var < BufferLoad < Call < Cast < Binary < Select < Not < IntImm < FloatImm
//   2. within a kind: variables by name, then dtype; loads by buffer name, then
//      indices; calls by intrinsic, then arguments; casts by target dtype, then
//      value; binary nodes by operator (in node_list.h order), then left operand,
//      then right operand; selects and nots by their operands; immediates by
//      dtype, then value.
//   3. distinct variables (or buffers) with the same name and dtype: by order of
//      first appearance in the expressions given to `note()`; objects never noted
//      fall back to address order (deterministic only within one run).
#pragma once

#include <unordered_map>

#include "ir/expr.h"

namespace weft::ir {

class ExprOrder {
 public:
  // Registers the variables and buffers of `e`, in order of first appearance, as
  // tie-breakers for same-named objects.
  void note(const Expr& e);

  // <0, 0 or >0. Zero exactly when the expressions are structurally equal, with
  // variables and buffers compared by identity.
  int compare(const Expr& a, const Expr& b) const;
  bool less(const Expr& a, const Expr& b) const { return compare(a, b) < 0; }
  bool equal(const Expr& a, const Expr& b) const { return compare(a, b) == 0; }

 private:
  int compare_objects(const void* a, const void* b) const;

  std::unordered_map<const void*, int> ordinal_;
};

}  // namespace weft::ir
