// A threadIdx.x loop nested in a threadIdx.x loop (a cooperative fetch inside a
// GEMM tile, as cuda-multi-level-tiling + rewrite-cooperative-fetch produce it):
// the same extent is the same thread index, a smaller one is guarded, a larger
// one (or a body using the outer variable) is a BuildError; the shared tile
// allocated under the thread loops is relaxed over them and hoisted to block
// level, the local accumulator stays per thread; barriers go before the fetch
// and before the reads, inside the outer thread loop. Every program is checked
// against the interpreter, before and after compaction.
#include <gtest/gtest.h>

#include "codegen/barrier_insertion.h"
#include "codegen/compact_buffers.h"
#include "codegen/cuda_emitter.h"
#include "codegen/cuda_test_util.h"
#include "ir/interpreter.h"
#include "ir/printer.h"
#include "support/error.h"

namespace weft::test {
namespace {

using namespace ir;

// C = A @ B (16 x 16 x 16): 2 thread blocks of 8 rows, one row per thread (tx),
// the K dimension in 4 steps of 4; in each step the threads copy the block's
// 8 x 4 slice of A into shared memory through a fetch loop bound to threadIdx.x
// again (`fetch_threads` wide, `fetch_steps` serial steps), then accumulate their
// row in a local buffer. `fetch_row` is the row the fetch writes.
std::string tiled_gemm(int fetch_threads, int fetch_steps,
                       const std::string& fetch_row = "bx * 8 + (f0 * FT + f1) // 4") {
  std::string row = fetch_row;
  for (size_t at; (at = row.find("FT")) != std::string::npos;) row.replace(at, 2, std::to_string(fetch_threads));
  std::string col = "k0 * 4 + (f0 * " + std::to_string(fetch_threads) + " + f1) % 4";
  return R"(func matmul(A: f32[16, 16], B: f32[16, 16], C: f32[16, 16]) {
  block root() {
    alloc A_s: f32[16, 16] shared
    alloc C_l: f32[16, 16] local
    for bx in range(2) thread(blockIdx.x) {
      for tx in range(8) thread(threadIdx.x) {
        for j0 in range(16) {
          block init(vi: spatial(0, 16) = bx * 8 + tx, vj: spatial(0, 16) = j0) {
            writes(C_l[vi, vj])
            C_l[vi, vj] = f32(0)
          }
        }
        for k0 in range(4) {
          for f0 in range()" +
         std::to_string(fetch_steps) + R"() {
            for f1 in range()" +
         std::to_string(fetch_threads) + R"() thread(threadIdx.x) {
              block fetch(v0: spatial(0, 16) = )" +
         row + R"(, v1: spatial(0, 16) = )" + col + R"() {
                reads(A[v0, v1])
                writes(A_s[v0, v1])
                A_s[v0, v1] = A[v0, v1]
              }
            }
          }
          for j1 in range(16) {
            for k1 in range(4) {
              block update(ui: spatial(0, 16) = bx * 8 + tx, uj: spatial(0, 16) = j1, uk: reduce(0, 16) = k0 * 4 + k1) {
                reads(C_l[ui, uj], A_s[ui, uk], B[uk, uj])
                writes(C_l[ui, uj])
                C_l[ui, uj] = C_l[ui, uj] + A_s[ui, uk] * B[uk, uj]
              }
            }
          }
        }
        for j2 in range(16) {
          block write_back(wi: spatial(0, 16) = bx * 8 + tx, wj: spatial(0, 16) = j2) {
            reads(C_l[wi, wj])
            writes(C[wi, wj])
            C[wi, wj] = C_l[wi, wj]
          }
        }
      }
    }
  }
}
)";
}

// Serial loops compute the unscheduled GEMM, before and after compaction.
::testing::AssertionResult computes_the_gemm(const PrimFunc& f) {
  PrimFunc reference = make_workload("matmul:M=16,N=16,K=16").func;
  for (const PrimFunc& candidate : {f, codegen::compact_buffers(f)}) {
    Rng rng(3);
    std::vector<NDArray> a, b;
    for (const Buffer& p : reference->params) {
      a.push_back(NDArray::random(p->dtype, p->shape, rng));
      b.push_back(a.back());
    }
    std::vector<NDArray*> pa, pb;
    for (auto& x : a) pa.push_back(&x);
    for (auto& x : b) pb.push_back(&x);
    interpret(reference, pa);
    interpret(candidate, pb);
    Comparison c = compare(a[2], b[2]);
    if (!c.ok) return ::testing::AssertionFailure() << c.message << "\n" << to_text(candidate);
  }
  return ::testing::AssertionSuccess();
}

// The allocation of buffer `name` in the compacted function: the block that
// allocates it and the thread-bound loops around that block.
struct Allocation {
  Buffer buffer;
  std::vector<std::string> tags_around;
};

Allocation find_allocation(const PrimFunc& f, const std::string& name) {
  struct Finder : IRVisitor {
    std::string name;
    std::vector<std::string> tags;
    Allocation found;
    void visit(const ForNode& n, const Stmt& s) override {
      bool bound = n.for_kind == ForKind::ThreadBinding;
      if (bound) tags.push_back(n.thread_tag);
      IRVisitor::visit(n, s);
      if (bound) tags.pop_back();
    }
    void visit_block(const BlockNode& b) override {
      for (const Buffer& a : b.alloc_buffers)
        if (a->name == name) found = {a, tags};
      IRVisitor::visit_block(b);
    }
  } finder;
  finder.name = name;
  finder.visit_stmt(f->body);
  EXPECT_TRUE(finder.found.buffer) << "no allocation of " << name << "\n" << to_text(f);
  return finder.found;
}

int count(const std::string& text, const std::string& what) {
  int n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(CudaNestedThreads, SameExtentIsTheSameThreadIndex) {
  PrimFunc f = parse_func(tiled_gemm(8, 4));
  EXPECT_TRUE(computes_the_gemm(f));
  codegen::ThreadLayout layout = codegen::analyze_threads(f);
  EXPECT_EQ(layout.launch.block[0], 8);
  EXPECT_EQ(layout.launch.grid[0], 2);
  EXPECT_TRUE(layout.guarded.empty());
  codegen::CudaKernel k = codegen::emit_cuda(f, "nested");
  EXPECT_NE(k.source.find("v_f1 = (int64_t)threadIdx.x"), std::string::npos) << k.source;
  EXPECT_NE(k.source.find("v_tx = (int64_t)threadIdx.x"), std::string::npos) << k.source;
  EXPECT_EQ(k.source.find("if (v_f1 <"), std::string::npos) << k.source;
}

TEST(CudaNestedThreads, SmallerInnerExtentIsGuarded) {
  PrimFunc f = parse_func(tiled_gemm(4, 8));
  EXPECT_TRUE(computes_the_gemm(f));
  codegen::ThreadLayout layout = codegen::analyze_threads(f);
  EXPECT_EQ(layout.launch.block[0], 8);
  ASSERT_EQ(layout.guarded.size(), 1u);
  EXPECT_EQ((*layout.guarded.begin())->loop_var->name, "f1");
  codegen::CudaKernel k = codegen::emit_cuda(f, "nested");
  EXPECT_NE(k.source.find("if (v_f1 < 4)"), std::string::npos) << k.source;
}

TEST(CudaNestedThreads, LargerInnerExtentIsABuildError) {
  PrimFunc f = parse_func(tiled_gemm(16, 2));
  EXPECT_TRUE(computes_the_gemm(f));  // serially fine, but there are only 8 threads
  try {
    codegen::emit_cuda(f, "nested");
    FAIL() << "expected a BuildError";
  } catch (const BuildError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("loop 'f1' bound to threadIdx.x is nested in loop 'tx' bound to the same axis"),
              std::string::npos)
        << what;
    EXPECT_NE(what.find("smaller extent 8"), std::string::npos) << what;
  }
}

// A fetch that copies only the rows of its own outer iteration: each thread would
// run the diagonal (tx == f1) of the two loops and leave most of the tile unset.
TEST(CudaNestedThreads, InnerBodyUsingTheOuterVariableIsABuildError) {
  PrimFunc f = parse_func(R"(func matmul(A: f32[8, 8], C: f32[8, 8]) {
  block root() {
    alloc S: f32[8, 8] shared
    for bx in range(1) thread(blockIdx.x) {
      for tx in range(8) thread(threadIdx.x) {
        for f1 in range(8) thread(threadIdx.x) {
          block fetch(v0: spatial(0, 8) = tx, v1: spatial(0, 8) = f1) {
            reads(A[v0, v1])
            writes(S[v0, v1])
            S[v0, v1] = A[v0, v1]
          }
        }
        for j in range(8) {
          block use(w0: spatial(0, 8) = tx, w1: spatial(0, 8) = j) {
            reads(S[w0, w1])
            writes(C[w0, w1])
            C[w0, w1] = S[w0, w1]
          }
        }
      }
    }
  }
}
)");
  try {
    codegen::analyze_threads(f);
    FAIL() << "expected a BuildError";
  } catch (const BuildError& e) {
    EXPECT_NE(std::string(e.what()).find("its body uses that loop's variable 'tx'"), std::string::npos) << e.what();
  }
}

TEST(CudaNestedThreads, SharedTileIsRelaxedOverTheThreadsAndHoisted) {
  PrimFunc f = codegen::compact_buffers(parse_func(tiled_gemm(8, 4)));
  // The block's 8 x 4 slice of A for one k0 step, allocated inside blockIdx.x and
  // outside the threadIdx.x loop (one per thread block).
  Allocation shared = find_allocation(f, "A_s");
  EXPECT_EQ(shared.buffer->shape, (std::vector<int64_t>{8, 4}));
  EXPECT_EQ(shared.buffer->scope, "shared");
  EXPECT_EQ(shared.tags_around, (std::vector<std::string>{"blockIdx.x"})) << to_text(f);
  // The accumulator: one row per thread, inside its threadIdx.x loop.
  Allocation local = find_allocation(f, "C_l");
  EXPECT_EQ(local.buffer->shape, (std::vector<int64_t>{1, 16}));
  EXPECT_EQ(local.tags_around, (std::vector<std::string>{"blockIdx.x", "threadIdx.x"})) << to_text(f);
  EXPECT_TRUE(computes_the_gemm(parse_func(tiled_gemm(8, 4))));

  codegen::ThreadLayout layout = codegen::analyze_threads(f);
  codegen::StoragePlan storage = codegen::plan_storage(f, layout);
  EXPECT_EQ(storage.kind.at(shared.buffer.get()), codegen::StorageKind::Shared);
  EXPECT_EQ(storage.kind.at(local.buffer.get()), codegen::StorageKind::PerThread);
  codegen::CudaKernel k = codegen::emit_cuda(parse_func(tiled_gemm(8, 4)), "nested");
  EXPECT_NE(k.source.find("__shared__ __align__(16) float b_A_s[32];"), std::string::npos) << k.source;
  EXPECT_NE(k.source.find("__align__(16) float b_C_l[16];"), std::string::npos) << k.source;
}

// Inside k0, in the outer thread loop every thread runs: a barrier before the
// fetch (the previous step's reads, WAR) and one before the reads (RAW), not
// inside the fetch's or the compute's serial loops.
TEST(CudaNestedThreads, BarriersBeforeTheFetchAndBeforeTheReads) {
  for (auto [threads, steps] : {std::pair{8, 4}, std::pair{4, 8}}) {
    PrimFunc f = codegen::compact_buffers(parse_func(tiled_gemm(threads, steps)));
    codegen::ThreadLayout layout = codegen::analyze_threads(f);
    codegen::StoragePlan storage = codegen::plan_storage(f, layout);
    codegen::BarrierPlan plan = codegen::plan_barriers(f, layout, storage);
    EXPECT_EQ(plan.before.size(), 2u) << threads;
    EXPECT_TRUE(plan.before.count(find_stmt(f, "f0"))) << to_text(f);
    EXPECT_TRUE(plan.before.count(find_stmt(f, "j1"))) << to_text(f);
    codegen::CudaKernel k = codegen::emit_cuda(parse_func(tiled_gemm(threads, steps)), "nested");
    EXPECT_EQ(count(k.source, "__syncthreads();"), 2) << k.source;
  }
}

TEST(CudaNestedThreads, CompilesWithNvrtc) {
  WEFT_SKIP_WITHOUT_NVRTC();
  std::vector<codegen::CudaKernel> kernels = {codegen::emit_cuda(parse_func(tiled_gemm(8, 4)), "same"),
                                              codegen::emit_cuda(parse_func(tiled_gemm(4, 8)), "guarded")};
  for (const char* arch : {"sm_80", "sm_90"}) {
    std::vector<runtime::CudaBuildOutcome> out = runtime::build_cuda_batch(kernels, arch);
    ASSERT_EQ(out.size(), kernels.size());
    for (size_t i = 0; i < out.size(); ++i) EXPECT_TRUE(out[i].ok()) << arch << ": " << out[i].error;
  }
}

}  // namespace
}  // namespace weft::test
