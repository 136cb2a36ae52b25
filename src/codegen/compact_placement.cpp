#include "codegen/compact_placement.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

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

// The region one site covers while the loops from `depth` inward run (and the
// variables of `also_relaxed` range over their domains).
BufferRegion site_region(const Buffer& buffer, const AccessSite& site, size_t depth, const VarDomains& outer,
                         const VarDomains& also_relaxed = {}, bool clamp = true) {
  BufferRegion point{buffer, {}};
  for (const Expr& i : site.indices) point.region.push_back({i, int_imm(1, i.dtype())});
  VarDomains relaxed = loops_of(site.loops, depth, site.loops.size()).domains;
  relaxed.insert(also_relaxed.begin(), also_relaxed.end());
  return relax_region(point, relaxed, outer, clamp);
}

BufferRegion union_of_sites(const BufferUse& use, size_t depth, const Loops& outer, const VarDomains& also_relaxed,
                            bool clamp) {
  BufferRegion all;
  for (const AccessSite& s : use.sites) {
    BufferRegion r = site_region(use.buffer, s, depth, outer.domains, also_relaxed, clamp);
    all = all.buffer ? region_union(all, r, outer.domains) : r;
  }
  return all;
}

// The region one instance of the allocation at `depth` touches, with constant
// extents. A dimension that cannot be bounded keeps the whole buffer extent.
Box instance_box(const BufferUse& use, size_t depth, const Loops& outer, const VarDomains& also_relaxed = {}) {
  BufferRegion all = union_of_sites(use, depth, outer, also_relaxed, true);
  std::optional<BufferRegion> unclamped;
  Box box;
  for (int d = 0; d < use.buffer->ndim(); ++d) {
    Range r = all.region[d];
    int64_t size = use.buffer->shape[d], extent = size;
    if (!is_const_int(simplify(r.extent, outer.domains))) {
      // A tile cut by the buffer's edge (a non-divisible split): its full width,
      // when constant, holds every access (the guarded ones never happen) and keeps
      // the minimum affine.
      if (!unclamped) unclamped = union_of_sites(use, depth, outer, also_relaxed, false);
      int64_t full;
      if (is_const_int(simplify(unclamped->region[d].extent, outer.domains), &full) && full >= 1 && full <= size)
        r = unclamped->region[d];
    }
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

// A digit of a fused loop: v // c or v % c of an inner loop v over [0, R) with c
// dividing R (a copy spread over 32 lanes by fuse + split indexes rows with
// lane // c and columns with lane % c). Fills `var`, `digit` ("//" or "%"), `c`
// and the digit's range.
bool loop_digit(const Expr& atom, const Loops& inner, const VarNode** var, BinaryOp* digit, int64_t* c,
                int64_t* range) {
  const auto* b = atom.as<BinaryNode>();
  if (!b || (b->op != BinaryOp::FloorDiv && b->op != BinaryOp::FloorMod)) return false;
  const VarNode* v = b->a.as<VarNode>();
  if (!v || !inner.vars.count(v) || !is_const_int(b->b, c) || *c <= 0) return false;
  const Interval& dom = inner.domains.at(v);
  int64_t size = range_size(dom);
  if (dom.min != 0 || size <= 0 || size % *c) return false;
  *var = v;
  *digit = b->op;
  *range = b->op == BinaryOp::FloorMod ? *c : size / *c;
  return true;
}

// Different values of the outer loop variables give disjoint boxes (see the header).
// An outer loop may also appear through both digits of a fused loop (v // c and
// v % c, c dividing its extent): the parallel postprocessor fuses i0 and j0, so a
// row tile's minimum is i0j0 // J * rows and its column's i0j0 % J * cols. Two
// instances that differ in v differ in one of its digits, so each digit is placed
// like a variable of its own, and a loop counts as placed when every digit with
// more than one value is.
bool instances_disjoint(const Box& box, const std::vector<SiteLoop>& loops, size_t depth) {
  ExprOrder order;
  Loops outer = loops_of(loops, 0, depth);
  // A variable (digit {}) or a digit of a fused loop -> (dimension, coefficient).
  std::map<std::pair<const VarNode*, int>, std::pair<int, int64_t>> placed;
  std::map<const VarNode*, int64_t> divisor_of;  // loops placed through digits
  for (size_t d = 0; d < box.min.size(); ++d) {
    LinearForm f = LinearForm::of(box.min[d], order);
    for (const LinearTerm& t : f.terms()) {
      const VarNode* v = t.atom.as<VarNode>();
      int digit = 0;
      if (!v) {
        BinaryOp op{};
        int64_t c = 0, range = 0;
        if (!loop_digit(t.atom, outer, &v, &op, &c, &range)) return false;
        auto [it, fresh] = divisor_of.try_emplace(v, c);
        if (!fresh && it->second != c) return false;
        digit = op == BinaryOp::FloorDiv ? 1 : 2;
      }
      if (!placed.emplace(std::make_pair(v, digit), std::make_pair(static_cast<int>(d), t.coeff)).second) return false;
    }
  }
  std::vector<std::vector<std::pair<int64_t, int64_t>>> steps(box.min.size());  // per dimension: |coeff|, range
  auto add_step = [&](std::pair<int, int64_t> where, int64_t range) {
    int64_t c = where.second;
    if (c == INT64_MIN) return false;
    steps[where.first].push_back({c < 0 ? -c : c, range});
    return true;
  };
  for (size_t k = 0; k < depth; ++k) {
    int64_t range = range_size(loops[k].domain);
    if (range < 0) return false;
    if (range == 1) continue;
    const VarNode* v = loops[k].loop->loop_var.get();
    auto whole = placed.find({v, 0});
    auto divisor = divisor_of.find(v);
    if (whole != placed.end()) {
      if (divisor != divisor_of.end() || !add_step(whole->second, range)) return false;
      continue;
    }
    if (divisor == divisor_of.end()) return false;  // instances differing in this variable overlap
    int64_t c = divisor->second;
    for (auto [digit, digit_range] : {std::pair<int, int64_t>{1, range / c}, {2, c}}) {
      if (digit_range == 1) continue;
      auto it = placed.find({v, digit});
      if (it == placed.end() || !add_step(it->second, digit_range)) return false;
    }
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
  // Loops used through their digits: the divisor and the digits seen. A loop used
  // whole and through digits, or through digits of two divisors, is rejected.
  std::map<const VarNode*, std::pair<int64_t, std::vector<BinaryOp>>> digits;
  Box box;
  for (const Expr& index : site.indices) {
    LinearForm rest(index.dtype());
    std::vector<std::pair<int64_t, int64_t>> steps;  // coefficient, range
    LinearForm form = LinearForm::of(simplify(index, all), order);
    for (const LinearTerm& t : form.terms()) {
      const VarNode* v = t.atom.as<VarNode>();
      const VarNode* dv = nullptr;
      BinaryOp digit{};
      int64_t divisor = 0, digit_range = 0;
      if (v && inner.vars.count(v)) {
        if (digits.count(v) || !used.insert(v).second) return std::nullopt;  // one loop in two dimensions: a diagonal
        int64_t range = range_size(inner.domains[v]);
        if (range > 1) steps.push_back({t.coeff, range});
      } else if (loop_digit(t.atom, inner, &dv, &digit, &divisor, &digit_range)) {
        auto it = digits.try_emplace(dv, divisor, std::vector<BinaryOp>{}).first;
        std::vector<BinaryOp>& seen = it->second.second;
        if (used.count(dv) || it->second.first != divisor || std::count(seen.begin(), seen.end(), digit))
          return std::nullopt;
        seen.push_back(digit);
        if (digit_range > 1) steps.push_back({t.coeff, digit_range});
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

// The value of an integer index with every variable in `values`; nullopt for
// anything but integer arithmetic.
std::optional<int64_t> eval_index(const Expr& e, const std::unordered_map<const VarNode*, int64_t>& values) {
  int64_t c;
  if (is_const_int(e, &c)) return c;
  if (const auto* v = e.as<VarNode>()) {
    auto it = values.find(v);
    return it == values.end() ? std::nullopt : std::optional<int64_t>(it->second);
  }
  if (const auto* cst = e.as<CastNode>()) return is_int(cst->dtype) ? eval_index(cst->value, values) : std::nullopt;
  const auto* b = e.as<BinaryNode>();
  if (!b) return std::nullopt;
  std::optional<int64_t> x = eval_index(b->a, values), y = eval_index(b->b, values);
  if (!x || !y) return std::nullopt;
  switch (b->op) {
    case BinaryOp::Add: return *x + *y;
    case BinaryOp::Sub: return *x - *y;
    case BinaryOp::Mul: return *x * *y;
    case BinaryOp::FloorDiv:
      if (*y <= 0) return std::nullopt;
      return *x >= 0 ? *x / *y : -((-*x + *y - 1) / *y);
    case BinaryOp::FloorMod:
      if (*y <= 0) return std::nullopt;
      return ((*x % *y) + *y) % *y;
    case BinaryOp::Min: return std::min(*x, *y);
    case BinaryOp::Max: return std::max(*x, *y);
    default: return std::nullopt;
  }
}

// At most this many iterations are enumerated by enumerated_write_box.
constexpr int64_t kMaxEnumeratedPoints = int64_t{1} << 16;

// Like exact_write_box, for stores whose indices split a fused loop with // and %
// (a cooperative fetch: row = f // 16, column = f % 16 * 4 + t * 2 + v): each index
// must be a part in outer variables plus a part in the inner loops only; the inner
// parts are enumerated, and the points they reach must fill a box exactly.
std::optional<Box> enumerated_write_box(const AccessSite& site, size_t depth, const VarDomains& outer) {
  if (!site.write || site.condition_depth >= static_cast<int>(depth)) return std::nullopt;
  Loops inner = loops_of(site.loops, depth, site.loops.size());
  VarDomains all = outer;
  std::vector<std::pair<const VarNode*, int64_t>> ranges;  // inner loops: variable, range
  int64_t points = 1;
  for (size_t k = depth; k < site.loops.size(); ++k) {
    int64_t range = range_size(site.loops[k].domain);
    if (range < 1 || __builtin_mul_overflow(points, range, &points) || points > kMaxEnumeratedPoints) return std::nullopt;
    all[site.loops[k].loop->loop_var.get()] = site.loops[k].domain;
    ranges.push_back({site.loops[k].loop->loop_var.get(), range});
  }
  ExprOrder order;
  std::vector<LinearForm> rests;
  std::vector<Expr> inner_parts;
  for (const Expr& index : site.indices) {
    LinearForm rest(index.dtype());
    Expr part = int_imm(0, index.dtype());
    LinearForm form = LinearForm::of(simplify(index, all), order);
    for (const LinearTerm& t : form.terms()) {
      if (!uses_any_var(t.atom, inner.vars)) {
        rest.add_term(t.atom, t.coeff, order);
        continue;
      }
      for (const Var& v : collect_vars(t.atom))
        if (!inner.vars.count(v.get())) return std::nullopt;  // mixes inner and outer variables
      part = part + t.atom * int_imm(t.coeff, t.atom.dtype());
    }
    rest.add_constant(form.constant());
    rests.push_back(rest);
    inner_parts.push_back(part);
  }
  const size_t dims = inner_parts.size();
  std::vector<int64_t> lo(dims, INT64_MAX), hi(dims, INT64_MIN);
  std::set<std::vector<int64_t>> reached;
  std::unordered_map<const VarNode*, int64_t> values;
  for (const auto& [v, range] : ranges) values[v] = 0;
  for (int64_t p = 0; p < points; ++p) {
    int64_t rem = p;  // odometer: the innermost loop varies fastest
    for (size_t k = ranges.size(); k-- > 0;) {
      values[ranges[k].first] = rem % ranges[k].second;
      rem /= ranges[k].second;
    }
    std::vector<int64_t> point(dims);
    for (size_t d = 0; d < dims; ++d) {
      std::optional<int64_t> x = eval_index(inner_parts[d], values);
      if (!x) return std::nullopt;
      point[d] = *x;
      lo[d] = std::min(lo[d], *x);
      hi[d] = std::max(hi[d], *x);
    }
    reached.insert(std::move(point));
  }
  Box box;
  int64_t volume = 1;
  for (size_t d = 0; d < dims; ++d) {
    int64_t extent = hi[d] - lo[d] + 1;
    if (__builtin_mul_overflow(volume, extent, &volume)) return std::nullopt;
    rests[d].add_constant(lo[d]);
    box.min.push_back(rests[d].to_expr());
    box.extent.push_back(extent);
  }
  if (volume != static_cast<int64_t>(reached.size())) return std::nullopt;  // holes
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
// earlier statement of that body. `enumerate`: also try enumerated_write_box.
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

// reads_covered for GPU kernels, which also accepts (1) a write box found by
// enumeration (a cooperative fetch) and (2) a write in an earlier statement of a
// loop deeper inside both sites (an init decomposed into the reduction's outer
// loop: for k0 { init; for k1 { update } }): a read in an iteration of the loops
// above that statement is then covered by the write of the same iteration.
bool reads_covered_in_kernel(const BufferUse& use, size_t depth, const VarDomains& outer) {
  std::map<std::pair<const AccessSite*, size_t>, std::optional<Box>> boxes;  // (write, level) -> its box
  for (const AccessSite& s : use.sites) {
    if (s.write) continue;
    bool covered = false;
    for (const AccessSite& w : use.sites) {
      if (!w.write) continue;
      VarDomains domains = outer;
      for (size_t level = depth; !covered && level <= std::min(w.loops.size(), s.loops.size()); ++level) {
        if (level > depth) {
          if (w.loops[level - 2].loop != s.loops[level - 2].loop || w.loops[level - 2].child != s.loops[level - 2].child)
            break;  // the sites part before this level
          domains[s.loops[level - 1].loop->loop_var.get()] = s.loops[level - 1].domain;
        }
        if (w.loops[level - 1].loop != s.loops[level - 1].loop) break;
        if (w.loops[level - 1].child >= s.loops[level - 1].child) continue;
        auto key = std::make_pair(&w, level);
        if (!boxes.count(key)) {
          std::optional<Box> box = exact_write_box(w, level, domains);
          boxes[key] = box ? box : enumerated_write_box(w, level, domains);
        }
        covered = boxes[key] && box_contains(*boxes[key], site_region(use.buffer, s, level, domains), domains);
      }
      if (covered) break;
    }
    if (!covered) return false;
  }
  return true;
}

// Loops a shared buffer is relaxed over: threadIdx and vthread, as TVM's
// CompactBufferAllocation does. With warp-level intrinsics only the lanes
// (threadIdx.x): a shared buffer inside the warp loops is one slice per warp.
bool relaxed_for_shared(const ForNode& loop, bool warp_lanes) {
  if (loop.for_kind != ForKind::ThreadBinding) return false;
  if (loop.thread_tag.rfind("vthread", 0) == 0 || loop.thread_tag == "threadIdx.x") return true;
  return !warp_lanes && loop.thread_tag.rfind("threadIdx.", 0) == 0;
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

std::optional<Placement> place_buffer(const BufferUse& use, const BufferSites& sites, bool warp_lanes) {
  if (use.sites.empty()) return std::nullopt;
  for (const AccessSite& s : use.sites)
    if (!s.affine) return std::nullopt;
  const std::vector<SiteLoop>& path = use.sites[0].loops;
  const size_t common = common_loop_depth(use, sites);
  // A GPU kernel (thread-bound loops around the accesses) gets the stronger checks;
  // CPU programs keep exactly the analysis they always had.
  bool in_kernel = false;
  for (const AccessSite& s : use.sites)
    for (const SiteLoop& l : s.loops) in_kernel |= l.loop->for_kind == ForKind::ThreadBinding;
  // A "shared" buffer is one per thread block: the thread loops (threadIdx, vthread)
  // it sits under are relaxed, and it is allocated outside the outermost of them.
  size_t first_thread = common;
  VarDomains thread_domains;
  if (use.buffer->scope.rfind("shared", 0) == 0)
    for (size_t k = 0; k < common; ++k)
      if (relaxed_for_shared(*path[k].loop, warp_lanes)) {
        first_thread = std::min(first_thread, k);
        thread_domains[path[k].loop->loop_var.get()] = path[k].domain;
      }
  for (size_t depth = common; depth >= 1; --depth) {
    const ForNode* loop = path[depth - 1].loop;
    if (depth > first_thread) {
      // Inside the thread loops: each iteration of `loop`'s body, run by all the
      // threads together, must write what it reads before reading it (the threads'
      // writes meet at a barrier); the thread loops stay symbolic for that check.
      if (thread_domains.count(loop->loop_var.get()) || loop->for_kind == ForKind::Vectorized) continue;
      Loops all_outer = loops_of(path, 0, depth), outer;
      for (const auto& [v, d] : all_outer.domains)
        if (!thread_domains.count(v)) outer.domains[v] = d, outer.vars.insert(v);
      if (!reads_covered_in_kernel(use, depth, all_outer.domains)) continue;
      Box box = instance_box(use, depth, outer, thread_domains);
      return Placement{first_thread > 0 ? path[first_thread - 1].loop : nullptr, box.extent, box.min};
    }
    // Thread-bound loops qualify: one buffer per iteration is one per thread (threadIdx)
    // or per thread block (blockIdx), what the CUDA emitter needs (cuda_storage.h).
    if (loop->for_kind == ForKind::Vectorized) continue;
    Loops outer = loops_of(path, 0, depth);
    Box box = instance_box(use, depth, outer);
    if (instances_disjoint(box, path, depth) ||
        (in_kernel ? reads_covered_in_kernel(use, depth, outer.domains) : reads_covered(use, depth, outer.domains)))
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
