// The reference interpreter: runs any PrimFunc on host buffers with TensorIR
// semantics (block iterators bound per realize, predicates, `init` at the first
// reduction iteration). Every other executor is checked against it.
#pragma once

#include <vector>

#include "ir/ndarray.h"
#include "ir/stmt.h"

namespace weft::ir {

// `args` holds one array per parameter of `func`, in order, with matching dtype and
// shape (checked: a mismatch throws UsageError naming the parameter). Buffers the
// function allocates are created internally. Out-of-bounds accesses throw
// RuntimeError naming the buffer and the index.
void interpret(const PrimFunc& func, const std::vector<NDArray*>& args);

}  // namespace weft::ir
