// set_scope and storage_align: expected IR, unchanged results, failure messages,
// the storage_align annotation format, and trace replay / round trip.
#include "ir/workload.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_annotate.h"
#include "schedule/primitives_cache.h"
#include "schedule/primitives_lookup.h"
#include "schedule/replay.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

namespace {

// T is an intermediate allocated by the root block; A and B are parameters.
const char* kTwoStage = R"(func f(A: f32[4, 8], B: f32[4, 8]) {
  block root() {
    alloc T: f32[4, 8]
    for i in range(4) {
      for j in range(8) {
        block P(vi: spatial(0, 4) = i, vj: spatial(0, 8) = j) {
          reads(A[vi, vj])
          writes(T[vi, vj])
          T[vi, vj] = A[vi, vj] + f32(1)
        }
      }
    }
    for i2 in range(4) {
      for j2 in range(8) {
        block Q(wi: spatial(0, 4) = i2, wj: spatial(0, 8) = j2) {
          reads(T[wi, wj])
          writes(B[wi, wj])
          B[wi, wj] = T[wi, wj] * f32(2)
        }
      }
    }
  }
}
)";

// The same program with T in another scope: every use must name the same buffer.
std::string two_stage_with_scope(const std::string& scope) {
  std::string text = kTwoStage;
  const std::string alloc = "alloc T: f32[4, 8]";
  text.replace(text.find(alloc), alloc.size(), alloc + (scope == "global" ? "" : " " + scope));
  return text;
}

}  // namespace

TEST(SetScope, RebuildsEveryUseOnTheNewBuffer) {
  ir::PrimFunc original = ir::parse_func(kTwoStage);
  Schedule sch(original);
  set_scope(sch, get_block(sch, "P"), 0, "shared");
  // Structural equality would print two different buffers (T and T_1) if any use
  // still held the old one.
  EXPECT_TRUE(ir_equals(sch.func(), two_stage_with_scope("shared")));
  EXPECT_TRUE(same_results(original, sch.func()));
  set_scope(sch, get_block(sch, "P"), 0, "global");
  EXPECT_TRUE(ir_equals(sch.func(), kTwoStage));
}

TEST(SetScope, OnACacheStageAndOnTheOpLibrary) {
  ir::PrimFunc mm = matmul_func();
  Schedule sch(mm);
  BlockRV copy = cache_read(sch, get_block(sch, "C"), 1, "shared");
  set_scope(sch, copy, 0, "local");
  std::string text = ir::to_text(sch.func());
  EXPECT_NE(text.find("alloc A_shared: f32[16, 8] local"), std::string::npos) << text;
  EXPECT_TRUE(same_results(mm, sch.func()));

  ir::Workload w = ir::make_workload("dense_bias_gelu:M=8,N=12,K=6");
  Schedule dense(w.func);
  set_scope(dense, get_block(dense, "matmul"), 0, "local");
  text = ir::to_text(dense.func());
  EXPECT_NE(text.find("alloc T: f32[8, 12] local"), std::string::npos) << text;
  EXPECT_TRUE(same_results(w.func, dense.func()));
}

TEST(SetScope, Errors) {
  Schedule sch(ir::parse_func(kTwoStage));
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(set_scope(sch, get_block(sch, "Q"), 0, "shared"),
                        "set_scope: buffer 'B' is a parameter of the function");
  EXPECT_SCHEDULE_ERROR(set_scope(sch, get_block(sch, "P"), 1, "shared"),
                        "set_scope: buffer index 1 is out of range: block 'P' writes 1 region(s)");
  EXPECT_SCHEDULE_ERROR(set_scope(sch, get_block(sch, "P"), 0, "smem"), "set_scope: unknown storage scope 'smem'");
  try {
    set_scope(sch, get_block(sch, "Q"), 0, "shared");
  } catch (const ScheduleError& e) {
    EXPECT_NE(std::string(e.what()).find("block Q:\n    block Q(wi"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ir::to_text(sch.func()), before);
}

TEST(SetScope, TraceReplaysAndRoundTrips) {
  ir::PrimFunc original = ir::parse_func(kTwoStage);
  Schedule sch(original);
  set_scope(sch, get_block(sch, "P"), 0, "frag.accumulator");
  std::string text = sch.trace().to_text();
  EXPECT_NE(text.find("set_scope(b0, 0, \"frag.accumulator\")"), std::string::npos) << text;
  Trace parsed = Trace::parse_text(text, "set_scope.trace");
  EXPECT_EQ(parsed.to_text(), text);
  EXPECT_EQ(Trace::parse_json(sch.trace().to_json()).to_text(), text);
  Schedule again = replay(parsed, original);
  EXPECT_EQ(ir::to_text(again.func()), ir::to_text(sch.func()));
  EXPECT_TRUE(ir_equals(again.func(), two_stage_with_scope("frag.accumulator")));
}

TEST(StorageAlign, RecordsAnAnnotationOnTheWritingBlock) {
  ir::PrimFunc mm = matmul_func(16, 12, 8);
  Schedule sch(mm);
  BlockRV copy = cache_read(sch, get_block(sch, "C"), 1, "shared");
  storage_align(sch, copy, 0, 0, 32, 8);
  EXPECT_TRUE(ir_equals(sch.func(), R"(func mm(A: f32[16, 8], B: f32[8, 12], C: f32[16, 12]) {
  block root() {
    alloc A_shared: f32[16, 8] shared
    for ax0 in range(16) {
      for ax1 in range(8) {
        block A_shared(v0: spatial(0, 16) = ax0, v1: spatial(0, 8) = ax1) {
          reads(A[v0, v1])
          writes(A_shared[v0, v1])
          annotate(storage_align_A_shared="0,32,8")
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
  EXPECT_TRUE(same_results(mm, sch.func()));
}

TEST(StorageAlign, AxesAccumulateInOrderAndRealigningReplaces) {
  ir::PrimFunc f = ir::parse_func(R"(func f(A: f32[2, 4, 8], B: f32[2, 4, 8]) {
  block root() {
    alloc T: f32[2, 4, 8]
    for i in range(64) {
      block P(v0: spatial(0, 2) = i // 32, v1: spatial(0, 4) = i // 8 % 4, v2: spatial(0, 8) = i % 8) {
        reads(A[v0, v1, v2])
        writes(T[v0, v1, v2])
        T[v0, v1, v2] = A[v0, v1, v2]
      }
    }
    for j in range(64) {
      block Q(w0: spatial(0, 2) = j // 32, w1: spatial(0, 4) = j // 8 % 4, w2: spatial(0, 8) = j % 8) {
        reads(T[w0, w1, w2])
        writes(B[w0, w1, w2])
        B[w0, w1, w2] = T[w0, w1, w2]
      }
    }
  }
}
)");
  Schedule sch(f);
  BlockRV p = get_block(sch, "P");
  storage_align(sch, p, 0, 1, 16, 4);
  storage_align(sch, p, 0, 0, 32, 0);
  auto value = [&] {
    const auto& ann = find_block(sch.func(), "P")->block().annotations;
    auto it = ann.find("storage_align_T");
    return it == ann.end() ? std::string("<none>") : std::get<std::string>(it->second);
  };
  EXPECT_EQ(value(), "0,32,0;1,16,4");
  storage_align(sch, p, 0, 1, 8, 7);
  EXPECT_EQ(value(), "0,32,0;1,8,7");
  EXPECT_TRUE(same_results(f, sch.func()));

  auto parsed = parse_storage_align("0,32,0;1,8,7");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(*parsed, (std::vector<StorageAlign>{{0, 32, 0}, {1, 8, 7}}));
  EXPECT_EQ(format_storage_align(*parsed), "0,32,0;1,8,7");
  EXPECT_FALSE(parse_storage_align("0,32").has_value());
  EXPECT_FALSE(parse_storage_align("1,8,0;0,8,0").has_value());  // axes must increase
  EXPECT_FALSE(parse_storage_align("0,8,8").has_value());        // offset < factor
  EXPECT_FALSE(parse_storage_align("0,x,1").has_value());
  EXPECT_FALSE(parse_storage_align("").has_value());
}

TEST(StorageAlign, Errors) {
  Schedule sch(ir::parse_func(kTwoStage));
  BlockRV p = get_block(sch, "P");
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(storage_align(sch, get_block(sch, "Q"), 0, 0, 32, 0),
                        "storage_align: buffer 'B' is a parameter of the function");
  EXPECT_SCHEDULE_ERROR(storage_align(sch, p, 2, 0, 32, 0), "storage_align: buffer index 2 is out of range");
  EXPECT_SCHEDULE_ERROR(storage_align(sch, p, 0, 1, 32, 0),
                        "axis 1 is out of range for buffer 'T' of rank 2: it must lie in [0, 1)");
  EXPECT_SCHEDULE_ERROR(storage_align(sch, p, 0, -1, 32, 0), "axis -1 is out of range");
  EXPECT_SCHEDULE_ERROR(storage_align(sch, p, 0, 0, 0, 0), "factor must be positive, got 0");
  EXPECT_SCHEDULE_ERROR(storage_align(sch, p, 0, 0, 32, 32), "offset must lie in [0, factor), got 32 with factor 32");
  EXPECT_SCHEDULE_ERROR(storage_align(sch, p, 0, 0, 32, -1), "offset must lie in [0, factor), got -1");
  EXPECT_EQ(ir::to_text(sch.func()), before);
  annotate(sch, RV{RVKind::Block, p.id}, "storage_align_T", Arg("junk"));
  EXPECT_SCHEDULE_ERROR(storage_align(sch, p, 0, 0, 32, 0),
                        "annotation 'storage_align_T' is not a list of 'axis,factor,offset' entries");
}

TEST(StorageAlign, TraceReplaysAndRoundTrips) {
  ir::PrimFunc original = matmul_func();
  Schedule sch(original);
  BlockRV copy = cache_read(sch, get_block(sch, "C"), 1, "shared");
  storage_align(sch, copy, 0, 0, 32, 8);
  std::string text = sch.trace().to_text();
  EXPECT_NE(text.find("storage_align(b1, 0, 0, 32, 8)"), std::string::npos) << text;
  Trace parsed = Trace::parse_text(text, "storage_align.trace");
  EXPECT_EQ(parsed.to_text(), text);
  EXPECT_EQ(Trace::parse_json(sch.trace().to_json()).to_text(), text);
  Schedule again = replay(parsed, original);
  EXPECT_EQ(ir::to_text(again.func()), ir::to_text(sch.func()));
}
