// Building blocks for compute definitions: one block per computation, nested in
// plain serial loops (one per block iterator, in iterator order), with the block's
// reads and writes collected from its body.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ir/stmt.h"

namespace weft::ir::ops {

struct Axis {
  std::string name;  // loop variable; the block iterator is "v" + name
  int64_t extent;
  IterKind kind = IterKind::Spatial;
};
inline Axis spatial(std::string name, int64_t extent) { return {std::move(name), extent, IterKind::Spatial}; }
inline Axis reduce(std::string name, int64_t extent) { return {std::move(name), extent, IterKind::Reduce}; }

struct BlockCode {
  Stmt body;
  Stmt init;  // null unless the block reduces
};

// `for a0 in [0, e0): ... block name(v<a0>, ...) { code(iterators) }`. Reads and
// writes are the exact point regions of the code's init and body.
Stmt compute_block(const std::string& name, const std::vector<Axis>& axes,
                   const std::function<BlockCode(const std::vector<Expr>& iters)>& code);

// A reduction `out[index] = combine(out[index], value)` with `out[index] = identity`
// as its init.
BlockCode reduction(const Buffer& out, const std::vector<Expr>& index, Expr identity,
                    const std::function<Expr(Expr acc)>& combine);

// `value` converted to `dtype`, without a cast node when it already has that type.
Expr as_type(DType dtype, Expr value);
// The type f16/bf16 computations accumulate in (f32); other types accumulate in themselves.
DType accumulation_type(DType storage);
// The most negative finite value of a float type: the identity of max.
Expr lowest_value(DType dtype);

// Elementwise activations on a float expression.
Expr relu(const Expr& x);
Expr gelu_erf(const Expr& x);   // 0.5 x (1 + erf(x / sqrt 2))
Expr gelu_tanh(const Expr& x);  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))

}  // namespace weft::ir::ops
