// Do a block's reduction iterators take every value of their domains exactly
// once, from loops of their own? compute_at and reverse_compute_at rebuild one
// loop per reduction iterator over its whole domain, which preserves the block
// only then (TVM asks for affine, bijective bindings for the same reason).
//
// Each binding is put in a split normal form (as TVM's iterator maps do):
//   mark  = one loop, or a fusion of splits (a mixed-radix number, outer first)
//   split = (mark // lower) % extent * scale
//   sum   = splits + constant
// `j_k_fused_0 // 2` is the split (f0 // 2) % 3 of the loop mark f0, and
// `(f0 * 32 + f1) // 64` the split of the fused mark [f0 * 32, f1]. The bindings
// are a bijection onto the box of domains when each is one split of scale 1
// covering its domain, and the splits taken from every mark tile it exactly
// (lower factors 1, e0, e0 * e1, ... up to the mark's extent), down to the loops.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>

#include "ir/printer.h"
#include "ir/simplify.h"
#include "ir/substitute.h"
#include "schedule/compute_location_util.h"

namespace weft::sched::compute_location {

using namespace ir;

namespace {

struct Mark;
using MarkPtr = std::shared_ptr<const Mark>;

// (value of mark // lower) % extent * scale.
struct Split {
  MarkPtr mark;
  int64_t lower = 1, extent = 1, scale = 1;
};

// What splits draw from: one loop (values [0, extent)), or the fusion of `parts`
// (scales of a mixed-radix number, most significant first).
struct Mark {
  const VarNode* loop = nullptr;
  std::vector<Split> parts;
  int64_t extent = 1;
};

struct Sum {
  std::vector<Split> splits;
  int64_t base = 0;
};

bool same_mark(const MarkPtr& a, const MarkPtr& b);

bool same_split(const Split& a, const Split& b) {
  return a.lower == b.lower && a.extent == b.extent && a.scale == b.scale && same_mark(a.mark, b.mark);
}

bool same_mark(const MarkPtr& a, const MarkPtr& b) {
  if (a == b) return true;
  if (a->loop || b->loop) return a->loop == b->loop;
  if (a->parts.size() != b->parts.size()) return false;
  for (size_t i = 0; i < a->parts.size(); ++i)
    if (!same_split(a->parts[i], b->parts[i])) return false;
  return true;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t floor_mod(int64_t a, int64_t b) { return a - floor_div(a, b) * b; }

// Puts integer expressions over the loops of `extents` in split normal form; on
// failure returns nullopt and says why in `why`.
class Normalizer {
 public:
  explicit Normalizer(const std::map<const VarNode*, int64_t>& extents) : extents_(extents) {}
  std::string why;

  // From now on `mark` (found again by structure) takes only the values [0, limit).
  void limit(const MarkPtr& mark, int64_t limit) { limits_.push_back({mark, limit}); }
  const std::vector<std::pair<MarkPtr, int64_t>>& limits() const { return limits_; }

  std::optional<Sum> sum(const Expr& e) {
    if (int64_t c; is_const_int(e, &c)) return Sum{{}, c};
    if (const auto* v = e.as<VarNode>()) {
      auto it = extents_.find(v);
      if (it == extents_.end()) return fail("it uses '" + v->name + "', which is not a loop of constant extent around it");
      if (it->second == 1) return Sum{{}, 0};
      auto mark = std::make_shared<Mark>();
      mark->loop = v;
      mark->extent = limited(mark, it->second);
      return Sum{{Split{mark, 1, mark->extent, 1}}, 0};
    }
    if (const auto* c = e.as<CastNode>(); c && is_int(c->dtype) && is_int(c->value.dtype())) return sum(c->value);
    const auto* b = e.as<BinaryNode>();
    if (!b) return fail("'" + to_text(e) + "' is not built from loops by +, -, * and by // and % of constants");
    int64_t k;
    switch (b->op) {
      case BinaryOp::Add:
      case BinaryOp::Sub: {
        auto x = sum(b->a), y = sum(b->b);
        if (!x || !y) return std::nullopt;
        int64_t sign = b->op == BinaryOp::Add ? 1 : -1;
        for (Split s : y->splits) {
          s.scale *= sign;
          x->splits.push_back(s);
        }
        x->base += sign * y->base;
        return x;
      }
      case BinaryOp::Mul: {
        const Expr* other = is_const_int(b->b, &k) ? &b->a : is_const_int(b->a, &k) ? &b->b : nullptr;
        if (!other) return fail("'" + to_text(e) + "' multiplies two values that depend on loops");
        auto x = sum(*other);
        if (!x) return std::nullopt;
        if (k == 0) return Sum{{}, 0};
        for (Split& s : x->splits) s.scale *= k;
        x->base *= k;
        return x;
      }
      case BinaryOp::FloorDiv:
      case BinaryOp::FloorMod: {
        if (!is_const_int(b->b, &k) || k <= 0) return fail("'" + to_text(e) + "' divides by a non-constant or non-positive value");
        auto x = sum(b->a);
        if (!x) return std::nullopt;
        bool div = b->op == BinaryOp::FloorDiv;
        if (x->splits.empty()) return Sum{{}, div ? floor_div(x->base, k) : floor_mod(x->base, k)};
        if (floor_mod(x->base, k) != 0) return fail("'" + to_text(e) + "' divides a sum with an offset that is not a multiple of " + std::to_string(k));
        auto s = fuse(*x, e);
        if (!s) return std::nullopt;
        return div ? divide(*s, k, floor_div(x->base, k), e) : modulo(*s, k, e);
      }
      default:
        return fail("'" + to_text(e) + "' is not built from loops by +, -, * and by // and % of constants");
    }
  }

  // The sum as one split of a (possibly new, fused) mark; the base is left out.
  std::optional<Split> fuse(const Sum& s, const Expr& e) {
    if (s.splits.size() == 1) return s.splits[0];
    std::vector<Split> parts = s.splits;
    std::sort(parts.begin(), parts.end(), [](const Split& a, const Split& b) { return a.scale < b.scale; });
    int64_t smallest = parts[0].scale, expected = smallest;
    if (smallest <= 0) return fail("'" + to_text(e) + "' has a loop term with a negative scale");
    for (const Split& p : parts) {
      if (p.scale != expected)
        return fail("'" + to_text(e) + "' is not a mixed-radix sum of its loops (a term of scale " +
                    std::to_string(p.scale) + " where " + std::to_string(expected) + " was due)");
      if (__builtin_mul_overflow(expected, p.extent, &expected)) return fail("'" + to_text(e) + "' overflows");
    }
    auto mark = std::make_shared<Mark>();
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
      Split p = *it;
      p.scale /= smallest;
      mark->parts.push_back(p);
    }
    mark->extent = limited(mark, expected / smallest);
    return Split{mark, 1, mark->extent, smallest};
  }

 private:
  int64_t limited(const MarkPtr& mark, int64_t extent) const {
    for (const auto& [m, l] : limits_)
      if (same_mark(m, mark)) extent = std::min(extent, l);
    return extent;
  }

  std::nullopt_t fail(const std::string& reason) {
    why = reason;
    return std::nullopt;
  }

  std::optional<Sum> divide(Split s, int64_t k, int64_t base, const Expr& e) {
    if (s.scale % k == 0) {
      s.scale /= k;
      return Sum{{s}, base};
    }
    if (k % s.scale != 0) return fail("'" + to_text(e) + "' divides a term of scale " + std::to_string(s.scale) + " by " + std::to_string(k));
    int64_t q = k / s.scale;
    if (s.extent <= q) return Sum{{}, base};
    if (s.extent % q != 0) return fail("'" + to_text(e) + "' divides an extent of " + std::to_string(s.extent) + " by " + std::to_string(q) + " unevenly");
    s.lower *= q;
    s.extent /= q;
    s.scale = 1;
    return Sum{{s}, base};
  }

  std::optional<Sum> modulo(Split s, int64_t k, const Expr& e) {
    if (s.scale % k == 0) return Sum{{}, 0};
    if (k % s.scale != 0) return fail("'" + to_text(e) + "' takes a term of scale " + std::to_string(s.scale) + " modulo " + std::to_string(k));
    int64_t q = k / s.scale;
    if (s.extent <= q) return Sum{{s}, 0};
    if (s.extent % q != 0) return fail("'" + to_text(e) + "' takes an extent of " + std::to_string(s.extent) + " modulo " + std::to_string(q) + " unevenly");
    s.extent = q;
    return Sum{{s}, 0};
  }

  const std::map<const VarNode*, int64_t>& extents_;
  std::vector<std::pair<MarkPtr, int64_t>> limits_;
};

void conjuncts(const Expr& e, std::vector<Expr>* out) {
  if (const auto* b = e.as<BinaryNode>(); b && b->op == BinaryOp::And) {
    conjuncts(b->a, out);
    conjuncts(b->b, out);
    return;
  }
  out->push_back(e);
}

// `e < bound` (bound exclusive) read from a conjunct, if it has that form.
std::optional<std::pair<Expr, int64_t>> upper_bound(const Expr& cond) {
  const auto* b = cond.as<BinaryNode>();
  int64_t c;
  if (!b) return std::nullopt;
  if (b->op == BinaryOp::LT && is_const_int(b->b, &c)) return std::pair{b->a, c};
  if (b->op == BinaryOp::LE && is_const_int(b->b, &c)) return std::pair{b->a, c + 1};
  if (b->op == BinaryOp::GT && is_const_int(b->a, &c)) return std::pair{b->b, c};
  if (b->op == BinaryOp::GE && is_const_int(b->a, &c)) return std::pair{b->b, c + 1};
  return std::nullopt;
}

// The splits taken from one mark, and who took them (for messages).
struct MarkUses {
  MarkPtr mark;
  std::vector<std::pair<int64_t, int64_t>> ranges;  // (lower, extent)
  std::vector<std::string> users;
};

void loop_names(const MarkPtr& m, std::vector<std::string>* out) {
  if (m->loop) {
    if (std::find(out->begin(), out->end(), m->loop->name) == out->end()) out->push_back(m->loop->name);
    return;
  }
  for (const Split& p : m->parts) loop_names(p.mark, out);
}

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const std::string& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

std::string loops_text(const MarkPtr& mark) {
  std::vector<std::string> loops;
  loop_names(mark, &loops);
  return join(loops);
}

}  // namespace

std::string reduction_binding_problem(const BlockSite& site, const VarDomains& staying) {
  const BlockRealizeNode& realize = site.node();
  const BlockNode& b = site.block();
  std::map<const VarNode*, int64_t> extents;
  for (const Stmt& s : site.loops) {
    const ForNode& l = *s.as<ForNode>();
    int64_t extent = 0;
    if (is_const_int(l.extent, &extent)) extents[l.loop_var.get()] = extent;
  }
  VarSet spatial_loops, reduce_loops;
  for (size_t i = 0; i < b.iter_vars.size(); ++i)
    for (const Var& v : collect_vars(realize.iter_values[i]))
      (b.iter_vars[i].kind == IterKind::Spatial ? spatial_loops : reduce_loops).insert(v.get());

  Normalizer norm(extents);
  // A predicate may only cut a whole mark short, as a non-divisible split does
  // (`k_0 * 4 + k_1 < 7`); the mark then takes the values below the cut.
  std::vector<Expr> conds;
  conjuncts(realize.predicate, &conds);
  VarDomains loop_doms;
  for (const auto& [v, e] : extents) loop_doms[v] = Interval::from_extent(0, e);
  for (const Expr& cond : conds) {
    if (!uses_any_var(cond, reduce_loops) || is_const_true(simplify(cond, loop_doms))) continue;
    std::optional<Split> whole;
    int64_t cut = 0;
    if (auto ub = upper_bound(cond)) {
      std::optional<Sum> s = norm.sum(ub->first);
      if (s && !s->splits.empty()) whole = norm.fuse(*s, ub->first);
      if (whole && (whole->lower != 1 || whole->scale != 1 || whole->extent != whole->mark->extent)) whole.reset();
      if (whole) cut = ub->second - s->base;
    }
    if (!whole || cut < 1)
      return "its predicate '" + to_text(cond) +
             "' limits the reduction loops to values that are not a box of reduction iterator values";
    norm.limit(whole->mark, cut);
  }

  struct Bound {
    std::string name;
    std::optional<Split> split;  // none: a constant binding
    int64_t base = 0, dom_min = 0, dom_end = 0;
  };
  std::vector<Bound> bound;
  for (size_t i = 0; i < b.iter_vars.size(); ++i) {
    const IterVar& iv = b.iter_vars[i];
    if (iv.kind != IterKind::Reduce) continue;
    const Expr& value = realize.iter_values[i];
    std::string binding = "'" + iv.var->name + "' = " + to_text(value);
    for (const Var& v : collect_vars(value)) {
      if (spatial_loops.count(v.get())) return "loop " + v->name + " feeds both a spatial iterator and reduction iterator " + binding;
      if (staying.count(v.get()))
        return "loop " + v->name + " encloses the new location and feeds reduction iterator " + binding +
               ": each of its iterations would run the whole reduction";
    }
    Bound r;
    r.name = iv.var->name;
    int64_t extent = 0;
    if (!is_const_int(iv.dom.min, &r.dom_min) || !is_const_int(iv.dom.extent, &extent))
      return "reduction iterator '" + iv.var->name + "' has a non-constant domain";
    r.dom_end = r.dom_min + extent;
    std::optional<Sum> s = norm.sum(value);
    if (!s) return "reduction iterator " + binding + ": " + norm.why;
    r.base = s->base;
    if (!s->splits.empty()) {
      r.split = norm.fuse(*s, value);
      if (!r.split) return "reduction iterator " + binding + ": " + norm.why;
      if (r.split->scale != 1)
        return "reduction iterator " + binding + " steps by " + std::to_string(r.split->scale) + ", skipping values";
    }
    bound.push_back(r);
  }
  if (bound.empty()) return "";

  std::vector<MarkUses> uses;
  std::function<void(const Split&, const std::string&)> use = [&](const Split& s, const std::string& who) {
    auto it = std::find_if(uses.begin(), uses.end(), [&](const MarkUses& u) { return same_mark(u.mark, s.mark); });
    if (it == uses.end()) {
      uses.push_back({s.mark, {}, {}});
      for (const Split& p : s.mark->parts) use(p, who);  // a fused mark consumes its parts once
      it = std::find_if(uses.begin(), uses.end(), [&](const MarkUses& u) { return same_mark(u.mark, s.mark); });
    }
    it->ranges.push_back({s.lower, s.extent});
    if (std::find(it->users.begin(), it->users.end(), who) == it->users.end()) it->users.push_back(who);
  };
  for (const Bound& r : bound) {
    int64_t end = r.split ? r.base + r.split->extent : r.base + 1;
    if (r.base != r.dom_min || end != r.dom_end)
      return "reduction iterator '" + r.name + "' has domain [" + std::to_string(r.dom_min) + ", " +
             std::to_string(r.dom_end) + ") but its binding takes the values [" + std::to_string(r.base) + ", " +
             std::to_string(end) + ")";
    if (r.split) use(*r.split, r.name);
  }
  for (MarkUses& u : uses) {
    std::sort(u.ranges.begin(), u.ranges.end());
    int64_t expected = 1;
    bool tiles = true;
    for (const auto& [lower, extent] : u.ranges) {
      tiles &= lower == expected;
      if (!tiles || __builtin_mul_overflow(expected, extent, &expected)) break;
    }
    if (!tiles || expected != u.mark->extent) {
      return "reduction iterators " + join(u.users) + " do not take the values of loop(s) " + loops_text(u.mark) +
             " apart into independent parts (each iteration must give distinct iterator values, all of them)";
    }
  }
  // A cut mark that no binding takes apart would leave the cut out.
  for (const auto& [mark, cut] : norm.limits()) {
    bool seen = std::any_of(uses.begin(), uses.end(), [&](const MarkUses& u) { return same_mark(u.mark, mark); });
    if (!seen)
      return "its predicate cuts the values of loop(s) " + loops_text(mark) +
             " short, but no reduction iterator takes them apart";
  }
  // A reduction loop that no binding reads repeats every update.
  for (const VarNode* v : reduce_loops) {
    auto e = extents.find(v);
    if (e == extents.end() || e->second == 1) continue;
    bool seen = std::any_of(uses.begin(), uses.end(), [&](const MarkUses& u) { return u.mark->loop == v; });
    if (!seen) return "loop " + v->name + " feeds the reduction iterators but no value of theirs depends on it";
  }
  return "";
}

}  // namespace weft::sched::compute_location
