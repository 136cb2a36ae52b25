#include <algorithm>
#include <charconv>

#include "schedule/cache_buffer_rewrite.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_cache.h"

namespace weft::sched {

using namespace ir;

void storage_align(Schedule& sch, BlockRV block_rv, int64_t buffer_index, int64_t axis, int64_t factor,
                   int64_t offset) {
  const std::string name = sch.block_name(block_rv);
  const BlockSite site = *find_block(sch.func(), name);
  const BlockNode& block = site.block();
  auto fail = [&](const std::string& msg) {
    throw ScheduleError("storage_align: " + msg + "\n  block " + name + ":\n" + snippet(site.realize));
  };
  if (buffer_index < 0 || buffer_index >= static_cast<int64_t>(block.writes.size()))
    fail("buffer index " + std::to_string(buffer_index) + " is out of range: block '" + name + "' writes " +
         std::to_string(block.writes.size()) + " region(s)");
  const Buffer buffer = block.writes[buffer_index].buffer;
  if (is_param(sch.func(), buffer.get()))
    fail("buffer '" + buffer->name + "' is a parameter of the function; only a buffer allocated by a block can be aligned");
  const int64_t ndim = buffer->ndim();
  if (axis < 0 || axis >= ndim - 1)
    fail("axis " + std::to_string(axis) + " is out of range for buffer '" + buffer->name + "' of rank " +
         std::to_string(ndim) + ": it must lie in [0, " + std::to_string(std::max<int64_t>(ndim - 1, 0)) +
         ") (the innermost dimension has unit stride)");
  if (factor < 1) fail("factor must be positive, got " + std::to_string(factor));
  if (offset < 0 || offset >= factor)
    fail("offset must lie in [0, factor), got " + std::to_string(offset) + " with factor " + std::to_string(factor));

  const std::string key = storage_align_key(buffer->name);
  std::vector<StorageAlign> entries;
  if (auto it = block.annotations.find(key); it != block.annotations.end()) {
    const auto* text = std::get_if<std::string>(&it->second);
    std::optional<std::vector<StorageAlign>> parsed = text ? parse_storage_align(*text) : std::nullopt;
    if (!parsed) fail("annotation '" + key + "' is not a list of 'axis,factor,offset' entries");
    entries = *parsed;
  }
  std::erase_if(entries, [&](const StorageAlign& a) { return a.axis == axis; });
  entries.push_back({axis, factor, offset});
  std::sort(entries.begin(), entries.end(), [](const StorageAlign& a, const StorageAlign& b) { return a.axis < b.axis; });

  Annotations annotations = block.annotations;
  annotations[key] = format_storage_align(entries);
  BlockEdit edit;
  edit.annotations = annotations;
  const BlockRealizeNode& br = site.node();
  sch.set_func(replace_stmt(sch.func(), site.realize.get(),
                            make_block_realize(br.iter_values, br.predicate, edit_block(block, edit))));
  sch.record({"storage_align", {Arg(block_rv), Arg(buffer_index), Arg(axis), Arg(factor), Arg(offset)}, {}, {},
              std::nullopt});
}

namespace {
const RegisterInstruction kStorageAlign({"storage_align", RVKind::Block, false, false,
                                         [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                            const std::optional<Arg>&) {
                                           ArgReader r("storage_align", in, attrs);
                                           r.expect_count(5);
                                           storage_align(sch, r.block(0), r.integer(1), r.integer(2), r.integer(3),
                                                         r.integer(4));
                                           return std::vector<RV>{};
                                         }});
}  // namespace

}  // namespace weft::sched
