#include "rules/rule_util.h"

#include <algorithm>
#include <set>

#include "ir/dtype.h"
#include "ir/substitute.h"
#include "rules/annotations.h"
#include "schedule/compute_location_util.h"
#include "schedule/error.h"
#include "schedule/primitives_cache.h"
#include "schedule/primitives_compute_location.h"
#include "schedule/primitives_lookup.h"
#include "schedule/primitives_loops.h"
#include "schedule/sampling.h"
#include "support/error.h"

namespace weft::rules {

using namespace ir;

namespace {

bool range_uses(const Range& r, const VarNode* v) { return uses_var(r.min, v) || uses_var(r.extent, v); }

}  // namespace

sched::BlockSite site_of(const sched::Schedule& sch, const std::string& block_name) {
  auto site = sched::find_block(sch.func(), block_name);
  if (!site) throw InternalError("schedule rule: block '" + block_name + "' is not in the program");
  return *site;
}

bool is_root(const sched::BlockSite& site) { return !site.parent; }

bool has_trivial_binding(const sched::BlockSite& site) {
  const auto& br = site.node();
  if (br.iter_values.size() != site.loops.size()) return false;
  for (size_t i = 0; i < site.loops.size(); ++i) {
    const auto* v = br.iter_values[i].as<VarNode>();
    if (!v || v != site.loops[i].as<ForNode>()->loop_var.get()) return false;
  }
  return true;
}

bool is_spatial(const BlockNode& block) { return !block.is_reduction(); }

bool has_annotation(const BlockNode& block, const std::string& key) { return block.annotations.count(key) > 0; }

namespace {

std::vector<std::string> related(const sched::BlockSite& site, bool consumers) {
  std::vector<std::string> out;
  if (is_root(site)) return out;
  sched::compute_location::Scope scope = sched::compute_location::scope_of(site);
  const BlockNode& self = site.block();
  for (size_t i = 0; i < scope.siblings.size(); ++i) {
    if (i == scope.self) continue;
    const BlockNode& other = scope.block(i);
    const BlockNode& reader = consumers ? other : self;
    const BlockNode& writer = consumers ? self : other;
    if (!sched::compute_location::first_dependence(reader, writer).empty()) out.push_back(other.name);
  }
  return out;
}

}  // namespace

std::vector<std::string> consumers_of(const sched::BlockSite& site) { return related(site, true); }
std::vector<std::string> producers_of(const sched::BlockSite& site) { return related(site, false); }

bool writes_param(const PrimFunc& func, const BlockNode& block) {
  for (const BufferRegion& w : block.writes)
    if (sched::compute_location::is_param(func, w.buffer)) return true;
  return false;
}

bool needs_multi_level_tiling(const sched::BlockSite& site) {
  const BlockNode& b = site.block();
  if (is_root(site) || has_annotation(b, ann::kTilingStructure)) return false;
  if (b.writes.size() != 1 || b.reads.empty() || is_spatial(b) || !has_trivial_binding(site)) return false;
  std::vector<const VarNode*> spatial_vars;
  for (const IterVar& iv : b.iter_vars) {
    int64_t extent;
    bool unit = is_const_int(iv.dom.extent, &extent) && extent == 1;
    if (iv.kind == IterKind::Spatial && !unit) spatial_vars.push_back(iv.var.get());
  }
  const Buffer& written = b.writes[0].buffer;
  std::set<const BufferNode*> seen;
  int unused = 0;
  for (const BufferRegion& r : b.reads) {
    if (r.buffer.get() == written.get() || !seen.insert(r.buffer.get()).second) continue;
    for (const VarNode* v : spatial_vars) {
      bool used = std::any_of(r.region.begin(), r.region.end(), [&](const Range& rg) { return range_uses(rg, v); });
      unused += !used;
    }
  }
  return unused >= 1;
}

std::vector<std::vector<sched::LoopRV>> tile_by_structure(sched::Schedule& s, sched::BlockRV block, const BlockNode& b,
                                                          const std::string& structure, int64_t max_innermost,
                                                          int64_t max_row_tile) {
  std::vector<int> s_levels, r_levels;
  for (size_t i = 0; i < structure.size(); ++i) (structure[i] == 'S' ? s_levels : r_levels).push_back(static_cast<int>(i));
  std::vector<std::vector<sched::LoopRV>> tiles(structure.size());
  std::vector<sched::LoopRV> loops = sched::get_loops(s, block);
  std::vector<size_t> spatial;
  for (size_t i = 0; i < loops.size(); ++i)
    if (b.iter_vars[i].kind == IterKind::Spatial) spatial.push_back(i);
  size_t rows = max_row_tile > 0 && spatial.size() >= 2 ? spatial[spatial.size() - 2] : loops.size();
  for (size_t i = 0; i < loops.size(); ++i) {
    const std::vector<int>& levels = b.iter_vars[i].kind == IterKind::Spatial ? s_levels : r_levels;
    int n = static_cast<int>(levels.size());
    if (n == 1) {
      tiles[levels[0]].push_back(loops[i]);
      continue;
    }
    std::vector<sched::Arg> factors;
    for (sched::ExprRV f : i == rows ? sched::sample_partial_tile(s, loops[i], n, 1, max_row_tile)
                                     : sched::sample_perfect_tile(s, loops[i], n, max_innermost))
      factors.push_back(sched::Arg(f));
    std::vector<sched::LoopRV> parts = sched::split(s, loops[i], factors);
    for (int k = 0; k < n; ++k) tiles[levels[k]].push_back(parts[k]);
  }
  std::vector<sched::LoopRV> order;
  for (const auto& level : tiles) order.insert(order.end(), level.begin(), level.end());
  sched::reorder(s, order);
  return tiles;
}

std::optional<std::string> elementwise_consumer(const sched::Schedule& sch, const std::string& block_name) {
  std::vector<std::string> consumers = consumers_of(site_of(sch, block_name));
  if (consumers.size() != 1) return std::nullopt;
  sched::BlockSite epilogue = site_of(sch, consumers[0]);
  if (!is_spatial(epilogue.block()) || !has_trivial_binding(epilogue)) return std::nullopt;
  return consumers[0];
}

std::vector<std::string> packable_inputs(const BlockNode& b) {
  std::vector<const VarNode*> spatial_vars;
  for (const IterVar& iv : b.iter_vars) {
    int64_t extent;
    bool unit = is_const_int(iv.dom.extent, &extent) && extent == 1;
    if (iv.kind == IterKind::Spatial && !unit) spatial_vars.push_back(iv.var.get());
  }
  if (spatial_vars.empty()) return {};
  const VarNode* vector_axis = spatial_vars.back();
  std::set<const BufferNode*> written;
  for (const BufferRegion& w : b.writes) written.insert(w.buffer.get());
  std::set<const BufferNode*> seen;
  std::vector<std::string> out;
  for (const BufferRegion& r : b.reads) {
    if (written.count(r.buffer.get()) || r.region.empty() || !seen.insert(r.buffer.get()).second) continue;
    const Range& innermost = r.region.back();
    bool only_vector_axis = range_uses(innermost, vector_axis);
    for (const IterVar& iv : b.iter_vars)
      if (iv.var.get() != vector_axis && range_uses(innermost, iv.var.get())) only_vector_axis = false;
    bool reused = std::any_of(spatial_vars.begin(), spatial_vars.end(), [&](const VarNode* v) {
      return std::none_of(r.region.begin(), r.region.end(), [&](const Range& rg) { return range_uses(rg, v); });
    });
    if (only_vector_axis && reused) out.push_back(r.buffer->name);
  }
  return out;
}

std::vector<std::string> row_aliased_broadcast_inputs(const BlockNode& b, int64_t period_bytes) {
  std::set<const BufferNode*> written;
  for (const BufferRegion& w : b.writes) written.insert(w.buffer.get());
  std::set<const BufferNode*> seen;
  std::vector<std::string> out;
  for (const BufferRegion& r : b.reads) {
    const BufferNode* buffer = r.buffer.get();
    if (written.count(buffer) || buffer->ndim() < 2 || r.region.empty() || !seen.insert(buffer).second) continue;
    bool reduction = false, spatial = false;
    for (const IterVar& iv : b.iter_vars) {
      if (!range_uses(r.region.back(), iv.var.get())) continue;
      (iv.kind == IterKind::Spatial ? spatial : reduction) = true;
    }
    int64_t row_bytes = buffer->shape.back() * dtype_bytes(buffer->dtype);
    if (reduction && !spatial && row_bytes % period_bytes == 0) out.push_back(buffer->name);
  }
  return out;
}

int64_t read_index_of(const BlockNode& b, const std::string& buffer) {
  for (size_t i = 0; i < b.reads.size(); ++i)
    if (b.reads[i].buffer->name == buffer) return static_cast<int64_t>(i);
  return -1;
}

bool try_transform(sched::Schedule& sch, const std::function<void(sched::Schedule&)>& transform) {
  sched::Schedule copy = sch;
  try {
    transform(copy);
  } catch (const sched::ScheduleError&) {
    return false;
  }
  sch = std::move(copy);
  return true;
}

void pack_inputs_at(sched::Schedule& s, sched::BlockRV block, const std::string& block_name,
                    const std::vector<std::string>& inputs, sched::LoopRV loop, const std::string& scope) {
  for (const std::string& input : inputs) {
    int64_t index = read_index_of(site_of(s, block_name).block(), input);
    sched::compute_at(s, sched::cache_read(s, block, index, scope), loop, true);
  }
}

}  // namespace weft::rules
