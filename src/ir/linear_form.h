// The canonical linear form of an integer expression: constant + sum of
// coefficient * atom, where an atom is anything that is not itself a sum, a
// difference, a product by a constant or a constant (a variable, a load, a
// floordiv, a min, a product of two non-constant factors, ...).
//
// Coefficient arithmetic wraps around in the form's dtype, which keeps the form
// equal in value to the expression it came from: +, - and * are exact modulo 2^n.
//
// Printed order (see to_expr): terms by coefficient, largest first, ties by
// ExprOrder on the atoms; the constant last. So `j + i*4` and `i*4 + j` both
// become `i * 4 + j`, and `i2 + i0*32 + i1*8` becomes `i0 * 32 + i1 * 8 + i2`.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/expr.h"
#include "ir/expr_order.h"

namespace weft::ir {

struct LinearTerm {
  Expr atom;
  int64_t coeff;
};

class LinearForm {
 public:
  explicit LinearForm(DType dtype, int64_t constant = 0);

  // Decomposes an integer expression. Sums, differences and products by constants
  // are taken apart recursively; everything else becomes an atom as it is.
  static LinearForm of(const Expr& e, const ExprOrder& order);

  DType dtype() const { return dtype_; }
  int64_t constant() const { return constant_; }
  // Sorted by ExprOrder on the atoms; atoms distinct; coefficients nonzero.
  const std::vector<LinearTerm>& terms() const { return terms_; }
  bool is_constant() const { return terms_.empty(); }
  // The term count plus one for a nonzero constant: a rough size, to tell
  // whether a rewrite made the form smaller.
  size_t size() const { return terms_.size() + (constant_ != 0 ? 1 : 0); }

  void add_constant(int64_t c);
  void add_term(const Expr& atom, int64_t coeff, const ExprOrder& order);
  void add(const LinearForm& other, int64_t scale, const ExprOrder& order);
  void scale(int64_t k);
  void remove_term(size_t index);
  // Divides every coefficient and the constant by `g`, which must divide them all.
  void divide_exact(int64_t g);
  // The gcd of all coefficients and the constant (0 for the zero form).
  int64_t content() const;

  // The canonical expression, built in the printed order described above: the
  // first positive term leads and negative terms are subtracted (`i - j * 2`);
  // with no positive term a positive constant leads (`16 - i`), otherwise the
  // first term keeps its negative coefficient (`i * -1 - 3`).
  Expr to_expr() const;

 private:
  int64_t wrap(int64_t v) const;

  DType dtype_;
  int64_t constant_;
  std::vector<LinearTerm> terms_;
};

// Wrap-around integer arithmetic in `dtype` (two's complement, like the interpreter).
int64_t wrap_add(int64_t a, int64_t b, DType dtype);
int64_t wrap_mul(int64_t a, int64_t b, DType dtype);

}  // namespace weft::ir
