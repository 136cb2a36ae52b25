// The arithmetic simplifier for index expressions.
//
// simplify() never changes an expression's value or dtype. What it does:
//   - folds constants: every integer operation (with wrap-around), float
//     arithmetic and casts on immediates (rounded to the dtype), comparisons and
//     logic (see const_fold.h for what is deliberately left unfolded);
//   - puts integer +, -, * into the canonical linear form of linear_form.h
//     (terms by coefficient, largest first, then by ExprOrder; constant last), so
//     `x*0`, `x+0`, `x*1`, `i - i` and `j + i` vs `i + j` all come out the same;
//   - floordiv/floormod by a positive constant c: divides a common factor out,
//     moves the multiples of c out of the division ((a*c + b) // c -> a + b // c,
//     (a*c + b) % c -> b % c; a term's coefficient, or the constant, leaves the
//     division when it is a multiple of c or at least c), merges nested divisions
//     ((x // c1) // c2 -> x // (c1*c2), (x % c1) % c2 -> x % c2 when c2 divides
//     c1, (x % (c*m)) // c -> (x // c) % m), decides by bounds (x // c -> k and
//     x % c -> x - k*c when x lies in [k*c, k*c + c - 1]), and splits aligned
//     sums: with g dividing c and 0 <= b < g, (g*p + b) // c -> p // (c/g) and
//     (g*p + b) % c -> (p % (c/g))*g + b, so after fuse + split
//     (i1*8 + i2) // 16 with i2 in [0, 8) is i1 // 2;
//   - floordiv/floormod by a non-constant y: only x // y -> 0 and x % y -> x when
//     0 <= x < y by bounds; by a negative constant: only x // -1 and x % -1;
//   - recombines split indices: (x // c) * c + x % c -> x, and
//     ((x // c) % d) * c + x % c -> x % (c*d), so fuse/split round trips vanish;
//   - min/max, comparisons: decided when the bounds of the difference settle
//     them; otherwise comparisons are normalised to `lhs op rhs` with `<`/`<=`
//     (a > b becomes b < a), positive terms on the left and the constant on the
//     right (`i*4 + j < 16`), and min/max operands are sorted;
//   - logic and select with constant or decided conditions; !(a < b) -> b <= a
//     for integers; casts to the same type, and int casts that round-trip.
// Float expressions get folding and only the identities that are exact in IEEE
// arithmetic (x*1, x/1, x-0.0, x+(-0.0)); floats are never reassociated.
//
// Integer rules assume the arithmetic does not overflow its dtype, as index
// arithmetic never does (the same assumption as TVM's arithmetic analyzer).
#pragma once

#include "ir/interval.h"
#include "ir/stmt.h"

namespace weft::ir {

// Simplifies `e` knowing that each variable in `domains` lies in its interval.
Expr simplify(const Expr& e, const VarDomains& domains = {});

// Simplifies every expression of a statement: loop extents, block bindings and
// predicates, iterator domains, read/write regions, stores, loads and if
// conditions. Descending, it learns each loop variable's range [0, extent) and
// each block iterator's domain (intersected with the bounds of its binding), so
// after `split` a predicate `i0*4 + i1 < 16` with i0, i1 in [0, 4) becomes
// `true`. A predicate that becomes true stays as the literal `true`; an `if`
// whose condition is decided is replaced by the branch taken (an `if` decided
// false with no else branch keeps its `false` condition, there being no empty
// statement). Unchanged subtrees are shared with the input.
Stmt simplify(const Stmt& s, const VarDomains& domains = {});
PrimFunc simplify(const PrimFunc& func);

}  // namespace weft::ir
