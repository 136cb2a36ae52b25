// Hand-written GPU schedules (trace text) for the CUDA codegen tests.
#pragma once

#include <string>
#include <vector>

namespace weft::test {

struct GpuSchedule {
  std::string name;
  std::string spec;
  std::string trace;
};

// Matmul 64^3: 16 x 32 tiles per thread block (blockIdx.y, blockIdx.x), 8 x 8
// threads of 2 x 4 results; A and B tiles fetched into shared memory by thread
// loops with 16-byte copies per k step; the accumulator tile in a local cache
// (promoted to shared memory: the threads of the compute and of the write-back
// differ) written back after k with 16-byte copies.
inline const char* kMatmulTiled = R"(b0 = get_block("C")
l1, l2, l3 = get_loops(b0)
l4, l5, l6 = split(l1, [None, 8, 2])
l7, l8, l9 = split(l2, [None, 8, 4])
l10, l11 = split(l3, [None, 8])
reorder(l4, l7, l10, l5, l8, l11, l6, l9)
bind(l4, "blockIdx.y")
bind(l7, "blockIdx.x")
bind(l5, "threadIdx.y")
bind(l8, "threadIdx.x")
unroll(l6)
unroll(l9)
b14 = cache_write(b0, 0, "local")
reverse_compute_at(b14, l7)
b15 = cache_read(b0, 1, "shared")
compute_at(b15, l10)
l16, l17, l18, l19, l20 = get_loops(b15)
l21, l22 = split(l19, [None, 8])
bind(l22, "threadIdx.y")
l23, l24 = split(l20, [None, 4])
bind(l23, "threadIdx.x")
vectorize(l24)
b25 = cache_read(b0, 2, "shared")
compute_at(b25, l10)
l26, l27, l28, l29, l30 = get_loops(b25)
bind(l29, "threadIdx.y")
l31, l32 = split(l30, [None, 4])
bind(l31, "threadIdx.x")
vectorize(l32)
l33, l34, l35, l36 = get_loops(b14)
l37, l38 = split(l35, [None, 8])
bind(l38, "threadIdx.y")
l39, l40 = split(l36, [None, 4])
bind(l39, "threadIdx.x")
vectorize(l40)
)";

inline std::vector<GpuSchedule> gpu_schedules() {
  return {
      {"matmul_tiled", "matmul:M=64,N=64,K=64", kMatmulTiled},
      {"matmul_f16_tiled", "matmul:M=64,N=64,K=64,dtype=f16", kMatmulTiled},
      // Non-divisible tiles: 30 rows in blocks of 8 threads (predicates), columns on threadIdx.y.
      {"matmul_nondivisible", "matmul:M=30,N=30,K=30", R"(b0 = get_block("C")
l1, l2, l3 = get_loops(b0)
l4, l5 = split(l1, [None, 8])
l6, l7 = split(l2, [None, 16])
reorder(l4, l6, l5, l7, l3)
bind(l4, "blockIdx.x")
bind(l6, "blockIdx.y")
bind(l5, "threadIdx.x")
bind(l7, "threadIdx.y")
)"},
      // One row per thread block; the statistics reduce serially in thread 0, the
      // elementwise stages use 64 threads.
      {"softmax_rows", "softmax:M=8,N=64", R"(b0 = get_block("norm")
l1, l2 = get_loops(b0)
bind(l1, "blockIdx.x")
bind(l2, "threadIdx.x")
b3 = get_block("sumexp")
compute_at(b3, l1)
b4 = get_block("expsub")
compute_at(b4, l1)
b5 = get_block("maxelem")
compute_at(b5, l1)
l6, l7 = get_loops(b4)
bind(l7, "threadIdx.x")
)"},
      {"layernorm_rows", "layernorm:M=8,N=96,dtype=bf16", R"(b0 = get_block("normalize")
l1, l2 = get_loops(b0)
bind(l1, "blockIdx.x")
l3, l4 = split(l2, [None, 32])
bind(l4, "threadIdx.x")
b5 = get_block("variance")
compute_at(b5, l1)
b6 = get_block("mean")
compute_at(b6, l1)
)"},
      // Output pixels over blocks and threads, the channel reduction unrolled into a
      // local accumulator; the padding stage inlined.
      {"conv2d_direct", "conv2d:N=1,H=14,W=14,C=8,K=16,R=3,S=3,pad=1", R"(b0 = get_block("pad")
compute_inline(b0)
b1 = get_block("conv")
l2, l3, l4, l5, l6, l7, l8 = get_loops(b1)
bind(l3, "blockIdx.x")
bind(l4, "threadIdx.y")
bind(l5, "threadIdx.x")
unroll(l8)
b10 = cache_write(b1, 0, "local")
reverse_compute_at(b10, l5)
)"},
  };
}

}  // namespace weft::test
