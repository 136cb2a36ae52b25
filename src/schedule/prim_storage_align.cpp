#include <algorithm>
#include <charconv>

#include "schedule/cache_buffer_rewrite.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_cache.h"

namespace weft::sched {

using namespace ir;

std::string storage_align_key(const std::string& buffer_name) { return "storage_align_" + buffer_name; }

namespace {

std::vector<std::string> split_on(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return parts;
}

bool parse_int(const std::string& s, int64_t* out) {
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, *out);
  return !s.empty() && ec == std::errc() && p == end;
}

}  // namespace

std::optional<std::vector<StorageAlign>> parse_storage_align(const std::string& value) {
  std::vector<StorageAlign> out;
  for (const std::string& entry : split_on(value, ';')) {
    std::vector<std::string> f = split_on(entry, ',');
    StorageAlign a;
    if (f.size() != 3 || !parse_int(f[0], &a.axis) || !parse_int(f[1], &a.factor) || !parse_int(f[2], &a.offset))
      return std::nullopt;
    if (a.axis < 0 || a.factor < 1 || a.offset < 0 || a.offset >= a.factor) return std::nullopt;
    if (!out.empty() && out.back().axis >= a.axis) return std::nullopt;  // increasing axes
    out.push_back(a);
  }
  return out;
}

std::string format_storage_align(const std::vector<StorageAlign>& entries) {
  std::string out;
  for (const StorageAlign& a : entries) {
    if (!out.empty()) out += ";";
    out += std::to_string(a.axis) + "," + std::to_string(a.factor) + "," + std::to_string(a.offset);
  }
  return out;
}

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
