// cache_write: expected IR, unchanged results (partial writes included), failure
// messages, and trace replay / round trip.
#include <functional>

#include "ir/workload.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_cache.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/replay.h"
#include "cache_fixtures.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

namespace {

int64_t read_index(const Schedule& sch, const std::string& block, const std::string& buffer) {
  const auto& reads = find_block(sch.func(), block)->block().reads;
  for (size_t i = 0; i < reads.size(); ++i)
    if (reads[i].buffer->name == buffer) return static_cast<int64_t>(i);
  ADD_FAILURE() << "block " << block << " does not read " << buffer;
  return -1;
}

// P writes only B[4:+8]; the other elements of B must keep their input values.
const char* kPartial = R"(func f(A: f32[8], B: f32[16]) {
  block root() {
    for i in range(8) {
      block P(v: spatial(4, 8) = i + 4) {
        reads(A[v - 4])
        writes(B[v])
        B[v] = A[v - 4] + f32(1)
      }
    }
  }
}
)";

// Writes every other element: the region is not indexed by an iterator.
const char* kStrided = R"(func f(A: f32[8], B: f32[16]) {
  block root() {
    for i in range(8) {
      block P(v: spatial(0, 8) = i) {
        reads(A[v])
        writes(B[v * 2])
        B[v * 2] = A[v]
      }
    }
  }
}
)";

// A predicate that skips points of the domain: B[5:8] is never written.
const char* kSkipping = R"(func f(A: f32[8], B: f32[8]) {
  block root() {
    for i in range(8) {
      block P(v: spatial(0, 8) = i) where i < 5 {
        reads(A[v])
        writes(B[v])
        B[v] = A[v]
      }
    }
  }
}
)";

// Read-modify-write of an input without an init.
const char* kAccumulate = R"(func f(A: f32[8], B: f32[8]) {
  block root() {
    for i in range(8) {
      block P(v: spatial(0, 8) = i) {
        reads(B[v], A[v])
        writes(B[v])
        B[v] = B[v] + A[v]
      }
    }
  }
}
)";

}  // namespace

TEST(CacheWrite, MatmulAccumulatesInTheCacheAndWritesBack) {
  ir::PrimFunc original = matmul_func(16, 12, 8);
  Schedule sch(original);
  BlockRV back = cache_write(sch, get_block(sch, "C"), 0, "local");
  EXPECT_EQ(sch.block_name(back), "C_local");
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mm(A: f32[16, 8], B: f32[8, 12], C: f32[16, 12]) {
  block root() {
    alloc C_local: f32[16, 12] local
    for i in range(16) {
      for j in range(12) {
        for k in range(8) {
          block C(vi: spatial(0, 16) = i, vj: spatial(0, 12) = j, vk: reduce(0, 8) = k) {
            reads(C_local[vi, vj], A[vi, vk], B[vk, vj])
            writes(C_local[vi, vj])
            init {
              C_local[vi, vj] = f32(0)
            }
            C_local[vi, vj] = C_local[vi, vj] + A[vi, vk] * B[vk, vj]
          }
        }
      }
    }
    for ax0 in range(16) {
      for ax1 in range(12) {
        block C_local(v0: spatial(0, 16) = ax0, v1: spatial(0, 12) = ax1) {
          reads(C_local[v0, v1])
          writes(C[v0, v1])
          C[v0, v1] = C_local[v0, v1]
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(CacheWrite, WritesBackExactlyThePartWritten) {
  ir::PrimFunc original = ir::parse_func(kPartial);
  Schedule sch(original);
  cache_write(sch, get_block(sch, "P"), 0, "shared");
  EXPECT_TRUE(ir_equals(sch.func(), R"(func f(A: f32[8], B: f32[16]) {
  block root() {
    alloc B_shared: f32[16] shared
    for i in range(8) {
      block P(v: spatial(4, 8) = i + 4) {
        reads(A[v - 4])
        writes(B_shared[v])
        B_shared[v] = A[v - 4] + f32(1)
      }
    }
    for ax0 in range(8) {
      block B_shared(v0: spatial(0, 16) = ax0 + 4) {
        reads(B_shared[v0])
        writes(B[v0])
        B[v0] = B_shared[v0]
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));  // B[0:4] and B[12:16] keep their inputs
}

TEST(CacheWrite, NonDivisibleSplitStaysInBounds) {
  ir::PrimFunc original = matmul_func(10, 12, 8);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  split(sch, get_loops(sch, c)[0], {Arg(), Arg(4)});
  cache_write(sch, c, 0, "local");
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("for ax0 in range(10)"), std::string::npos) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(CacheWrite, WriteBackStaysInTheIteratorDomain) {
  // P writes B[0:10] of B[16]; split by 4, its loops reach 12 elements, of which
  // the predicate keeps 10: B[10:16] must keep its input values.
  ir::PrimFunc original = ir::parse_func(R"(func f(A: f32[10], B: f32[16]) {
  block root() {
    for i in range(10) {
      block P(v: spatial(0, 10) = i) {
        reads(A[v])
        writes(B[v])
        B[v] = A[v] * f32(3)
      }
    }
  }
}
)");
  Schedule sch(original);
  BlockRV p = get_block(sch, "P");
  split(sch, get_loops(sch, p)[0], {Arg(), Arg(4)});
  cache_write(sch, p, 0, "local");
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("for ax0 in range(10)"), std::string::npos) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(CacheWrite, InsideANestedBlockWithAPartialTile) {
  ir::PrimFunc original = ir::parse_func(kNestedTail);
  Schedule sch(original);
  cache_write(sch, get_block(sch, "inner"), 0, "local");
  EXPECT_TRUE(ir_equals(sch.func(), R"(func f(A: f32[14], B: f32[14]) {
  block root() {
    for io in range(4) {
      block outer(vo: spatial(0, 4) = io) {
        alloc B_local: f32[14] local
        reads(A[0:+14])
        writes(B[0:+14])
        for ii in range(4) {
          block inner(vi: spatial(0, 14) = vo * 4 + ii) where vo * 4 + ii < 14 {
            reads(A[vi])
            writes(B_local[vi])
            B_local[vi] = A[vi] * f32(2)
          }
        }
        for ax0 in range(4) {
          block B_local(v0: spatial(0, 14) = vo * 4 + ax0) where vo * 4 + ax0 <= 13 {
            reads(B_local[v0])
            writes(B[v0])
            B[v0] = B_local[v0]
          }
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(CacheWrite, DenseBiasGeluBothStagesAndOtherReadersKeepTheOriginal) {
  ir::Workload w = ir::make_workload("dense_bias_gelu:M=8,N=12,K=6");
  Schedule sch(w.func);
  BlockRV t_back = cache_write(sch, get_block(sch, "matmul"), 0, "local");
  BlockRV y_back = cache_write(sch, get_block(sch, "bias_gelu"), 0, "shared");
  EXPECT_EQ(sch.block_name(t_back), "T_local");
  EXPECT_EQ(sch.block_name(y_back), "Y_shared");
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("alloc T_local: f32[8, 12] local"), std::string::npos) << text;
  EXPECT_NE(text.find("alloc Y_shared: f32[8, 12] shared"), std::string::npos) << text;
  // The epilogue still reads T, written back before it runs.
  size_t back = text.find("block T_local("), epilogue = text.find("block bias_gelu(");
  EXPECT_LT(back, epilogue) << text;
  EXPECT_NE(text.find("reads(T[", epilogue), std::string::npos) << text;
  EXPECT_TRUE(same_results(w.func, sch.func()));
  // Read and write caches compose.
  cache_read(sch, get_block(sch, "matmul"), read_index(sch, "matmul", "X"), "shared");
  EXPECT_TRUE(same_results(w.func, sch.func()));
}

TEST(CacheWrite, Errors) {
  Schedule sch(matmul_func());
  BlockRV c = get_block(sch, "C");
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(cache_write(sch, c, 1, "local"),
                        "cache_write: write buffer index 1 is out of range: block 'C' writes 1 region(s)");
  EXPECT_SCHEDULE_ERROR(cache_write(sch, c, 0, "registers"), "cache_write: unknown storage scope 'registers'");
  EXPECT_SCHEDULE_ERROR(cache_write(sch, get_block(sch, "root"), 0, "local"), "the root block has no parent block");
  EXPECT_EQ(ir::to_text(sch.func()), before);

  Schedule strided(ir::parse_func(kStrided));
  EXPECT_SCHEDULE_ERROR(cache_write(strided, get_block(strided, "P"), 0, "local"),
                        "block 'P' writes B[v * 2], not indexed by constants and distinct spatial iterators");
  Schedule skipping(ir::parse_func(kSkipping));
  EXPECT_SCHEDULE_ERROR(cache_write(skipping, get_block(skipping, "P"), 0, "local"),
                        "block 'P' has the predicate i < 5, which may skip points of its iterator domains");
  Schedule acc(ir::parse_func(kAccumulate));
  EXPECT_SCHEDULE_ERROR(cache_write(acc, get_block(acc, "P"), 0, "local"),
                        "block 'P' reads buffer 'B' without an init");
}

TEST(CacheWrite, BeforeAConsumerInTheSameLoopTheWriteBackGoesInsideIt) {
  ir::PrimFunc original = ir::parse_func(kSharedLoop);
  Schedule sch(original);
  cache_write(sch, get_block(sch, "P"), 0, "local");
  EXPECT_TRUE(ir_equals(sch.func(), R"(func f(A: f32[8], B: f32[8]) {
  block root() {
    alloc T: f32[8]
    alloc T_local: f32[8] local
    for i in range(8) {
      block P(v: spatial(0, 8) = i) {
        reads(A[v])
        writes(T_local[v])
        T_local[v] = A[v] + f32(1)
      }
      for ax0 in range(1) {
        block T_local(v0: spatial(0, 8) = i) {
          reads(T_local[v0])
          writes(T[v0])
          T[v0] = T_local[v0]
        }
      }
      block Q(w: spatial(0, 8) = i) {
        reads(T[w])
        writes(B[w])
        B[w] = T[w] * f32(2)
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(CacheWrite, TraceReplaysAndRoundTrips) {
  ir::PrimFunc original = matmul_func(16, 12, 8);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  split(sch, get_loops(sch, c)[0], {Arg(4), Arg(4)});
  BlockRV back = cache_write(sch, c, 0, "local");
  cache_read(sch, c, 1, "shared");
  split(sch, get_loops(sch, back)[0], {Arg(2), Arg()});
  std::string text = sch.trace().to_text();
  EXPECT_NE(text.find("= cache_write(b0, 0, \"local\")"), std::string::npos) << text;
  Trace parsed = Trace::parse_text(text, "cache_write.trace");
  EXPECT_EQ(parsed.to_text(), text);
  EXPECT_EQ(Trace::parse_json(sch.trace().to_json()).to_text(), text);
  Schedule again = replay(parsed, original);
  EXPECT_EQ(ir::to_text(again.func()), ir::to_text(sch.func()));
  EXPECT_TRUE(same_results(original, again.func()));
}

TEST(CacheWrite, WriteBackMovesUnderTheWriterWithReverseComputeAt) {
  ir::PrimFunc original = matmul_func(16, 12, 8);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  auto i = split(sch, loops[0], {Arg(4), Arg(4)});
  BlockRV back = cache_write(sch, c, 0, "local");
  reverse_compute_at(sch, back, i[0]);
  std::string text = ir::to_text(sch.func());
  EXPECT_LT(text.find("for i_0 in range(4)"), text.find("block C_local(")) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
}

namespace {

// Small instances of every op family, padded and strided convolutions, full and
// partial reductions, broadcasts and f16 storage included.
const char* const kLibrarySpecs[] = {
    "add:M=4,N=6,bcast=scalar",
    "sub:M=4,N=6,bcast=col",
    "conv2d:N=1,H=6,W=6,C=3,K=4,R=3,S=3,pad=1",
    "conv2d:N=1,H=7,W=7,C=2,K=3,R=3,S=3,stride=2",
    "dense_bias_relu:M=4,N=6,K=5",
    "layernorm:M=4,N=6",
    "softmax:M=4,N=6",
    "sum:A=2,B=3,C=4,axes=111",
    "max:A=2,B=3,C=4,axes=010",
    "mean:A=2,B=3,C=4,axes=101",
    "batch_matmul:B=2,M=3,N=4,K=5,ta=1",
    "matmul:M=5,N=6,K=7,tb=1,dtype=f16",
};

}  // namespace

// Every read and write of every block of the library: the cache stages either
// apply and keep the results, or fail with a ScheduleError (never another error).
TEST(CacheWrite, AndCacheReadOnEveryBlockOfTheOpLibrary) {
  int applied = 0;
  std::vector<std::string> refused;
  for (const char* spec : kLibrarySpecs) {
    ir::Workload w = ir::make_workload(spec);
    for (const std::string& name : all_block_names(w.func)) {
      if (name == "root") continue;
      const ir::BlockNode& block = find_block(w.func, name)->block();
      auto attempt = [&](const std::string& what, const std::function<void(Schedule&)>& fn) {
        for (bool tiled : {false, true}) {  // as is, and with its outer loop split 3 ways (often not evenly)
          Schedule sch(w.func);
          if (tiled) {
            auto loops = get_loops(sch, get_block(sch, name));
            if (loops.empty()) continue;
            split(sch, loops[0], {Arg(), Arg(3)});
          }
          try {
            fn(sch);
          } catch (const ScheduleError& e) {
            refused.push_back(std::string(spec) + " " + what + ": " + std::string(e.what()).substr(0, 160));
            continue;
          }
          ++applied;
          EXPECT_TRUE(same_results(w.func, sch.func())) << spec << " " << what << (tiled ? " (tiled)" : "");
        }
      };
      for (size_t i = 0; i < block.reads.size(); ++i)
        attempt("cache_read " + name + " " + std::to_string(i),
                [&](Schedule& sch) { cache_read(sch, get_block(sch, name), static_cast<int64_t>(i), "local"); });
      for (size_t i = 0; i < block.writes.size(); ++i)
        attempt("cache_write " + name + " " + std::to_string(i),
                [&](Schedule& sch) { cache_write(sch, get_block(sch, name), static_cast<int64_t>(i), "shared"); });
    }
  }
  // Only a reduction's read of its own output is refused (cache_read of a buffer
  // the block writes); every other case applies.
  for (const std::string& r : refused)
    EXPECT_NE(r.find("also writes buffer"), std::string::npos) << r;
  EXPECT_GT(applied, 90);
}
