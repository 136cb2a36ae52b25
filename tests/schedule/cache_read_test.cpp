// cache_read: expected IR, unchanged results, placement inside nested blocks,
// failure messages, and trace replay / round trip.
#include "ir/workload.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_blockize.h"
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

// Q reads A[4:+8] only: the copy covers that region, bound at its offset.
const char* kWindow = R"(func f(A: f32[16], B: f32[8]) {
  block root() {
    for i in range(8) {
      block Q(v: spatial(0, 8) = i) {
        reads(A[v + 4])
        writes(B[v])
        B[v] = A[v + 4] * f32(2)
      }
    }
  }
}
)";

// Block `inner` sits inside block `outer`: the stage goes into `outer`.
const char* kNested = R"(func f(A: f32[16], B: f32[16]) {
  block root() {
    for io in range(4) {
      block outer(vo: spatial(0, 4) = io) {
        reads(A[vo * 4:+4])
        writes(B[vo * 4:+4])
        for ii in range(4) {
          block inner(vi: spatial(0, 16) = vo * 4 + ii) {
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi] * f32(2)
          }
        }
      }
    }
  }
}
)";

// Two readers of A.
const char* kTwoReaders = R"(func f(A: f32[8], B: f32[8], C: f32[8]) {
  block root() {
    for i in range(8) {
      block P(v: spatial(0, 8) = i) {
        reads(A[v])
        writes(B[v])
        B[v] = A[v] + f32(1)
      }
    }
    for j in range(8) {
      block Q(w: spatial(0, 8) = j) {
        reads(A[w])
        writes(C[w])
        C[w] = A[w] * f32(2)
      }
    }
  }
}
)";

}  // namespace

TEST(CacheRead, MatmulSharedCopyGoesBeforeTheLoopNest) {
  ir::PrimFunc original = matmul_func(16, 12, 8);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  BlockRV copy = cache_read(sch, c, 1, "shared");
  EXPECT_EQ(sch.block_name(copy), "A_shared");
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mm(A: f32[16, 8], B: f32[8, 12], C: f32[16, 12]) {
  block root() {
    alloc A_shared: f32[16, 8] shared
    for ax0 in range(16) {
      for ax1 in range(8) {
        block A_shared(v0: spatial(0, 16) = ax0, v1: spatial(0, 8) = ax1) {
          reads(A[v0, v1])
          writes(A_shared[v0, v1])
          A_shared[v0, v1] = A[v0, v1]
        }
      }
    }
    for i in range(16) {
      for j in range(12) {
        for k in range(8) {
          block C(vi: spatial(0, 16) = i, vj: spatial(0, 12) = j, vk: reduce(0, 8) = k) {
            reads(C[vi, vj], A_shared[vi, vk], B[vk, vj])
            writes(C[vi, vj])
            init {
              C[vi, vj] = f32(0)
            }
            C[vi, vj] = C[vi, vj] + A_shared[vi, vk] * B[vk, vj]
          }
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
  // The copy block is a first-class block: its loops can be scheduled.
  auto loops = get_loops(sch, copy);
  ASSERT_EQ(loops.size(), 2u);
  split(sch, loops[0], {Arg(4), Arg()});
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(CacheRead, FragmentScopesAndTiledLoops) {
  ir::PrimFunc original = matmul_func(16, 12, 8);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  split(sch, loops[0], {Arg(4), Arg(4)});
  BlockRV a = cache_read(sch, c, 1, "frag.matrix_a");
  BlockRV b = cache_read(sch, c, 2, "frag.matrix_b");
  EXPECT_EQ(sch.block_name(a), "A_frag_matrix_a");
  EXPECT_EQ(sch.block_name(b), "B_frag_matrix_b");
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("alloc A_frag_matrix_a: f32[16, 8] frag.matrix_a"), std::string::npos) << text;
  EXPECT_NE(text.find("alloc B_frag_matrix_b: f32[8, 12] frag.matrix_b"), std::string::npos) << text;
  EXPECT_NE(text.find("A_frag_matrix_a[vi, vk] * B_frag_matrix_b[vk, vj]"), std::string::npos) << text;
  // Both copies precede the (split) loop nest of C.
  EXPECT_LT(text.find("block B_frag_matrix_b("), text.find("for i_0 in range(4)")) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(CacheRead, CopiesOnlyTheRegionRead) {
  ir::PrimFunc original = ir::parse_func(kWindow);
  Schedule sch(original);
  cache_read(sch, get_block(sch, "Q"), 0, "local");
  EXPECT_TRUE(ir_equals(sch.func(), R"(func f(A: f32[16], B: f32[8]) {
  block root() {
    alloc A_local: f32[16] local
    for ax0 in range(8) {
      block A_local(v0: spatial(0, 16) = ax0 + 4) {
        reads(A[v0])
        writes(A_local[v0])
        A_local[v0] = A[v0]
      }
    }
    for i in range(8) {
      block Q(v: spatial(0, 8) = i) {
        reads(A_local[v + 4])
        writes(B[v])
        B[v] = A_local[v + 4] * f32(2)
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(CacheRead, InsideANestedBlockTheParentAllocatesTheCache) {
  ir::PrimFunc original = ir::parse_func(kNested);
  Schedule sch(original);
  cache_read(sch, get_block(sch, "inner"), 0, "local");
  EXPECT_TRUE(ir_equals(sch.func(), R"(func f(A: f32[16], B: f32[16]) {
  block root() {
    for io in range(4) {
      block outer(vo: spatial(0, 4) = io) {
        alloc A_local: f32[16] local
        reads(A[vo * 4:+4])
        writes(B[vo * 4:+4])
        for ax0 in range(4) {
          block A_local(v0: spatial(0, 16) = vo * 4 + ax0) {
            reads(A[v0])
            writes(A_local[v0])
            A_local[v0] = A[v0]
          }
        }
        for ii in range(4) {
          block inner(vi: spatial(0, 16) = vo * 4 + ii) {
            reads(A_local[vi])
            writes(B[vi])
            B[vi] = A_local[vi] * f32(2)
          }
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(CacheRead, PartialTileRegionGetsAPredicate) {
  ir::PrimFunc original = ir::parse_func(kNestedTail);
  Schedule sch(original);
  cache_read(sch, get_block(sch, "inner"), 0, "local");
  EXPECT_TRUE(ir_equals(sch.func(), R"(func f(A: f32[14], B: f32[14]) {
  block root() {
    for io in range(4) {
      block outer(vo: spatial(0, 4) = io) {
        alloc A_local: f32[14] local
        reads(A[0:+14])
        writes(B[0:+14])
        for ax0 in range(4) {
          block A_local(v0: spatial(0, 14) = vo * 4 + ax0) where vo * 4 + ax0 <= 13 {
            reads(A[v0])
            writes(A_local[v0])
            A_local[v0] = A[v0]
          }
        }
        for ii in range(4) {
          block inner(vi: spatial(0, 14) = vo * 4 + ii) where vo * 4 + ii < 14 {
            reads(A_local[vi])
            writes(B[vi])
            B[vi] = A_local[vi] * f32(2)
          }
        }
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(CacheRead, OnlyTheGivenReaderUsesTheCacheAndNamesStayFresh) {
  ir::PrimFunc original = ir::parse_func(kTwoReaders);
  Schedule sch(original);
  BlockRV first = cache_read(sch, get_block(sch, "Q"), 0, "shared");
  BlockRV second = cache_read(sch, get_block(sch, "P"), 0, "shared");
  EXPECT_EQ(sch.block_name(first), "A_shared");
  EXPECT_EQ(sch.block_name(second), "A_shared_1");
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("B[v] = A_shared_1[v] + f32(1)"), std::string::npos) << text;
  EXPECT_NE(text.find("C[w] = A_shared[w] * f32(2)"), std::string::npos) << text;
  // Program order: copy for P, P, copy for Q, Q.
  size_t c1 = text.find("block A_shared_1("), p = text.find("block P("), c0 = text.find("block A_shared("),
         q = text.find("block Q(");
  EXPECT_TRUE(c1 < p && p < c0 && c0 < q) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(CacheRead, DenseBiasGeluIntermediateAndInputs) {
  ir::Workload w = ir::make_workload("dense_bias_gelu:M=8,N=12,K=6");
  Schedule sch(w.func);
  BlockRV epilogue = get_block(sch, "bias_gelu");
  BlockRV t_local = cache_read(sch, epilogue, read_index(sch, "bias_gelu", "T"), "local");
  BlockRV matmul = get_block(sch, "matmul");
  cache_read(sch, matmul, read_index(sch, "matmul", "X"), "shared");
  cache_read(sch, matmul, read_index(sch, "matmul", "W"), "shared");
  std::string text = ir::to_text(sch.func());
  // The copy of the intermediate T comes after the block producing it.
  EXPECT_LT(text.find("block matmul("), text.find("block T_local(")) << text;
  EXPECT_LT(text.find("block T_local("), text.find("block bias_gelu(")) << text;
  EXPECT_EQ(sch.block_name(t_local), "T_local");
  EXPECT_TRUE(same_results(w.func, sch.func()));
}

TEST(CacheRead, Errors) {
  Schedule sch(matmul_func());
  BlockRV c = get_block(sch, "C");
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(cache_read(sch, c, 3, "shared"), "cache_read: read buffer index 3 is out of range: block 'C' reads 3 region(s)");
  EXPECT_SCHEDULE_ERROR(cache_read(sch, c, -1, "shared"), "read buffer index -1 is out of range");
  EXPECT_SCHEDULE_ERROR(cache_read(sch, c, 1, "texture"), "cache_read: unknown storage scope 'texture'");
  EXPECT_SCHEDULE_ERROR(cache_read(sch, c, 0, "local"),
                        "block 'C' also writes buffer 'C'; a copy made before it would miss its updates");
  EXPECT_SCHEDULE_ERROR(cache_read(sch, get_block(sch, "root"), 0, "local"), "the root block has no parent block");
  try {
    cache_read(sch, c, 3, "shared");
  } catch (const ScheduleError& e) {
    EXPECT_NE(std::string(e.what()).find("block C:\n    block C(vi"), std::string::npos) << e.what();  // prints the block
  }
  EXPECT_EQ(ir::to_text(sch.func()), before);
  EXPECT_EQ(sch.trace().size(), 2u);  // get_block twice, nothing else recorded
}

TEST(CacheRead, AfterAProducerInTheSameLoopTheCopyGoesInsideIt) {
  ir::PrimFunc original = ir::parse_func(kSharedLoop);
  Schedule sch(original);
  cache_read(sch, get_block(sch, "Q"), 0, "local");
  EXPECT_TRUE(ir_equals(sch.func(), R"(func f(A: f32[8], B: f32[8]) {
  block root() {
    alloc T: f32[8]
    alloc T_local: f32[8] local
    for i in range(8) {
      block P(v: spatial(0, 8) = i) {
        reads(A[v])
        writes(T[v])
        T[v] = A[v] + f32(1)
      }
      for ax0 in range(1) {
        block T_local(v0: spatial(0, 8) = i) {
          reads(T[v0])
          writes(T_local[v0])
          T_local[v0] = T[v0]
        }
      }
      block Q(w: spatial(0, 8) = i) {
        reads(T_local[w])
        writes(B[w])
        B[w] = T_local[w] * f32(2)
      }
    }
  }
}
)"));
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(CacheRead, TraceReplaysAndRoundTrips) {
  ir::PrimFunc original = matmul_func(16, 12, 8);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  split(sch, loops[1], {Arg(), Arg(4)});
  BlockRV a = cache_read(sch, c, 1, "shared");
  cache_read(sch, c, 2, "local");
  split(sch, get_loops(sch, a)[1], {Arg(2), Arg(4)});
  std::string text = sch.trace().to_text();
  EXPECT_NE(text.find("= cache_read(b0, 1, \"shared\")"), std::string::npos) << text;
  EXPECT_NE(text.find("= cache_read(b0, 2, \"local\")"), std::string::npos) << text;
  Trace parsed = Trace::parse_text(text, "cache_read.trace");
  EXPECT_EQ(parsed.to_text(), text);
  EXPECT_EQ(Trace::parse_json(sch.trace().to_json()).to_text(), text);
  Schedule again = replay(parsed, original);
  EXPECT_EQ(ir::to_text(again.func()), ir::to_text(sch.func()));
  EXPECT_EQ(again.trace().to_text(), text);
  EXPECT_TRUE(same_results(original, again.func()));
}

TEST(CacheRead, CopyBlockMovesUnderTheConsumerWithComputeAt) {
  ir::PrimFunc original = matmul_func(16, 12, 8);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  auto i = split(sch, loops[0], {Arg(4), Arg(4)});
  BlockRV a = cache_read(sch, c, 1, "shared");
  compute_at(sch, a, i[0]);
  std::string text = ir::to_text(sch.func());
  // Each outer iteration copies its 4 rows of A only.
  EXPECT_LT(text.find("for i_0 in range(4)"), text.find("block A_shared(")) << text;
  EXPECT_NE(text.find("for ax0 in range(4)"), std::string::npos) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(CacheRead, OnABlockizedOuterBlockTheInnerBlockReadsTheCache) {
  ir::PrimFunc original = matmul_func(16, 12, 8);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  auto loops = get_loops(sch, c);
  auto i = split(sch, loops[0], {Arg(4), Arg(4)});
  BlockRV outer = blockize(sch, i[1]);
  ASSERT_EQ(sch.block_name(outer), "C_o");
  cache_read(sch, outer, read_index(sch, "C_o", "A"), "shared");
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("reads(C[vi_o * 4:+4, 0:+12], A_shared[vi_o * 4:+4, 0:+8], B[0:+8, 0:+12])"), std::string::npos)
      << text;
  EXPECT_NE(text.find("+ A_shared[vi_o * 4 + vi_i, vk] * B[vk, vj]"), std::string::npos) << text;
  EXPECT_LT(text.find("block A_shared("), text.find("block C_o(")) << text;
  EXPECT_TRUE(same_results(original, sch.func()));
  // The outer block accumulates into C through the inner one.
  EXPECT_SCHEDULE_ERROR(cache_read(sch, outer, read_index(sch, "C_o", "C"), "local"),
                        "block 'C_o' also writes buffer 'C'");
}
