// storage_block in code generation (codegen/storage_layout.h): a blocked axis is
// stored as (i / block, ..., i % block), partial blocks included.
#include <gtest/gtest.h>

#include "codegen/cpp_emitter.h"
#include "codegen/index_analysis.h"
#include "codegen/storage_layout.h"
#include "codegen_test_util.h"
#include "ir/simplify.h"
#include "ir/workload.h"
#include "runtime/cpu_builder.h"
#include "schedule/replay.h"
#include "support/error.h"

using namespace weft;
using namespace weft::ir;

TEST(StorageBlock, LayoutAppendsTheBlockInnermost) {
  // [10, 8] by 4 on axis 0: [3][8][4].
  codegen::BufferLayout l = codegen::blocked_layout({10, 8}, {0, 4});
  EXPECT_EQ(l.strides, (std::vector<int64_t>{32, 4}));
  EXPECT_EQ(l.elements, 96);
  EXPECT_FALSE(l.linear());
  // [2, 5, 3] by 2 on axis 1: [2][3][3][2].
  l = codegen::blocked_layout({2, 5, 3}, {1, 2});
  EXPECT_EQ(l.strides, (std::vector<int64_t>{18, 6, 2}));
  EXPECT_EQ(l.elements, 36);
}

TEST(StorageBlock, EveryElementHasItsOwnPlace) {
  Buffer t = make_buffer("T", DType::f32, {7, 3});
  codegen::LayoutTable layouts{{t.get(), codegen::blocked_layout({7, 3}, {0, 4})}};
  std::vector<int> seen(codegen::allocated_elements(t, layouts), 0);
  for (int64_t i = 0; i < 7; ++i)
    for (int64_t j = 0; j < 3; ++j) {
      int64_t flat = 0;
      Expr index = codegen::flat_index(t, {int_imm(i, DType::i64), int_imm(j, DType::i64)}, &layouts);
      ASSERT_TRUE(is_const_int(simplify(index), &flat));
      ASSERT_GE(flat, 0);
      ASSERT_LT(flat, static_cast<int64_t>(seen.size()));
      EXPECT_EQ(flat, (i / 4) * 12 + j * 4 + i % 4);
      ++seen[flat];
    }
  int64_t used = 0;
  for (int s : seen) {
    EXPECT_LE(s, 1);
    used += s;
  }
  EXPECT_EQ(used, 21);
}

namespace {

// A copied whole at the root in blocks of the 5-row register tile (partial: 12 rows
// make 3 blocks, the last with 2 rows), read by a 5 x 16 tile.
const char* kBlockedRows = R"(c = get_block("C")
i, j, k = get_loops(c)
v0, v1 = sample_partial_tile(i, n=2, max_innermost=8) -> [3, 5]
i0, i1 = split(i, [v0, v1])
j0, j1 = split(j, [None, 16])
reorder(i0, j0, k, i1, j1)
cr = cache_read(c, 1, "global")
storage_block(cr, 0, 0, v1)
vectorize(j1)
)";

}  // namespace

TEST(StorageBlock, BlockedCopyCompilesAndMatchesTheInterpreter) {
  for (const char* spec : {"matmul:M=12,N=32,K=24", "batch_matmul:B=2,M=12,N=32,K=24"}) {
    Workload w = make_workload(spec);
    std::string trace = kBlockedRows;
    if (std::string(spec).rfind("batch", 0) == 0) {
      trace.replace(trace.find("i, j, k = get_loops(c)"), 22, "b, i, j, k = get_loops(c)");
      trace.replace(trace.find("reorder(i0"), 10, "reorder(b, i0");
      trace.replace(trace.find("storage_block(cr, 0, 0"), 22, "storage_block(cr, 0, 1");
      trace.replace(trace.find("get_block(\"C\")"), 14, "get_block(\"" + w.func->params.back()->name + "\")");
    }
    PrimFunc f = sched::replay(sched::Trace::parse_text(trace), w.func).func();
    std::string code = codegen::emit_cpp(f, "blocked");
    // 3 blocks of 5 rows x 24 columns (x 2 batches).
    int64_t batches = std::string(spec).rfind("batch", 0) == 0 ? 2 : 1;
    EXPECT_NE(code.find("b_A_global[" + std::to_string(batches * 360)), std::string::npos) << code;
    EXPECT_NE(code.find("/ 5L) * 120L) + (v_v"), std::string::npos) << code;  // row block, then row in block
    auto module = runtime::CpuBuilder().build({{"blocked", f}});
    EXPECT_EQ(test::compare_with_interpreter(module->get_function("blocked")), "") << spec;
  }
}

TEST(StorageBlock, AnnotationsThatCannotBeHonouredAreBuildErrors) {
  auto emit = [](const Annotations& a, const std::string& name) {
    return codegen::emit_cpp(test::annotated_fill_program(a), name);
  };
  EXPECT_NO_THROW(emit({{"storage_block_tmp", "0,3"}}, "ok"));
  EXPECT_THROW(emit({{"storage_block_tmp", "0;3"}}, "bad"), BuildError);
  EXPECT_THROW(emit({{"storage_block_tmp", "0,0"}}, "bad"), BuildError);
  EXPECT_THROW(emit({{"storage_block_tmp", "1,2"}}, "bad"), BuildError);  // innermost axis
  EXPECT_THROW(emit({{"storage_block_Out", "0,2"}}, "bad"), BuildError);  // a parameter
  EXPECT_THROW(emit({{"storage_block_nope", "0,2"}}, "bad"), BuildError);
  EXPECT_THROW(emit({{"storage_block_tmp", "0,2"}, {"storage_align_tmp", "0,8,1"}}, "both"), BuildError);
}
