// The statement simplifier: walks a statement, keeping the domains of the loop
// variables and block iterators in scope, and simplifies every expression with them.
#include <optional>
#include <type_traits>

#include "ir/functor.h"
#include "ir/simplify.h"

namespace weft::ir {

namespace {

class StmtSimplifier : public StmtFunctor<Stmt> {
 public:
  explicit StmtSimplifier(VarDomains domains) : domains_(std::move(domains)) {}
  Stmt run(const Stmt& s) { return s ? visit_stmt(s) : s; }

 protected:
  Stmt visit(const ForNode& n, const Stmt& self) override {
    Expr extent = expr(n.extent);
    Interval e = bound_of(extent, domains_);
    // A loop that may not run at all tells nothing about its variable.
    std::optional<Interval> dom;
    if (!e.has_upper()) dom = Interval{0, Interval::kPosInf};
    else if (e.max >= 1) dom = Interval{0, e.max - 1};
    Stmt body = scoped({{n.loop_var.get(), dom}}, [&] { return run(n.body); });
    if (extent.same_as(n.extent) && body.same_as(n.body)) return self;
    return make_for(n.loop_var, extent, n.for_kind, body, n.thread_tag, n.annotations);
  }

  Stmt visit(const BlockRealizeNode& n, const Stmt& self) override {
    std::vector<Expr> values;
    bool changed = false;
    for (const Expr& v : n.iter_values) values.push_back(track(expr(v), v, &changed));
    Expr pred = track(expr(n.predicate), n.predicate, &changed);
    Block block = simplify_block(n.block, values);
    if (!changed && block == n.block) return self;
    return make_block_realize(values, pred, block);
  }

  Stmt visit(const BufferStoreNode& n, const Stmt& self) override {
    bool changed = false;
    Expr value = track(expr(n.value), n.value, &changed);
    std::vector<Expr> idx;
    for (const Expr& i : n.indices) idx.push_back(track(expr(i), i, &changed));
    return changed ? store(n.buffer, value, idx) : self;
  }

  Stmt visit(const SeqStmtNode& n, const Stmt& self) override {
    bool changed = false;
    std::vector<Stmt> out;
    for (const Stmt& s : n.seq) {
      out.push_back(run(s));
      changed |= !out.back().same_as(s);
    }
    return changed ? seq(out) : self;
  }

  Stmt visit(const IfThenElseNode& n, const Stmt& self) override {
    Expr cond = expr(n.cond);
    if (is_const_true(cond)) return run(n.then_case);
    bool is_false = cond.as<IntImmNode>() && !is_const_true(cond);
    if (is_false && n.else_case) return run(n.else_case);
    Stmt then_case = run(n.then_case), else_case = run(n.else_case);
    if (cond.same_as(n.cond) && then_case.same_as(n.then_case) && else_case.same_as(n.else_case)) return self;
    return if_then_else(cond, then_case, else_case);
  }

 private:
  using Bindings = std::vector<std::pair<const VarNode*, std::optional<Interval>>>;

  Expr expr(const Expr& e) { return simplify(e, domains_); }

  static Expr track(Expr out, const Expr& in, bool* changed) {
    if (!out.same_as(in)) *changed = true;
    return out;
  }

  // Runs `fn` with the given variables bound to their domains (or unbounded),
  // restoring the previous domains afterwards.
  template <typename Fn>
  std::invoke_result_t<Fn&> scoped(const Bindings& bindings, Fn fn) {
    std::vector<std::pair<const VarNode*, std::optional<Interval>>> saved;
    for (const auto& [var, dom] : bindings) {
      auto it = domains_.find(var);
      saved.push_back({var, it == domains_.end() ? std::nullopt : std::optional<Interval>(it->second)});
      if (dom) domains_[var] = *dom;
      else domains_.erase(var);
    }
    auto result = fn();
    for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
      if (it->second) domains_[it->first] = *it->second;
      else domains_.erase(it->first);
    }
    return result;
  }

  // An iterator's values: its declared domain [min, min + extent), intersected with
  // the bounds of the value bound to it (the tighter of two true facts).
  std::optional<Interval> iterator_domain(const Range& dom, const Expr& binding) {
    Interval lo = bound_of(dom.min, domains_), ext = bound_of(dom.extent, domains_);
    Interval hi = bound_of(simplify(dom.min + dom.extent - 1, domains_), domains_);
    Interval value = bound_of(binding, domains_);
    if (!(ext.has_lower() && ext.min >= 1)) return value;
    Interval declared{lo.min, hi.max};
    Interval both{std::max(declared.min, value.min), std::min(declared.max, value.max)};
    return both.min <= both.max ? both : value;
  }

  Block simplify_block(const Block& block, const std::vector<Expr>& values) {
    const BlockNode& b = *block;
    bool changed = false;
    std::vector<IterVar> ivs;
    Bindings bindings;
    for (size_t i = 0; i < b.iter_vars.size(); ++i) {
      const IterVar& iv = b.iter_vars[i];
      Range dom{track(expr(iv.dom.min), iv.dom.min, &changed), track(expr(iv.dom.extent), iv.dom.extent, &changed)};
      ivs.push_back({iv.var, dom, iv.kind});
      bindings.push_back({iv.var.get(), iterator_domain(dom, values[i])});
    }
    auto regions = [&](const std::vector<BufferRegion>& in) {
      std::vector<BufferRegion> out;
      for (const BufferRegion& r : in) {
        BufferRegion o{r.buffer, {}};
        for (const Range& rg : r.region)
          o.region.push_back({track(expr(rg.min), rg.min, &changed), track(expr(rg.extent), rg.extent, &changed)});
        out.push_back(std::move(o));
      }
      return out;
    };
    struct Parts {
      std::vector<BufferRegion> reads, writes;
      Stmt init, body;
    };
    Parts p = scoped(bindings, [&] { return Parts{regions(b.reads), regions(b.writes), run(b.init), run(b.body)}; });
    if (!p.init.same_as(b.init) || !p.body.same_as(b.body)) changed = true;
    if (!changed) return block;
    return make_block(b.name, ivs, p.reads, p.writes, p.body, p.init, b.alloc_buffers, b.annotations);
  }

  VarDomains domains_;
};

}  // namespace

Stmt simplify(const Stmt& s, const VarDomains& domains) {
  StmtSimplifier simplifier(domains);
  return simplifier.run(s);
}

PrimFunc simplify(const PrimFunc& func) {
  Stmt body = simplify(func->body);
  if (body.same_as(func->body)) return func;
  return make_func(func->name, func->params, body);
}

}  // namespace weft::ir
