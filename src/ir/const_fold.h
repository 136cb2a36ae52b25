// Constant folding: evaluates an operation whose operands are immediates, with the
// interpreter's semantics (integer wrap-around and floor division; float results
// rounded to their dtype; float-to-int casts truncating toward zero).
//
// Each function returns the folded immediate, or a null Expr when the operation
// cannot be folded exactly: an operand is not an immediate, an integer division by
// zero, or a case whose value the executors do not agree on (float min/max of NaN
// or of zeros of different signs, float-to-int casts out of range, transcendental
// intrinsics whose device implementations differ in the last bits).
#pragma once

#include <vector>

#include "ir/expr.h"

namespace weft::ir {

Expr fold_binary(BinaryOp op, const Expr& a, const Expr& b);
Expr fold_not(const Expr& a);
Expr fold_cast(DType dtype, const Expr& value);
Expr fold_call(Intrinsic func, const std::vector<Expr>& args);

}  // namespace weft::ir
