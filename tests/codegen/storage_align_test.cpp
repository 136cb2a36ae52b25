// storage_align in code generation (codegen/storage_layout.h): padded strides for
// the buffers a block's annotation names, applied after buffer compaction.
#include <gtest/gtest.h>

#include "codegen/cpp_emitter.h"
#include "codegen/storage_layout.h"
#include "codegen_test_util.h"
#include "ir/workload.h"
#include "runtime/cpu_builder.h"
#include "schedule/replay.h"
#include "support/error.h"

using namespace weft;
using namespace weft::ir;
using codegen::AxisAlign;

TEST(StorageAlign, StridesArePaddedFromTheInnermostAxisOut) {
  EXPECT_EQ(codegen::aligned_strides({4, 16}, {}), (std::vector<int64_t>{16, 1}));
  EXPECT_EQ(codegen::aligned_strides({4, 16}, {{0, 32, 8}}), (std::vector<int64_t>{40, 1}));
  EXPECT_EQ(codegen::aligned_strides({4, 16}, {{0, 16, 0}}), (std::vector<int64_t>{16, 1}));  // already aligned
  // Axis 1 of [2, 3, 5]: 5 -> 8; axis 0 follows from the padded inner stride.
  EXPECT_EQ(codegen::aligned_strides({2, 3, 5}, {{1, 4, 0}}), (std::vector<int64_t>{24, 8, 1}));
  EXPECT_EQ(codegen::aligned_strides({2, 3, 5}, {{0, 7, 3}, {1, 4, 1}}), (std::vector<int64_t>{17, 5, 1}));
}

TEST(StorageAlign, MalformedValuesAreBuildErrors) {
  EXPECT_THROW(codegen::parse_axis_aligns("0,32", "x"), BuildError);
  EXPECT_THROW(codegen::parse_axis_aligns("0,0,0", "x"), BuildError);
  EXPECT_THROW(codegen::parse_axis_aligns("0,8,8", "x"), BuildError);
  EXPECT_THROW(codegen::parse_axis_aligns("a,8,1", "x"), BuildError);
  EXPECT_EQ(codegen::parse_axis_aligns("0,8,1;1,4,0", "x").size(), 2u);
}

namespace {

// A packed 24 x 16 tile of B per j0 iteration whose rows are padded to a stride
// of 16 + 24 = 40 floats (40 % 32 == 8).
const char* kAlignedPack = R"(c = get_block("C")
i, j, k = get_loops(c)
i0, i1 = split(i, [None, 4])
j0, j1 = split(j, [None, 16])
reorder(i0, j0, k, i1, j1)
cr = cache_read(c, 2, "global")
compute_at(cr, j0)
storage_align(cr, 0, 0, 32, 8)
vectorize(j1)
)";

}  // namespace

TEST(StorageAlign, PaddedPackedTileCompilesAndMatchesTheInterpreter) {
  PrimFunc f = sched::replay(sched::Trace::parse_text(kAlignedPack), make_workload("matmul:M=32,N=64,K=24").func).func();
  std::string code = codegen::emit_cpp(f, "aligned");
  // 24 rows of stride 40, the last row needing only 16: allocated as 24 * 40.
  EXPECT_NE(code.find("float b_B_global[960];"), std::string::npos) << code;
  EXPECT_NE(code.find("* 40L"), std::string::npos) << code;
  auto module = runtime::CpuBuilder().build({{"aligned", f}});
  EXPECT_EQ(test::compare_with_interpreter(module->get_function("aligned")), "");
}

TEST(StorageAlign, AnnotationsThatCannotBeHonouredAreBuildErrors) {
  auto program = [](const std::string& key, const std::string& value) {
    return test::annotated_fill_program({{key, value}});
  };
  EXPECT_NO_THROW(codegen::emit_cpp(program("storage_align_tmp", "0,8,1"), "ok"));
  EXPECT_THROW(codegen::emit_cpp(program("storage_align_tmp", "0;8,1"), "bad"), BuildError);
  EXPECT_THROW(codegen::emit_cpp(program("storage_align_tmp", "1,8,1"), "bad"), BuildError);  // innermost axis
  EXPECT_THROW(codegen::emit_cpp(program("storage_align_Out", "0,8,1"), "bad"), BuildError);  // a parameter
  EXPECT_THROW(codegen::emit_cpp(program("storage_align_nope", "0,8,1"), "bad"), BuildError);
}
