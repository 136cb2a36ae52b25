#include "costmodel/buffer_access.h"

#include <algorithm>
#include <cmath>

#include "ir/functor.h"
#include "ir/interval.h"

namespace weft::costmodel {

namespace {

constexpr double kLineBytes = 64;

class LoadCollector : public ir::IRVisitor {
 public:
  std::vector<const ir::BufferLoadNode*> loads;

 protected:
  using ir::IRVisitor::visit;
  void visit(const ir::BufferLoadNode& n, const ir::Expr& self) override {
    loads.push_back(&n);
    ir::IRVisitor::visit(n, self);
  }
};

BufferAccesses& entry(std::vector<BufferAccesses>& all, const ir::BufferNode* buffer) {
  for (BufferAccesses& a : all)
    if (a.buffer == buffer) return a;
  all.push_back({buffer, {}, {}});
  return all.back();
}

Indices bind(const std::vector<ir::Expr>& indices, const ir::VarMap& bindings) {
  Indices out;
  for (const ir::Expr& e : indices) out.push_back(ir::substitute(e, bindings));
  return out;
}

// Every loop variable at 0 except loops[from..], which range over their extents.
ir::VarDomains domains_from(const std::vector<SiteLoop>& loops, size_t from) {
  ir::VarDomains d;
  for (size_t l = 0; l < loops.size(); ++l)
    d[loops[l].node->loop_var.get()] =
        l >= from ? ir::Interval::from_extent(0, loops[l].extent) : ir::Interval::point(0);
  return d;
}

// Row-major flat index at the point `d` (every domain a point), or nullopt when
// some index is not decided.
std::optional<double> flat_index(const Indices& idx, const ir::BufferNode& buffer, const ir::VarDomains& d) {
  double flat = 0;
  for (size_t k = 0; k < idx.size() && k < buffer.shape.size(); ++k) {
    ir::Interval b = ir::bound_of(idx[k], d);
    if (!b.is_point()) return std::nullopt;
    flat = flat * static_cast<double>(buffer.shape[k]) + static_cast<double>(b.min);
  }
  return flat;
}

bool depends_on(const BufferAccesses& acc, const ir::VarNode* v) {
  for (const auto* list : {&acc.reads, &acc.writes})
    for (const Indices& idx : *list)
      for (const ir::Expr& e : idx)
        if (ir::uses_var(e, v)) return true;
  return false;
}

}  // namespace

std::vector<BufferAccesses> collect_buffer_accesses(const StoreSite& site) {
  std::vector<BufferAccesses> all;
  entry(all, site.store->buffer.get()).writes.push_back(bind(site.store->indices, site.bindings));
  LoadCollector c;
  c.visit_expr(site.store->value);
  for (const ir::Expr& i : site.store->indices) c.visit_expr(i);
  for (const ir::BufferLoadNode* l : c.loads) entry(all, l->buffer.get()).reads.push_back(bind(l->indices, site.bindings));
  return all;
}

Footprint footprint(const BufferAccesses& acc, const std::vector<SiteLoop>& loops, size_t from) {
  const ir::BufferNode& buf = *acc.buffer;
  ir::VarDomains d = domains_from(loops, from);
  size_t ndim = buf.shape.size();
  std::vector<int64_t> lo(ndim, INT64_MAX), hi(ndim, INT64_MIN);
  for (const auto* list : {&acc.reads, &acc.writes})
    for (const Indices& idx : *list)
      for (size_t k = 0; k < ndim && k < idx.size(); ++k) {
        ir::Interval b = ir::bound_of(idx[k], d);
        // Unknown or out-of-shape bounds are clamped to the buffer (sound, like regions).
        int64_t l = b.has_lower() ? std::clamp<int64_t>(b.min, 0, buf.shape[k] - 1) : 0;
        int64_t h = b.has_upper() ? std::clamp<int64_t>(b.max, 0, buf.shape[k] - 1) : buf.shape[k] - 1;
        lo[k] = std::min(lo[k], l);
        hi[k] = std::max(hi[k], std::max(l, h));
      }
  Footprint f{1, 1};
  if (ndim == 0) return f;
  double elem_bytes = ir::dtype_bytes(buf.dtype);
  for (size_t k = 0; k < ndim; ++k) {
    double extent = lo[k] <= hi[k] ? static_cast<double>(hi[k] - lo[k] + 1) : 1;
    f.elements *= extent;
    f.lines *= k + 1 == ndim ? std::ceil(extent * elem_bytes / kLineBytes) : extent;
  }
  return f;
}

double innermost_stride(const BufferAccesses& acc, const std::vector<SiteLoop>& loops) {
  auto inner = std::find_if(loops.rbegin(), loops.rend(), [](const SiteLoop& l) { return l.extent > 1; });
  if (inner == loops.rend()) return 0;
  ir::VarDomains at0 = domains_from(loops, loops.size());
  ir::VarDomains at1 = at0;
  at1[inner->node->loop_var.get()] = ir::Interval::point(1);
  double stride = 0;
  for (const auto* list : {&acc.reads, &acc.writes})
    for (const Indices& idx : *list) {
      auto a = flat_index(idx, *acc.buffer, at0), b = flat_index(idx, *acc.buffer, at1);
      // An undecided index (data-dependent) counts as a far jump.
      double s = a && b ? std::abs(*b - *a) : static_cast<double>(acc.buffer->num_elements());
      stride = std::max(stride, s);
    }
  return stride;
}

Reuse reuse_of(const BufferAccesses& acc, const std::vector<SiteLoop>& loops) {
  Reuse r;
  double inner_iters = 1;
  for (size_t l = loops.size(); l-- > 0;) {
    if (loops[l].extent > 1 && !depends_on(acc, loops[l].node->loop_var.get())) {
      r.kind = ReuseKind::Loop;
      r.dist_iter = inner_iters;
      r.dist_bytes = footprint(acc, loops, l + 1).elements * ir::dtype_bytes(acc.buffer->dtype);
      r.count = static_cast<double>(loops[l].extent);
      return r;
    }
    inner_iters *= static_cast<double>(loops[l].extent);
  }
  if (acc.count() > 1) {
    r.kind = ReuseKind::Serial;
    r.dist_iter = 1;
    r.dist_bytes = ir::dtype_bytes(acc.buffer->dtype);
    r.count = acc.count() - 1;
  }
  return r;
}

}  // namespace weft::costmodel
