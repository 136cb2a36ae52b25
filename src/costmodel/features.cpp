// Feature rows, group by group (see feature_layout.h). Quantities are computed as
// doubles and stored as log2(1 + x).
#include "costmodel/features.h"

#include <algorithm>
#include <cmath>

#include "costmodel/arith_counts.h"
#include "costmodel/buffer_access.h"
#include "costmodel/store_sites.h"

namespace weft::costmodel {

namespace {

using namespace layout;

class Row {
 public:
  Row() : values_(kNumFeatures, 0.0f) {}
  void set(int index, double x) { values_[index] = static_cast<float>(std::log2(1.0 + std::max(x, 0.0))); }
  StoreFeatures take() { return std::move(values_); }

 private:
  StoreFeatures values_;
};

double trip_count(const std::vector<SiteLoop>& loops, size_t from = 0) {
  double t = 1;
  for (size_t l = from; l < loops.size(); ++l) t *= static_cast<double>(loops[l].extent);
  return t;
}

void arith_features(Row& row, const StoreSite& site, const ArithCounts& counts) {
  double trips = trip_count(site.loops);
  for (int k = 0; k < kNumArith; ++k) row.set(arith(static_cast<Arith>(k)), counts[k] * trips);
}

void loop_features(Row& row, const StoreSite& site) {
  const auto& loops = site.loops;
  row.set(loop(kNumLoops), static_cast<double>(loops.size()));
  row.set(loop(kTripCount), trip_count(loops));
  row.set(loop(kInnermostExtent), loops.empty() ? 0 : loops.back().extent);
  row.set(loop(kOutermostExtent), loops.empty() ? 0 : loops.front().extent);
  row.set(loop(kNumReduceLoops), site.num_reduce_loops);
  row.set(loop(kNumUnitLoops), std::count_if(loops.begin(), loops.end(), [](const SiteLoop& l) { return l.extent == 1; }));
  row.set(loop(kHasPredicate), site.has_predicate ? 1 : 0);
  row.set(loop(kIsInitStore), site.is_init ? 1 : 0);
  row.set(loop(kBlockDepth), site.blocks.empty() ? 0 : static_cast<double>(site.blocks.size() - 1));
}

void kind_features(Row& row, const StoreSite& site) {
  static const ir::ForKind kinds[kNumKinds] = {ir::ForKind::Parallel, ir::ForKind::Vectorized, ir::ForKind::Unrolled};
  const auto& loops = site.loops;
  for (int k = 0; k < kNumKinds; ++k) {
    auto group = static_cast<KindGroup>(k);
    double count = 0, product = 1, inner = 0, first_depth = 0;
    for (size_t l = 0; l < loops.size(); ++l) {
      if (loops[l].node->for_kind != kinds[k]) continue;
      if (count == 0) first_depth = static_cast<double>(l + 1);
      count += 1;
      product *= static_cast<double>(loops[l].extent);
      inner = static_cast<double>(loops[l].extent);
    }
    row.set(kind(group, kKindCount), count);
    row.set(kind(group, kKindExtentProduct), count > 0 ? product : 0);
    row.set(kind(group, kKindInnerExtent), inner);
    row.set(kind(group, kKindIsInnermost), !loops.empty() && loops.back().node->for_kind == kinds[k]);
    row.set(kind(group, kKindIsOutermost), !loops.empty() && loops.front().node->for_kind == kinds[k]);
    row.set(kind(group, kKindDepth), first_depth);
  }
}

// Integer annotation value (a float is truncated, a string counts as 0).
double annotation_number(const ir::AnnotationValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return 0;
}

void gpu_features(Row& row, const StoreSite& site) {
  static const char* const tags[] = {"blockIdx.x", "blockIdx.y", "blockIdx.z", "threadIdx.x", "threadIdx.y",
                                     "threadIdx.z"};
  double extents[kNumGpu] = {};
  for (const SiteLoop& l : site.loops) {
    if (l.node->for_kind != ir::ForKind::ThreadBinding) continue;
    const std::string& tag = l.node->thread_tag;
    for (int t = 0; t < 6; ++t)
      if (tag == tags[t]) extents[t] = std::max(extents[t], 1.0) * static_cast<double>(l.extent);
    if (tag.rfind("vthread", 0) == 0) extents[kVThread] = std::max(extents[kVThread], 1.0) * static_cast<double>(l.extent);
  }
  // Unroll annotations may sit on a loop or a block above the store; the rules name
  // them "...auto_unroll_max_step" and "...unroll_explicit".
  auto scan = [&](const ir::Annotations& annotations) {
    for (const auto& [key, value] : annotations) {
      if (key.find("auto_unroll_max_step") != std::string::npos)
        extents[kAutoUnrollMaxStep] = std::max(extents[kAutoUnrollMaxStep], annotation_number(value));
      else if (key.find("unroll_explicit") != std::string::npos)
        extents[kUnrollExplicit] = std::max(extents[kUnrollExplicit], annotation_number(value));
    }
  };
  for (const SiteLoop& l : site.loops) scan(l.node->annotations);
  for (const ir::BlockNode* b : site.blocks) scan(b->annotations);
  for (int g = 0; g < kNumGpu; ++g) row.set(gpu(static_cast<Gpu>(g)), extents[g]);
}

struct BufferSummary {
  const BufferAccesses* acc;
  double bytes;  // bytes accessed over the whole loop nest
};

void buffer_features(Row& row, const StoreSite& site, const std::vector<BufferAccesses>& accesses) {
  double trips = trip_count(site.loops);
  std::vector<BufferSummary> order;
  for (const BufferAccesses& a : accesses)
    order.push_back({&a, trips * a.count() * ir::dtype_bytes(a.buffer->dtype)});
  // Most bytes first; ties keep the order of first access (stable).
  std::stable_sort(order.begin(), order.end(),
                   [](const BufferSummary& x, const BufferSummary& y) { return x.bytes > y.bytes; });
  double inner_extent = 1;
  for (auto l = site.loops.rbegin(); l != site.loops.rend(); ++l)
    if (l->extent > 1) {
      inner_extent = static_cast<double>(l->extent);
      break;
    }
  for (int s = 0; s < kNumBufferSlots && s < static_cast<int>(order.size()); ++s) {
    const BufferAccesses& a = *order[s].acc;
    double elem = ir::dtype_bytes(a.buffer->dtype);
    bool read = !a.reads.empty(), write = !a.writes.empty();
    row.set(buffer(s, kIsRead), read && !write);
    row.set(buffer(s, kIsWrite), write && !read);
    row.set(buffer(s, kIsReadWrite), read && write);
    row.set(buffer(s, kBytes), order[s].bytes);
    Footprint whole = footprint(a, site.loops, 0);
    row.set(buffer(s, kUniqueBytes), whole.elements * elem);
    row.set(buffer(s, kUniqueLines), whole.lines);
    double stride = innermost_stride(a, site.loops);
    // Line accesses: a broadcast along the innermost loop stays on one line; small
    // strides share a line between consecutive iterations.
    double accesses = trips * a.count();
    double lines = stride == 0 ? accesses / inner_extent : accesses * std::min(1.0, stride * elem / 64.0);
    row.set(buffer(s, kLines), lines);
    Reuse r = reuse_of(a, site.loops);
    row.set(buffer(s, kReuseLoop), r.kind == ReuseKind::Loop);
    row.set(buffer(s, kReuseSerial), r.kind == ReuseKind::Serial);
    row.set(buffer(s, kNoReuse), r.kind == ReuseKind::None);
    row.set(buffer(s, kReuseDistIter), r.dist_iter);
    row.set(buffer(s, kReuseDistBytes), r.dist_bytes);
    row.set(buffer(s, kReuseCount), r.count);
    row.set(buffer(s, kStride), stride);
    row.set(buffer(s, kIsContiguous), stride == 1);
    row.set(buffer(s, kIsBroadcast), stride == 0 && !site.loops.empty());
    row.set(buffer(s, kIsGlobal), a.buffer->scope == "global");
    row.set(buffer(s, kAccessCount), a.count());
  }
}

// flops / bytes touched with the loops from depth `from` inward running, sampled at
// kNumIntensity depths from the single execution (innermost) to the whole nest.
void intensity_features(Row& row, const StoreSite& site, const ArithCounts& counts,
                        const std::vector<BufferAccesses>& accesses) {
  size_t n = site.loops.size();
  std::vector<double> curve;  // curve[i]: loops from depth n - i inward
  for (size_t i = 0; i <= n; ++i) {
    size_t from = n - i;
    double bytes = 0;
    for (const BufferAccesses& a : accesses) bytes += footprint(a, site.loops, from).elements * ir::dtype_bytes(a.buffer->dtype);
    double flops = counts[kFloatFlops] * trip_count(site.loops, from);
    curve.push_back(bytes > 0 ? flops / bytes : 0);
  }
  for (int p = 0; p < kNumIntensity; ++p) {
    size_t i = static_cast<size_t>(std::lround(static_cast<double>(p) * static_cast<double>(n) / (kNumIntensity - 1)));
    row.set(intensity(p), curve[std::min(i, n)]);
  }
}

void alloc_features(Row& row, const StoreSite& site) {
  double global = 0, local = 0, shared = 0, count = 0;
  for (const ir::BlockNode* b : site.blocks)
    for (const ir::Buffer& buf : b->alloc_buffers) {
      double bytes = static_cast<double>(buf->bytes());
      count += 1;
      if (buf->scope == "global") global += bytes;
      else if (buf->scope.rfind("shared", 0) == 0) shared += bytes;
      else local += bytes;  // local and tensor-core fragments
    }
  row.set(alloc(kAllocGlobalBytes), global);
  row.set(alloc(kAllocLocalBytes), local);
  row.set(alloc(kAllocSharedBytes), shared);
  row.set(alloc(kNumAllocs), count);
}

void outer_features(Row& row, const StoreSite& site) {
  double product = 1;
  for (int d = 0; d < kNumOuter; ++d) {
    if (static_cast<size_t>(d) < site.loops.size()) product *= static_cast<double>(site.loops[d].extent);
    row.set(outer(d), product);
  }
}

}  // namespace

ProgramFeatures extract_features(const ir::PrimFunc& func) {
  ProgramFeatures rows;
  for (const StoreSite& site : collect_store_sites(func)) {
    Row row;
    ArithCounts counts = count_arith(*site.store);
    std::vector<BufferAccesses> accesses = collect_buffer_accesses(site);
    arith_features(row, site, counts);
    loop_features(row, site);
    kind_features(row, site);
    gpu_features(row, site);
    buffer_features(row, site, accesses);
    intensity_features(row, site, counts, accesses);
    alloc_features(row, site);
    outer_features(row, site);
    rows.push_back(row.take());
  }
  return rows;
}

}  // namespace weft::costmodel
