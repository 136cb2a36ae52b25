// CUDA tensor-core intrinsics (target "cuda"): the pieces of a warp-level
// mma.sync m16n8k16 GEMM. Each is one warp-wide operation on fixed tiles:
//
//   cuda_mma_m16n8k16_f16f16f32      C[16,8] += f32(A[16,16]) * f32(B[16,8])   fragments
//   cuda_mma_m16n8k16_bf16bf16f32    the same with bf16 inputs
//   cuda_ldmatrix_a_f16 / _bf16      A_frag[16,16] = A_shared[16,16]  (ldmatrix .x4)
//   cuda_ldmatrix_b_f16 / _bf16      B_frag[16,8] = B_shared[16,8]    (ldmatrix .x2.trans)
//   cuda_mma_fill_f32                C_frag[16,8] = 0
//   cuda_mma_store_f32               C[16,8] = C_frag[16,8]            (global or shared)
//
// Unlike the CPU intrinsics, the implementation is the description itself: the
// scalar loops stay in the program (the interpreter computes them exactly) and
// tensorize marks the block with `tensor_intrin = <name>`; the CUDA emitter
// (codegen/cuda_tensorcore.h) emits the intrinsic's warp code for a marked block.
// Each parameter names the memory scope its buffer must be in, which tensorize
// checks (a fragment operand must be a buffer of that fragment scope, a shared one
// a shared buffer, "global" any).
#include <string>
#include <vector>
#include <utility>

#include "ir/parser.h"
#include "schedule/intrinsics.h"

namespace weft::sched {

namespace {

// Replaces every "$KEY" by its value.
std::string fill(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [key, value] : values)
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at))
      text.replace(at, key.size(), value);
  return text;
}

IntrinsicFuncs same_desc_and_impl(const std::string& name, const std::string& params, const std::string& body,
                                  std::vector<std::string> scopes) {
  std::string text = "func " + name + "(" + params + ") {\n  block root() {\n" + body + "  }\n}\n";
  ir::PrimFunc f = ir::parse_func(text, "intrinsic " + name);
  return {f, f, std::move(scopes)};
}

const char* const kMma = R"(
    for i in range(16) {
      for j in range(8) {
        for k in range(16) {
          block update(vi: spatial(0, 16) = i, vj: spatial(0, 8) = j, vk: reduce(0, 16) = k) {
            reads(C[vi, vj], A[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            C[vi, vj] = C[vi, vj] + cast(f32, A[vi, vk]) * cast(f32, B[vk, vj])
          }
        }
      }
    }
)";

IntrinsicFuncs mma(const std::string& name, const std::string& in) {
  return same_desc_and_impl(
      name, fill("A: $T[16, 16], B: $T[16, 8], C: f32[16, 8]", {{"$T", in}}), kMma,
      {"frag.matrix_a", "frag.matrix_b", "frag.accumulator"});
}

// A copy of a rows x cols tile from `src` to `dst`.
IntrinsicFuncs copy(const std::string& name, const std::string& dtype, int rows, int cols, const std::string& src_scope,
                    const std::string& dst_scope) {
  std::string body = fill(R"(
    for i in range($R) {
      for j in range($C) {
        block copy(vi: spatial(0, $R) = i, vj: spatial(0, $C) = j) {
          reads(S[vi, vj])
          writes(D[vi, vj])
          D[vi, vj] = S[vi, vj]
        }
      }
    }
)",
                          {{"$R", std::to_string(rows)}, {"$C", std::to_string(cols)}});
  auto decl = [&](const char* n) {
    return std::string(n) + ": " + dtype + "[" + std::to_string(rows) + ", " + std::to_string(cols) + "]";
  };
  return same_desc_and_impl(name, decl("S") + ", " + decl("D"), body, {src_scope, dst_scope});
}

IntrinsicFuncs fill_zero(const std::string& name) {
  return same_desc_and_impl(name, "C: f32[16, 8]", R"(
    for i in range(16) {
      for j in range(8) {
        block fill(vi: spatial(0, 16) = i, vj: spatial(0, 8) = j) {
          writes(C[vi, vj])
          C[vi, vj] = f32(0)
        }
      }
    }
)",
                            {"frag.accumulator"});
}

const RegisterIntrinsic kMmaF16("cuda_mma_m16n8k16_f16f16f32", "cuda",
                                [] { return mma("cuda_mma_m16n8k16_f16f16f32", "f16"); });
const RegisterIntrinsic kMmaBf16("cuda_mma_m16n8k16_bf16bf16f32", "cuda",
                                 [] { return mma("cuda_mma_m16n8k16_bf16bf16f32", "bf16"); });
const RegisterIntrinsic kLdA16("cuda_ldmatrix_a_f16", "cuda",
                               [] { return copy("cuda_ldmatrix_a_f16", "f16", 16, 16, "shared", "frag.matrix_a"); });
const RegisterIntrinsic kLdABf16("cuda_ldmatrix_a_bf16", "cuda",
                                 [] { return copy("cuda_ldmatrix_a_bf16", "bf16", 16, 16, "shared", "frag.matrix_a"); });
const RegisterIntrinsic kLdB16("cuda_ldmatrix_b_f16", "cuda",
                               [] { return copy("cuda_ldmatrix_b_f16", "f16", 16, 8, "shared", "frag.matrix_b"); });
const RegisterIntrinsic kLdBBf16("cuda_ldmatrix_b_bf16", "cuda",
                                 [] { return copy("cuda_ldmatrix_b_bf16", "bf16", 16, 8, "shared", "frag.matrix_b"); });
const RegisterIntrinsic kFill("cuda_mma_fill_f32", "cuda", [] { return fill_zero("cuda_mma_fill_f32"); });
const RegisterIntrinsic kStore("cuda_mma_store_f32", "cuda", [] {
  return copy("cuda_mma_store_f32", "f32", 16, 8, "frag.accumulator", "global");
});

}  // namespace

}  // namespace weft::sched
