// storage_block: the annotation it records, its factor from an integer or a sampled
// ExprRV, failure messages, the annotation format, and trace replay / round trip.
#include "ir/workload.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_cache.h"
#include "schedule/primitives_loops.h"
#include "schedule/primitives_lookup.h"
#include "schedule/replay.h"
#include "schedule/sampling.h"
#include "schedule_test_util.h"

using namespace weft;
using namespace weft::sched;
using namespace weft::sched::testing;

namespace {

std::string annotation(const Schedule& sch, const std::string& block, const std::string& key) {
  const auto& ann = find_block(sch.func(), block)->block().annotations;
  auto it = ann.find(key);
  return it == ann.end() ? std::string("<none>") : std::get<std::string>(it->second);
}

}  // namespace

TEST(StorageBlock, RecordsAnAnnotationOnTheWritingBlockAndChangesNoResult) {
  ir::PrimFunc mm = matmul_func(16, 12, 8);
  Schedule sch(mm);
  BlockRV copy = cache_read(sch, get_block(sch, "C"), 1, "global");
  storage_block(sch, copy, 0, 0, Arg(6));
  EXPECT_EQ(annotation(sch, "A_global", "storage_block_A_global"), "0,6");
  // Only the annotation: the logical IR (shapes, indices, regions) is untouched.
  Schedule plain(mm);
  cache_read(plain, get_block(plain, "C"), 1, "global");
  EXPECT_EQ(find_block(sch.func(), "A_global")->block().writes[0].buffer->shape,
            find_block(plain.func(), "A_global")->block().writes[0].buffer->shape);
  EXPECT_TRUE(same_results(mm, sch.func()));
}

TEST(StorageBlock, TakesASampledFactorAndReplaysIt) {
  ir::PrimFunc original = matmul_func(16, 12, 8);
  Schedule sch(original);
  BlockRV c = get_block(sch, "C");
  std::vector<LoopRV> loops = get_loops(sch, c);
  std::vector<ExprRV> rows = sample_partial_tile(sch, loops[0], 2, 1, 8, std::vector<int64_t>{4, 5});
  split(sch, loops[0], {Arg(rows[0]), Arg(rows[1])});
  BlockRV copy = cache_read(sch, c, 1, "global");
  storage_block(sch, copy, 0, 0, Arg(rows[1]));
  EXPECT_EQ(annotation(sch, "A_global", "storage_block_A_global"), "0,5");
  std::string text = sch.trace().to_text();
  EXPECT_NE(text.find("storage_block(b"), std::string::npos) << text;
  EXPECT_NE(text.find(", 0, 0, v"), std::string::npos) << "the factor is the sampled variable\n" << text;
  Trace parsed = Trace::parse_text(text, "storage_block.trace");
  EXPECT_EQ(parsed.to_text(), text);
  EXPECT_EQ(Trace::parse_json(sch.trace().to_json()).to_text(), text);
  Schedule again = replay(parsed, original);
  EXPECT_EQ(ir::to_text(again.func()), ir::to_text(sch.func()));
  // Another decision for the rows moves the blocking with it.
  std::string other = text;
  other.replace(other.find("-> [4, 5]"), 9, "-> [3, 6]");
  EXPECT_EQ(annotation(replay(Trace::parse_text(other, "other.trace"), original), "A_global",
                       "storage_block_A_global"),
            "0,6");
  EXPECT_TRUE(same_results(original, sch.func()));
}

TEST(StorageBlock, Errors) {
  Schedule sch(matmul_func(16, 12, 8));
  BlockRV copy = cache_read(sch, get_block(sch, "C"), 1, "global");
  std::string before = ir::to_text(sch.func());
  EXPECT_SCHEDULE_ERROR(storage_block(sch, get_block(sch, "C"), 0, 0, Arg(4)),
                        "storage_block: buffer 'C' is a parameter of the function");
  EXPECT_SCHEDULE_ERROR(storage_block(sch, copy, 1, 0, Arg(4)), "storage_block: buffer index 1 is out of range");
  EXPECT_SCHEDULE_ERROR(storage_block(sch, copy, 0, 1, Arg(4)),
                        "axis 1 is out of range for buffer 'A_global' of rank 2: it must lie in [0, 1)");
  EXPECT_SCHEDULE_ERROR(storage_block(sch, copy, 0, 0, Arg(0)), "factor must be positive, got 0");
  EXPECT_SCHEDULE_ERROR(storage_block(sch, copy, 0, 0, Arg("six")), "storage_block: factor");
  EXPECT_EQ(ir::to_text(sch.func()), before);
  // Aligned or blocked, not both, in either order.
  storage_block(sch, copy, 0, 0, Arg(4));
  EXPECT_SCHEDULE_ERROR(storage_align(sch, copy, 0, 0, 32, 8), "is stored in blocks (storage_block)");
  Schedule aligned(matmul_func(16, 12, 8));
  BlockRV copy2 = cache_read(aligned, get_block(aligned, "C"), 1, "global");
  storage_align(aligned, copy2, 0, 0, 32, 8);
  EXPECT_SCHEDULE_ERROR(storage_block(aligned, copy2, 0, 0, Arg(4)), "has aligned strides (storage_align)");
}

TEST(StorageBlock, AnnotationFormat) {
  EXPECT_EQ(parse_storage_block("1,6"), (StorageBlock{1, 6}));
  EXPECT_EQ(format_storage_block({1, 6}), "1,6");
  EXPECT_EQ(storage_block_key("A_global"), "storage_block_A_global");
  for (const char* bad : {"", "1", "1,6,0", "-1,6", "0,0", "x,6", "0,6;1,2"})
    EXPECT_FALSE(parse_storage_block(bad).has_value()) << bad;
}
