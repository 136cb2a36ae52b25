#include <algorithm>

#include "ir/region.h"
#include "schedule/cache_buffer_rewrite.h"
#include "schedule/cache_stage.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_cache.h"

namespace weft::sched {

using namespace ir;

BlockRV cache_read(Schedule& sch, BlockRV block_rv, int64_t read_buffer_index, const std::string& scope) {
  const std::string name = sch.block_name(block_rv);
  const BlockSite site = *find_block(sch.func(), name);
  const BlockNode& block = site.block();
  auto fail = [&](const std::string& msg) {
    throw ScheduleError("cache_read: " + msg + "\n  block " + name + ":\n" + snippet(site.realize));
  };
  if (!is_valid_scope(scope))
    fail("unknown storage scope '" + scope +
         "' (expected global, shared, shared.dyn, local, frag.matrix_a, frag.matrix_b or frag.accumulator)");
  if (!site.parent) fail("the root block has no parent block to hold a cache stage");
  if (read_buffer_index < 0 || read_buffer_index >= static_cast<int64_t>(block.reads.size()))
    fail("read buffer index " + std::to_string(read_buffer_index) + " is out of range: block '" + name + "' reads " +
         std::to_string(block.reads.size()) + " region(s)");
  const Buffer buffer = block.reads[read_buffer_index].buffer;
  if (std::find(block.alloc_buffers.begin(), block.alloc_buffers.end(), buffer) != block.alloc_buffers.end())
    fail("buffer '" + buffer->name + "' is allocated by block '" + name + "' itself");

  // The copy goes right before the outermost of the block's loops under which
  // nothing writes the buffer: it sees what the block would have read.
  const std::optional<StageSite> stage = find_stage_site(
      site, [&](const Stmt& outer) { return buffer_users(outer, buffer.get()).writers.empty(); });
  if (!stage) {  // then the block itself, or a block inside it, writes the buffer
    const std::string writer = buffer_users(site.realize, buffer.get()).writers.front();
    fail((writer == name ? "block '" + name + "' also writes" : "block '" + writer + "' inside block '" + name + "' writes") +
         " buffer '" + buffer->name + "'; a copy made before it would miss its updates (use cache_write)");
  }

  // The region the block reads over its whole loop nest (every read of the buffer).
  const BlockAccess access = block_access_under(stage->outer, site.node().block, stage->context);
  std::optional<BufferRegion> region;
  for (size_t i = 0; i < block.reads.size(); ++i)
    if (block.reads[i].buffer == buffer)
      region = region ? region_union(*region, access.reads[i], stage->context) : access.reads[i];

  const std::string base = buffer->name + "_" + scope_word(scope);
  const Buffer cache = make_buffer(sch.fresh_buffer_name(base), buffer->dtype, buffer->shape, scope);
  const std::string stage_name = sch.fresh_block_name(base);
  const Stmt copy = make_copy_stage(stage_name, buffer, cache, *region, stage->context);

  const Block reader = swap_buffer(site.node().block, BufferSwap{buffer.get(), cache, true, false, false});
  const BlockRealizeNode& br = site.node();
  PrimFunc func = replace_stmt(sch.func(), site.realize.get(), make_block_realize(br.iter_values, br.predicate, reader));
  func = insert_stage(func, name, stage->depth, copy, /*before=*/true, cache);

  sch.set_func(func);
  BlockRV out = sch.make_block_rv(stage_name);
  sch.record({"cache_read", {Arg(block_rv), Arg(read_buffer_index), Arg(scope)}, {}, {RV{RVKind::Block, out.id}},
              std::nullopt});
  return out;
}

namespace {
const RegisterInstruction kCacheRead({"cache_read", RVKind::Block, false, false,
                                      [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                         const std::optional<Arg>&) {
                                        ArgReader r("cache_read", in, attrs);
                                        r.expect_count(3);
                                        BlockRV b = cache_read(sch, r.block(0), r.integer(1), r.string(2));
                                        return std::vector<RV>{{RVKind::Block, b.id}};
                                      }});
}  // namespace

}  // namespace weft::sched
