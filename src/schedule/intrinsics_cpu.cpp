// CPU tensor intrinsics: vector FMA micro-kernels. The CPU backend turns a
// vectorized loop into GCC vector code, so the implementations are the
// descriptions' computations with the lane loop vectorized (and the row loop
// unrolled): a broadcast of A times a vector of B added to a vector of C.
//
//   cpu_fma_f32x8     C[0:1, 0:8] += A[0:1, 0:1] * B[0:1, 0:8]
//   cpu_fma_f32x4x8   C[0:4, 0:8] += A[0:4, 0:1] * B[0:1, 0:8]   (rows x lanes)
#include <string>
#include <utility>

#include "ir/parser.h"
#include "schedule/intrinsics.h"

namespace weft::sched {

namespace {

// Replaces every "$R" by `rows` and "$L" by `lanes`.
std::string fill(std::string text, int rows, int lanes) {
  for (auto [key, value] : {std::pair{"$R", rows}, std::pair{"$L", lanes}})
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at))
      text.replace(at, 2, std::to_string(value));
  return text;
}

// One row: the lanes of B and C, a broadcast of A.
const char* const kRowDesc = R"(
    for j in range($L) {
      block update(vj: spatial(0, $L) = j) {
        reads(C[0, vj], A[0, 0], B[0, vj])
        writes(C[0, vj])
        C[0, vj] = C[0, vj] + A[0, 0] * B[0, vj]
      }
    }
)";
const char* const kRowImpl = R"(
    for j in range($L) vectorized {
      C[0, j] = C[0, j] + A[0, 0] * B[0, j]
    }
)";
// Several rows: one vector FMA per row, rows unrolled.
const char* const kTileDesc = R"(
    for i in range($R) {
      for j in range($L) {
        block update(vi: spatial(0, $R) = i, vj: spatial(0, $L) = j) {
          reads(C[vi, vj], A[vi, 0], B[0, vj])
          writes(C[vi, vj])
          C[vi, vj] = C[vi, vj] + A[vi, 0] * B[0, vj]
        }
      }
    }
)";
const char* const kTileImpl = R"(
    for i in range($R) unrolled {
      for j in range($L) vectorized {
        C[i, j] = C[i, j] + A[i, 0] * B[0, j]
      }
    }
)";

// C[rows, lanes] += A[rows, 1] * B[1, lanes] as the loops blockize leaves (the
// description) or as vector code (the implementation).
IntrinsicFuncs fma_f32(const std::string& name, int rows, int lanes) {
  auto func = [&](const std::string& suffix, const char* body) {
    std::string text = "func " + name + "_" + suffix + "(A: f32[$R, 1], B: f32[1, $L], C: f32[$R, $L]) {\n" +
                       "  block root() {" + body + "  }\n}\n";
    return ir::parse_func(fill(text, rows, lanes), "intrinsic " + name + " (" + suffix + ")");
  };
  return rows == 1 ? IntrinsicFuncs{func("desc", kRowDesc), func("impl", kRowImpl)}
                   : IntrinsicFuncs{func("desc", kTileDesc), func("impl", kTileImpl)};
}

const RegisterIntrinsic kFmaF32x8("cpu_fma_f32x8", "cpu", [] { return fma_f32("cpu_fma_f32x8", 1, 8); });
const RegisterIntrinsic kFmaF32x4x8("cpu_fma_f32x4x8", "cpu", [] { return fma_f32("cpu_fma_f32x4x8", 4, 8); });

}  // namespace

}  // namespace weft::sched
