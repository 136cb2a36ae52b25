// Barrier insertion at the IR level: which statements get a __syncthreads() before them.
#include <gtest/gtest.h>

#include "codegen/barrier_insertion.h"
#include "codegen/cuda_test_util.h"
#include "support/error.h"

namespace weft::test {
namespace {

using namespace ir;
using codegen::BarrierPlan;

BarrierPlan plan(const PrimFunc& f) {
  codegen::ThreadLayout layout = codegen::analyze_threads(f);
  codegen::StoragePlan storage = codegen::plan_storage(f, layout);
  return codegen::plan_barriers(f, layout, storage);
}

// Threads fill a shared tile, then read it back mirrored (`read_index`).
std::string exchange(const std::string& read_index) {
  return R"(func exchange(A: f32[64], B: f32[64]) {
  block root() {
    alloc S: f32[64] shared
    for t in range(64) thread(threadIdx.x) {
      block fill(v: spatial(0, 64) = t) {
        reads(A[v])
        writes(S[v])
        S[v] = A[v]
      }
    }
    for u in range(64) thread(threadIdx.x) {
      block use(w: spatial(0, 64) = u) {
        reads(S[0:+64])
        writes(B[w])
        B[w] = S[)" + read_index + R"(]
      }
    }
  }
}
)";
}

TEST(CudaBarriers, ReadAfterWriteByOtherThreads) {
  PrimFunc f = parse_func(exchange("63 - w"));
  BarrierPlan p = plan(f);
  EXPECT_EQ(p.before.size(), 1u);
  EXPECT_TRUE(p.before.count(find_stmt(f, "u")));
}

TEST(CudaBarriers, SameThreadSameElementNeedsNone) {
  PrimFunc f = parse_func(exchange("w"));
  EXPECT_TRUE(plan(f).before.empty());
}

TEST(CudaBarriers, SingleThreadKernelNeedsNone) {
  std::string text = exchange("63 - w");
  for (const char* tag : {"thread(threadIdx.x) "}) {
    size_t at;
    while ((at = text.find(tag)) != std::string::npos) text.erase(at, std::string(tag).size());
  }
  EXPECT_TRUE(plan(parse_func(text)).before.empty());
}

// A tile refilled in every iteration of k: a barrier before the reads (RAW) and one
// before the refill, for the reads of the previous iteration (WAR).
TEST(CudaBarriers, WriteAfterReadAcrossLoopIterations) {
  PrimFunc f = parse_func(R"(func tiles(A: f32[256], B: f32[64]) {
  block root() {
    alloc S: f32[64] shared
    for k in range(4) {
      for t in range(64) thread(threadIdx.x) {
        block fill(v: spatial(0, 64) = t, vk: spatial(0, 4) = k) {
          reads(A[vk * 64 + v])
          writes(S[v])
          S[v] = A[vk * 64 + v]
        }
      }
      for u in range(64) thread(threadIdx.x) {
        block acc(w: spatial(0, 64) = u, rk: reduce(0, 4) = k) {
          reads(B[w], S[0:+64])
          writes(B[w])
          init {
            B[w] = f32(0)
          }
          B[w] = B[w] + S[63 - w]
        }
      }
    }
  }
}
)");
  BarrierPlan p = plan(f);
  EXPECT_EQ(p.before.size(), 2u);
  EXPECT_TRUE(p.before.count(find_stmt(f, "t")));
  EXPECT_TRUE(p.before.count(find_stmt(f, "u")));
}

// A value computed once (thread 0) and read by every thread: one barrier between,
// none between the thread-0 stores of the serial reduction.
TEST(CudaBarriers, ThreadZeroReductionThenBroadcast) {
  PrimFunc f = parse_func(R"(func bcast(A: f32[64], B: f32[64]) {
  block root() {
    alloc S: f32[1] shared
    for k in range(64) {
      block total(rk: reduce(0, 64) = k) {
        reads(S[0], A[rk])
        writes(S[0])
        init {
          S[0] = f32(0)
        }
        S[0] = S[0] + A[rk]
      }
    }
    for u in range(64) thread(threadIdx.x) {
      block scale(w: spatial(0, 64) = u) {
        reads(A[w], S[0])
        writes(B[w])
        B[w] = A[w] / S[0]
      }
    }
  }
}
)");
  codegen::ThreadLayout layout = codegen::analyze_threads(f);
  codegen::StoragePlan storage = codegen::plan_storage(f, layout);
  EXPECT_EQ(storage.store_guards.size(), 2u);  // init and update run in thread 0
  BarrierPlan p = codegen::plan_barriers(f, layout, storage);
  EXPECT_EQ(p.before.size(), 1u);
  EXPECT_TRUE(p.before.count(find_stmt(f, "u")));
}

// The reading loop is guarded (32 of 64 threads): the barrier goes before it, outside.
TEST(CudaBarriers, BarrierStaysOutsideGuardedLoops) {
  std::string text = exchange("63 - w");
  text.replace(text.find("for u in range(64)"), 18, "for u in range(32)");
  text.replace(text.find("w: spatial(0, 64)"), 17, "w: spatial(0, 32)");
  text.replace(text.find("reads(S[0:+64])"), 15, "reads(S[31:+33])");
  PrimFunc f = parse_func(text);
  codegen::ThreadLayout layout = codegen::analyze_threads(f);
  EXPECT_TRUE(layout.guarded.count(find_stmt(f, "u")->kind == StmtKind::For
                                       ? static_cast<const ForNode*>(find_stmt(f, "u"))
                                       : nullptr));
  BarrierPlan p = plan(f);
  EXPECT_EQ(p.before.size(), 1u);
  EXPECT_TRUE(p.before.count(find_stmt(f, "u")));
}

// Threads that diverge (a guarded loop) and exchange data inside it: no place for a
// barrier that every thread reaches.
TEST(CudaBarriers, ExchangeInsideDivergentCodeIsABuildError) {
  PrimFunc f = parse_func(R"(func diverge(A: f32[64], B: f32[64]) {
  block root() {
    alloc S: f32[64] shared
    for t in range(64) thread(threadIdx.x) {
      block fill(v: spatial(0, 64) = t) {
        reads(A[v])
        writes(S[v])
        S[v] = A[v]
      }
    }
    for u in range(32) thread(threadIdx.x) {
      block swap(w: spatial(0, 32) = u) {
        reads(S[0:+64])
        writes(S[w], B[w])
        S[w] = S[63 - w]
        B[w] = S[w + 32]
      }
    }
  }
}
)");
  try {
    plan(f);
    FAIL() << "expected a BuildError";
  } catch (const BuildError& e) {
    EXPECT_NE(std::string(e.what()).find("'S'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("diverge"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace weft::test
