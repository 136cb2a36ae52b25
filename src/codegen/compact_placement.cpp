#include "codegen/compact_placement.h"

#include <algorithm>
#include <map>

#include "ir/functor.h"
#include "ir/linear_form.h"
#include "ir/region.h"
#include "ir/simplify.h"
#include "ir/substitute.h"

namespace weft::codegen {

using namespace ir;

namespace {

// A box of the buffer: per dimension [min, min + extent).
struct Box {
  std::vector<Expr> min;
  std::vector<int64_t> extent;
};

struct Loops {
  VarDomains domains;
  VarSet vars;
};

Loops loops_of(const std::vector<SiteLoop>& loops, size_t from, size_t to) {
  Loops out;
  for (size_t k = from; k < to; ++k) {
    out.domains[loops[k].loop->loop_var.get()] = loops[k].domain;
    out.vars.insert(loops[k].loop->loop_var.get());
  }
  return out;
}

int64_t range_size(const Interval& i) { return i.is_bounded() ? i.max - i.min + 1 : -1; }

// The region one site covers while the loops from `depth` inward run.
BufferRegion site_region(const Buffer& buffer, const AccessSite& site, size_t depth, const VarDomains& outer) {
  BufferRegion point{buffer, {}};
  for (const Expr& i : site.indices) point.region.push_back({i, int_imm(1, i.dtype())});
  return relax_region(point, loops_of(site.loops, depth, site.loops.size()).domains, outer);
}

// The region one instance of the allocation at `depth` touches, with constant
// extents. A dimension that cannot be bounded keeps the whole buffer extent.
Box instance_box(const BufferUse& use, size_t depth, const Loops& outer) {
  BufferRegion all;
  for (const AccessSite& s : use.sites) {
    BufferRegion r = site_region(use.buffer, s, depth, outer.domains);
    all = all.buffer ? region_union(all, r, outer.domains) : r;
  }
  Box box;
  for (int d = 0; d < use.buffer->ndim(); ++d) {
    const Range& r = all.region[d];
    int64_t size = use.buffer->shape[d], extent = size;
    Expr min = simplify(r.min, outer.domains);
    Expr ext = simplify(r.extent, outer.domains);
    bool bounded = is_const_int(ext, &extent);
    if (!bounded) {
      Interval b = bound_of(ext, outer.domains);
      bounded = b.has_upper();
      extent = b.max;
    }
    bool in_scope = !has_load_or_call(min);
    for (const Var& v : collect_vars(min)) in_scope = in_scope && outer.vars.count(v.get());
    if (!bounded || !in_scope) {
      min = int_imm(0, r.min.dtype());
      extent = size;
    }
    box.min.push_back(min);
    box.extent.push_back(std::clamp<int64_t>(extent, 1, size));
  }
  return box;
}

// Different values of the outer loop variables give disjoint boxes (see the header).
bool instances_disjoint(const Box& box, const std::vector<SiteLoop>& loops, size_t depth) {
  ExprOrder order;
  std::map<const VarNode*, std::pair<int, int64_t>> placed;  // variable -> (dimension, coefficient)
  for (size_t d = 0; d < box.min.size(); ++d) {
    LinearForm f = LinearForm::of(box.min[d], order);
    for (const LinearTerm& t : f.terms()) {
      const VarNode* v = t.atom.as<VarNode>();
      if (!v || placed.count(v)) return false;
      placed[v] = {static_cast<int>(d), t.coeff};
    }
  }
  std::vector<std::vector<std::pair<int64_t, int64_t>>> steps(box.min.size());  // per dimension: |coeff|, range
  for (size_t k = 0; k < depth; ++k) {
    int64_t range = range_size(loops[k].domain);
    if (range < 0) return false;
    if (range == 1) continue;
    auto it = placed.find(loops[k].loop->loop_var.get());
    if (it == placed.end()) return false;  // instances differing in this variable overlap
    int64_t c = it->second.second;
    if (c == INT64_MIN) return false;
    steps[it->second.first].push_back({c < 0 ? -c : c, range});
  }
  for (size_t d = 0; d < steps.size(); ++d) {
    std::sort(steps[d].begin(), steps[d].end());
    int64_t reach = box.extent[d];  // how far the smaller steps (and the box) can spread
    for (auto [coeff, range] : steps[d]) {
      if (coeff < reach) return false;
      if (__builtin_mul_overflow(coeff, range - 1, &range) || __builtin_add_overflow(reach, range, &reach))
        return false;
    }
  }
  return true;
}

// The box an unconditional store writes in full while the loops from `depth`
// inward run, or nullopt when it may leave holes.
std::optional<Box> exact_write_box(const AccessSite& site, size_t depth, const VarDomains& outer) {
  if (!site.write || site.condition_depth >= static_cast<int>(depth)) return std::nullopt;
  Loops inner = loops_of(site.loops, depth, site.loops.size());
  VarDomains all = outer;
  for (size_t k = depth; k < site.loops.size(); ++k) {
    if (!site.loops[k].domain.is_bounded()) return std::nullopt;
    all[site.loops[k].loop->loop_var.get()] = site.loops[k].domain;
  }
  ExprOrder order;
  VarSet used;
  Box box;
  for (const Expr& index : site.indices) {
    LinearForm rest(index.dtype());
    std::vector<std::pair<int64_t, int64_t>> steps;  // coefficient, range
    LinearForm form = LinearForm::of(simplify(index, all), order);
    for (const LinearTerm& t : form.terms()) {
      const VarNode* v = t.atom.as<VarNode>();
      if (v && inner.vars.count(v)) {
        if (!used.insert(v).second) return std::nullopt;  // one loop in two dimensions: a diagonal
        int64_t range = range_size(inner.domains[v]);
        if (range > 1) steps.push_back({t.coeff, range});
      } else if (uses_any_var(t.atom, inner.vars)) {
        return std::nullopt;
      } else {
        rest.add_term(t.atom, t.coeff, order);
      }
    }
    rest.add_constant(form.constant());
    std::sort(steps.begin(), steps.end());
    int64_t dense = 1;  // the loops must enumerate [0, dense) without gaps
    for (auto [coeff, range] : steps) {
      if (coeff != dense || __builtin_mul_overflow(dense, range, &dense)) return std::nullopt;
    }
    box.min.push_back(rest.to_expr());
    box.extent.push_back(dense);
  }
  return box;
}

bool at_least_zero(const Expr& e, const VarDomains& domains) {
  return bound_of(simplify(e, domains), domains).min >= 0;
}

bool box_contains(const Box& box, const BufferRegion& r, const VarDomains& outer) {
  for (size_t d = 0; d < box.min.size(); ++d) {
    const Range& rg = r.region[d];
    Expr wmin = box.min[d].dtype() == rg.min.dtype() ? box.min[d] : cast(rg.min.dtype(), box.min[d]);
    Expr wend = wmin + int_imm(box.extent[d], rg.min.dtype());
    if (!at_least_zero(rg.min - wmin, outer) || !at_least_zero(wend - (rg.min + rg.extent), outer)) return false;
  }
  return true;
}

// Every read inside the loop body at `depth` lies in a box written in full by an
// earlier statement of that body.
bool reads_covered(const BufferUse& use, size_t depth, const VarDomains& outer) {
  std::vector<std::pair<int, Box>> written;  // statement index, box
  for (const AccessSite& s : use.sites)
    if (auto box = exact_write_box(s, depth, outer)) written.push_back({s.loops[depth - 1].child, *box});
  for (const AccessSite& s : use.sites) {
    if (s.write) continue;
    int child = s.loops[depth - 1].child;
    BufferRegion r = site_region(use.buffer, s, depth, outer);
    bool covered = false;
    for (const auto& [w_child, box] : written)
      if (w_child < child && box_contains(box, r, outer)) {
        covered = true;
        break;
      }
    if (!covered) return false;
  }
  return true;
}

// How many outer loops every site shares. A loop node that occurs more than once
// in the tree ends the common part: sites under its copies only look alike.
size_t common_loop_depth(const BufferUse& use, const BufferSites& sites) {
  size_t depth = use.sites[0].loops.size();
  for (const AccessSite& s : use.sites) {
    size_t k = 0;
    while (k < depth && k < s.loops.size() && s.loops[k].loop == use.sites[0].loops[k].loop &&
           !sites.shared_loops.count(s.loops[k].loop))
      ++k;
    depth = k;
  }
  return depth;
}

}  // namespace

std::optional<Placement> place_buffer(const BufferUse& use, const BufferSites& sites) {
  if (use.sites.empty()) return std::nullopt;
  for (const AccessSite& s : use.sites)
    if (!s.affine) return std::nullopt;
  const std::vector<SiteLoop>& path = use.sites[0].loops;
  for (size_t depth = common_loop_depth(use, sites); depth >= 1; --depth) {
    const ForNode* loop = path[depth - 1].loop;
    // Thread-bound loops qualify: one buffer per iteration is one per thread (threadIdx)
    // or per thread block (blockIdx), what the CUDA emitter needs (cuda_storage.h).
    if (loop->for_kind == ForKind::Vectorized) continue;
    Loops outer = loops_of(path, 0, depth);
    Box box = instance_box(use, depth, outer);
    if (instances_disjoint(box, path, depth) || reads_covered(use, depth, outer.domains))
      return Placement{loop, box.extent, box.min};
  }
  Box box = instance_box(use, 0, {});
  bool same = box.extent == use.buffer->shape;
  for (const Expr& m : box.min) {
    int64_t v;
    same = same && is_const_int(m, &v) && v == 0;
  }
  if (same) return std::nullopt;
  return Placement{nullptr, box.extent, box.min};
}

}  // namespace weft::codegen
