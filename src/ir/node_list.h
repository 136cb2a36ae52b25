// The one list of IR node kinds. Visitors, mutators and the printer dispatch on
// these lists, so adding a node means adding one line here and its handlers.
#pragma once

// X(Name)
#define WEFT_EXPR_NODES(X) \
  X(Var)                   \
  X(IntImm)                \
  X(FloatImm)              \
  X(Binary)                \
  X(Not)                   \
  X(Cast)                  \
  X(Select)                \
  X(Call)                  \
  X(BufferLoad)

#define WEFT_STMT_NODES(X) \
  X(For)                   \
  X(BlockRealize)          \
  X(BufferStore)           \
  X(SeqStmt)               \
  X(IfThenElse)

// X(Name, printed symbol, precedence). Precedence 0 means printed as a call: max(a, b).
#define WEFT_BINARY_OPS(X) \
  X(Add, "+", 4)           \
  X(Sub, "-", 4)           \
  X(Mul, "*", 5)           \
  X(Div, "/", 5)           \
  X(FloorDiv, "//", 5)     \
  X(FloorMod, "%", 5)      \
  X(Min, "min", 0)         \
  X(Max, "max", 0)         \
  X(EQ, "==", 3)           \
  X(NE, "!=", 3)           \
  X(LT, "<", 3)            \
  X(LE, "<=", 3)           \
  X(GT, ">", 3)            \
  X(GE, ">=", 3)           \
  X(And, "&&", 2)          \
  X(Or, "||", 1)

// X(name, arity): math intrinsics callable from the IR.
#define WEFT_INTRINSICS(X) \
  X(exp, 1)                \
  X(log, 1)                \
  X(tanh, 1)               \
  X(erf, 1)                \
  X(sqrt, 1)               \
  X(rsqrt, 1)              \
  X(sigmoid, 1)            \
  X(abs, 1)                \
  X(pow, 2)

// X(name, printed keyword)
#define WEFT_FOR_KINDS(X)      \
  X(Serial, "serial")          \
  X(Parallel, "parallel")      \
  X(Vectorized, "vectorized")  \
  X(Unrolled, "unrolled")      \
  X(ThreadBinding, "thread")
