// A hand-written tensor-core GEMM schedule (trace text) for matmul with f16 or
// bf16 inputs and f32 output: thread-block tiles on blockIdx.y/x, a 2 x 2 grid of
// warps fused onto threadIdx.y, per-warp A and B tiles (32 x 32) in shared memory
// (each lane copies one row with 16-byte vectors), fragments loaded with ldmatrix, mma
// m16n8k16 on a warp tile of (2*16) x (4*8), the accumulator zeroed and stored by
// intrinsics. Used by the schedule tests (tensorize) and the codegen tests.
#pragma once

#include <cstdint>
#include <string>

namespace weft::test {

struct TensorCoreTiles {
  int64_t M = 256, N = 256, K = 256;
  std::string dtype = "f16";  // or "bf16"
  bool async_copy = false;     // annotate the shared-memory fetches with async_copy
};

inline std::string tensor_core_spec(const TensorCoreTiles& t) {
  return "matmul:M=" + std::to_string(t.M) + ",N=" + std::to_string(t.N) + ",K=" + std::to_string(t.K) +
         ",dtype=" + t.dtype;
}

// Block tile 64 x 64, k step 32: M and N multiples of 64, K of 32.
inline std::string tensor_core_trace(const TensorCoreTiles& t) {
  auto n = [](int64_t v) { return std::to_string(v); };
  std::string d = t.dtype;
  std::string trace = R"(b0 = get_block("C")
l1, l2, l3 = get_loops(b0)
l4, l5, l6, l7 = split(l1, [)" + n(t.M / 64) + R"(, 2, 2, 16])
l8, l9, l10, l11 = split(l2, [)" + n(t.N / 64) + R"(, 2, 4, 8])
l12, l13, l14 = split(l3, [)" + n(t.K / 32) + R"(, 2, 16])
reorder(l4, l8, l5, l9, l12, l13, l6, l10, l7, l11, l14)
bind(l4, "blockIdx.y")
bind(l8, "blockIdx.x")
l15 = fuse(l5, l9)
bind(l15, "threadIdx.y")
b16 = cache_write(b0, 0, "frag.accumulator")
reverse_compute_at(b16, l15)
b17 = cache_read(b0, 1, "shared")
compute_at(b17, l12)
b18 = cache_read(b0, 2, "shared")
compute_at(b18, l12)
b19 = cache_read(b0, 1, "frag.matrix_a")
compute_at(b19, l13)
b20 = cache_read(b0, 2, "frag.matrix_b")
compute_at(b20, l13)
b21 = decompose_reduction(b0, l12)
l22, l23, l24, l25, l26, l27 = get_loops(b17)
bind(l26, "threadIdx.x")
l28, l29 = split(l27, [None, 8])
unroll(l28)
vectorize(l29)
l32, l33, l34, l35, l36, l37 = get_loops(b18)
bind(l36, "threadIdx.x")
l38, l39 = split(l37, [None, 8])
unroll(l38)
vectorize(l39)
l42, l43, l44, l45, l46, l47, l48 = get_loops(b19)
l49, l50 = split(l47, [None, 16])
unroll(l49)
tensorize(l50, "cuda_ldmatrix_a_)" + d + R"(")
l51, l52, l53, l54, l55, l56, l57 = get_loops(b20)
l58, l59 = split(l57, [None, 8])
reorder(l58, l56)
unroll(l58)
tensorize(l56, "cuda_ldmatrix_b_)" + d + R"(")
l60, l61, l62, l63, l64, l65, l66 = get_loops(b21)
unroll(l63)
unroll(l64)
tensorize(l65, "cuda_mma_fill_f32")
unroll(l13)
unroll(l6)
unroll(l10)
tensorize(l7, "cuda_mma_m16n8k16_)" + d + d + R"(f32")
l67, l68, l69, l70, l71 = get_loops(b16)
l72, l73 = split(l70, [None, 16])
l74, l75 = split(l71, [None, 8])
reorder(l72, l74, l73)
unroll(l72)
unroll(l74)
tensorize(l73, "cuda_mma_store_f32")
)";
  if (t.async_copy) trace += "annotate(l29, \"async_copy\", 1)\nannotate(l39, \"async_copy\", 1)\n";
  return trace;
}

}  // namespace weft::test
