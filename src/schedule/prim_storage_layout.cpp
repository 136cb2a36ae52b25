// storage_align and storage_block: requests for the physical layout of a buffer a
// block writes, kept as block annotations (ir/storage_align.h) for codegen.
#include <algorithm>
#include <functional>

#include "schedule/cache_buffer_rewrite.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_cache.h"

namespace weft::sched {

using namespace ir;

namespace {

// The block a layout primitive annotates, and the buffer it names: checked to be an
// allocated buffer of the block's writes with `axis` outside the innermost one.
struct LayoutTarget {
  BlockSite site;
  Buffer buffer;
  std::function<void(const std::string&)> fail;
};

LayoutTarget layout_target(Schedule& sch, BlockRV block_rv, int64_t buffer_index, int64_t axis,
                           const std::string& primitive) {
  const std::string name = sch.block_name(block_rv);
  LayoutTarget t{*find_block(sch.func(), name), Buffer(), nullptr};
  const BlockSite site = t.site;
  t.fail = [primitive, name, site](const std::string& msg) {
    throw ScheduleError(primitive + ": " + msg + "\n  block " + name + ":\n" + snippet(site.realize));
  };
  const BlockNode& block = site.block();
  if (buffer_index < 0 || buffer_index >= static_cast<int64_t>(block.writes.size()))
    t.fail("buffer index " + std::to_string(buffer_index) + " is out of range: block '" + name + "' writes " +
           std::to_string(block.writes.size()) + " region(s)");
  t.buffer = block.writes[buffer_index].buffer;
  if (is_param(sch.func(), t.buffer.get()))
    t.fail("buffer '" + t.buffer->name +
           "' is a parameter of the function; only a buffer allocated by a block can be laid out");
  const int64_t ndim = t.buffer->ndim();
  if (axis < 0 || axis >= ndim - 1)
    t.fail("axis " + std::to_string(axis) + " is out of range for buffer '" + t.buffer->name + "' of rank " +
           std::to_string(ndim) + ": it must lie in [0, " + std::to_string(std::max<int64_t>(ndim - 1, 0)) +
           ") (the innermost dimension has unit stride)");
  return t;
}

void set_annotation(Schedule& sch, const BlockSite& site, const std::string& key, const std::string& value) {
  BlockEdit edit;
  edit.annotations = site.block().annotations;
  (*edit.annotations)[key] = value;
  const BlockRealizeNode& br = site.node();
  sch.set_func(replace_stmt(sch.func(), site.realize.get(),
                            make_block_realize(br.iter_values, br.predicate, edit_block(site.block(), edit))));
}

}  // namespace

void storage_align(Schedule& sch, BlockRV block_rv, int64_t buffer_index, int64_t axis, int64_t factor,
                   int64_t offset) {
  LayoutTarget t = layout_target(sch, block_rv, buffer_index, axis, "storage_align");
  if (factor < 1) t.fail("factor must be positive, got " + std::to_string(factor));
  if (offset < 0 || offset >= factor)
    t.fail("offset must lie in [0, factor), got " + std::to_string(offset) + " with factor " + std::to_string(factor));
  const Annotations& annotations = t.site.block().annotations;
  if (annotations.count(storage_block_key(t.buffer->name)))
    t.fail("buffer '" + t.buffer->name + "' is stored in blocks (storage_block); it cannot also be aligned");

  const std::string key = storage_align_key(t.buffer->name);
  std::vector<StorageAlign> entries;
  if (auto it = annotations.find(key); it != annotations.end()) {
    const auto* text = std::get_if<std::string>(&it->second);
    std::optional<std::vector<StorageAlign>> parsed = text ? parse_storage_align(*text) : std::nullopt;
    if (!parsed) t.fail("annotation '" + key + "' is not a list of 'axis,factor,offset' entries");
    entries = *parsed;
  }
  std::erase_if(entries, [&](const StorageAlign& a) { return a.axis == axis; });
  entries.push_back({axis, factor, offset});
  std::sort(entries.begin(), entries.end(),
            [](const StorageAlign& a, const StorageAlign& b) { return a.axis < b.axis; });
  set_annotation(sch, t.site, key, format_storage_align(entries));
  sch.record({"storage_align", {Arg(block_rv), Arg(buffer_index), Arg(axis), Arg(factor), Arg(offset)}, {}, {},
              std::nullopt});
}

void storage_block(Schedule& sch, BlockRV block_rv, int64_t buffer_index, int64_t axis, const Arg& factor_arg) {
  LayoutTarget t = layout_target(sch, block_rv, buffer_index, axis, "storage_block");
  int64_t factor = std::holds_alternative<RV>(factor_arg.value)
                       ? sch.expr_value(ArgReader::as_expr(factor_arg, "storage_block: factor"))
                       : ArgReader::as_int(factor_arg, "storage_block: factor");
  if (factor < 1) t.fail("factor must be positive, got " + std::to_string(factor));
  if (t.site.block().annotations.count(storage_align_key(t.buffer->name)))
    t.fail("buffer '" + t.buffer->name + "' has aligned strides (storage_align); it cannot also be stored in blocks");
  set_annotation(sch, t.site, storage_block_key(t.buffer->name), format_storage_block({axis, factor}));
  sch.record({"storage_block", {Arg(block_rv), Arg(buffer_index), Arg(axis), factor_arg}, {}, {}, std::nullopt});
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
const RegisterInstruction kStorageBlock({"storage_block", RVKind::Block, false, false,
                                         [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                            const std::optional<Arg>&) {
                                           ArgReader r("storage_block", in, attrs);
                                           r.expect_count(4);
                                           storage_block(sch, r.block(0), r.integer(1), r.integer(2), r.at(3));
                                           return std::vector<RV>{};
                                         }});
}  // namespace

}  // namespace weft::sched
