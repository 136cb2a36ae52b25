// tensorize: match a block's body against a registered intrinsic's description and
// replace it by the intrinsic's implementation.
//
// Matching walks the description and the block body side by side. Loop variables
// and block iterators of the description map to the real ones as they are met;
// each description buffer maps to a real buffer at per-dimension offsets, found at
// its first access as (real index) - (description index, mapped) and required to
// be the same at every other access and free of the matched loops and iterators.
// The implementation is then copied with fresh variables and block names, every
// access X[idx] becoming real[offsets..., offset_k + idx_k].
#include <unordered_map>
#include <unordered_set>

#include "ir/functor.h"
#include "ir/printer.h"
#include "ir/simplify.h"
#include "ir/substitute.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/intrinsics.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_blockize.h"

namespace weft::sched {

using namespace ir;

namespace {

// Where a description buffer lies in the real program: one offset per real dimension;
// the description's dimensions align with the last ones.
struct Placement {
  Buffer real;
  std::vector<Expr> offsets;
};
using Placements = std::unordered_map<const BufferNode*, Placement>;

// Variables defined inside a statement: loop variables and block iterators.
class DefinedVars : public IRVisitor {
 public:
  VarSet vars;

 protected:
  using IRVisitor::visit;
  void visit(const ForNode& n, const Stmt& self) override {
    vars.insert(n.loop_var.get());
    IRVisitor::visit(n, self);
  }
  void visit_block(const BlockNode& b) override {
    for (const IterVar& iv : b.iter_vars) vars.insert(iv.var.get());
    IRVisitor::visit_block(b);
  }
};

// A description parameter in scope "global" takes a buffer of any scope; "shared"
// takes shared memory (static or dynamic); other scopes (tensor-core fragments)
// take exactly their scope.
bool scope_fits(const std::string& wanted, const std::string& real) {
  if (wanted == "global") return true;
  if (wanted == "shared") return real == "shared" || real == "shared.dyn";
  return wanted == real;
}

class Matcher {
 public:
  // `scopes`: description buffer -> the scope its real buffer must be in.
  Matcher(VarSet inner, std::unordered_map<const BufferNode*, std::string> scopes)
      : inner_(std::move(inner)), scopes_(std::move(scopes)) {}

  bool stmt(const Stmt& d, const Stmt& r) {
    if (d.kind() != r.kind()) return mismatch("found " + first_line(r) + " where the description has " + first_line(d));
    if (const auto* df = d.as<ForNode>()) {
      const auto* rf = r.as<ForNode>();
      int64_t de, re;
      if (!is_const_int(df->extent, &de) || !is_const_int(rf->extent, &re) || de != re)
        return mismatch("loop " + rf->loop_var->name + " has extent " + to_text(rf->extent) +
                        ", the description's loop " + df->loop_var->name + " has " + to_text(df->extent));
      vars_[df->loop_var.get()] = var_expr(rf->loop_var);
      return stmt(df->body, rf->body);
    }
    if (const auto* dr = d.as<BlockRealizeNode>()) return realize(*dr, *r.as<BlockRealizeNode>());
    if (const auto* ds = d.as<BufferStoreNode>()) {
      const auto* rs = r.as<BufferStoreNode>();
      return access(ds->buffer, ds->indices, rs->buffer, rs->indices) && expr(ds->value, rs->value);
    }
    if (const auto* dq = d.as<SeqStmtNode>()) {
      const auto* rq = r.as<SeqStmtNode>();
      if (dq->seq.size() != rq->seq.size()) return mismatch("a sequence of a different length");
      for (size_t i = 0; i < dq->seq.size(); ++i)
        if (!stmt(dq->seq[i], rq->seq[i])) return false;
      return true;
    }
    const auto* di = d.as<IfThenElseNode>();
    const auto* ri = r.as<IfThenElseNode>();
    if (!expr(di->cond, ri->cond) || !stmt(di->then_case, ri->then_case)) return false;
    if (!di->else_case || !ri->else_case) return !di->else_case && !ri->else_case ? true : mismatch("an else branch");
    return stmt(di->else_case, ri->else_case);
  }

  const Placements& placements() const { return placements_; }
  const std::string& why() const { return why_; }

 private:
  bool mismatch(const std::string& what) {
    if (why_.empty()) why_ = what;
    return false;
  }

  static std::string first_line(const Stmt& s) {
    std::string t = to_text(s);
    while (!t.empty() && t.front() == ' ') t.erase(t.begin());
    return "'" + t.substr(0, t.find('\n')) + "'";
  }

  bool realize(const BlockRealizeNode& d, const BlockRealizeNode& r) {
    const BlockNode& db = *d.block;
    const BlockNode& rb = *r.block;
    if (db.iter_vars.size() != rb.iter_vars.size())
      return mismatch("block '" + rb.name + "' has " + std::to_string(rb.iter_vars.size()) +
                      " iterators, the description's block has " + std::to_string(db.iter_vars.size()));
    for (size_t i = 0; i < db.iter_vars.size(); ++i) {
      const IterVar& div = db.iter_vars[i];
      const IterVar& riv = rb.iter_vars[i];
      int64_t dm, de, rm, re;
      bool same_dom = is_const_int(div.dom.min, &dm) && is_const_int(div.dom.extent, &de) &&
                      is_const_int(riv.dom.min, &rm) && is_const_int(riv.dom.extent, &re) && dm == rm && de == re;
      if (div.kind != riv.kind || !same_dom)
        return mismatch("iterator '" + riv.var->name + "' of block '" + rb.name +
                        "' differs in kind or domain from the description's '" + div.var->name + "'");
      if (!expr(d.iter_values[i], r.iter_values[i]))
        return mismatch("iterator '" + riv.var->name + "' of block '" + rb.name + "' is bound differently");
    }
    if (!expr(d.predicate, r.predicate)) return mismatch("block '" + rb.name + "' has a different predicate");
    for (size_t i = 0; i < db.iter_vars.size(); ++i) vars_[db.iter_vars[i].var.get()] = var_expr(rb.iter_vars[i].var);
    if (!rb.alloc_buffers.empty()) return mismatch("block '" + rb.name + "' allocates buffers");
    if (static_cast<bool>(db.init) != static_cast<bool>(rb.init))
      return mismatch("block '" + rb.name + "' " +
                      (rb.init ? "has an init and the description's block has none"
                               : "has no init and the description's block has one"));
    if (db.init && !stmt(db.init, rb.init)) return false;
    return stmt(db.body, rb.body);
  }

  bool expr(const Expr& d, const Expr& r) {
    if (d.kind() != r.kind() || d.dtype() != r.dtype())
      return mismatch("found '" + to_text(r) + "' where the description has '" + to_text(d) + "'");
    switch (d.kind()) {
      case ExprKind::Var: {
        auto it = vars_.find(d.as<VarNode>());
        return (it != vars_.end() && it->second.same_as(r)) ||
               mismatch("found '" + to_text(r) + "' where the description has '" + to_text(d) + "'");
      }
      case ExprKind::IntImm:
        return d.as<IntImmNode>()->value == r.as<IntImmNode>()->value || mismatch("a different constant");
      case ExprKind::FloatImm:
        return d.as<FloatImmNode>()->value == r.as<FloatImmNode>()->value || mismatch("a different constant");
      case ExprKind::Binary: {
        const auto* db = d.as<BinaryNode>();
        const auto* rb = r.as<BinaryNode>();
        if (db->op != rb->op)
          return mismatch("found '" + to_text(r) + "' where the description has '" + to_text(d) + "'");
        Placements saved = placements_;
        std::string saved_why = why_;
        if (expr(db->a, rb->a) && expr(db->b, rb->b)) return true;
        bool commutative = db->op == BinaryOp::Add || db->op == BinaryOp::Mul || db->op == BinaryOp::Min ||
                           db->op == BinaryOp::Max || db->op == BinaryOp::EQ || db->op == BinaryOp::NE;
        if (!commutative) return false;
        std::string first_why = why_;
        placements_ = saved;
        why_ = saved_why;
        if (expr(db->a, rb->b) && expr(db->b, rb->a)) return true;
        why_ = first_why;
        return false;
      }
      case ExprKind::Not:
        return expr(d.as<NotNode>()->a, r.as<NotNode>()->a);
      case ExprKind::Cast:
        return expr(d.as<CastNode>()->value, r.as<CastNode>()->value);
      case ExprKind::Select: {
        const auto* ds = d.as<SelectNode>();
        const auto* rs = r.as<SelectNode>();
        return expr(ds->cond, rs->cond) && expr(ds->true_value, rs->true_value) &&
               expr(ds->false_value, rs->false_value);
      }
      case ExprKind::Call: {
        const auto* dc = d.as<CallNode>();
        const auto* rc = r.as<CallNode>();
        if (dc->func != rc->func) return mismatch("a call of " + std::string(intrinsic_name(rc->func)));
        for (size_t i = 0; i < dc->args.size(); ++i)
          if (!expr(dc->args[i], rc->args[i])) return false;
        return true;
      }
      case ExprKind::BufferLoad: {
        const auto* dl = d.as<BufferLoadNode>();
        const auto* rl = r.as<BufferLoadNode>();
        return access(dl->buffer, dl->indices, rl->buffer, rl->indices);
      }
    }
    return false;
  }

  bool access(const Buffer& d, const std::vector<Expr>& di, const Buffer& r, const std::vector<Expr>& ri) {
    std::string what = "access " + r->name + "[...] for the description's " + d->name;
    if (d->dtype != r->dtype) return mismatch(what + ": dtypes differ");
    if (r->ndim() < d->ndim()) return mismatch(what + ": fewer dimensions");
    if (auto s = scopes_.find(d.get()); s != scopes_.end() && !scope_fits(s->second, r->scope))
      return mismatch(what + ": '" + r->name + "' is in scope " + r->scope + ", the intrinsic needs " + s->second);
    size_t lead = ri.size() - di.size();
    std::vector<Expr> offsets;
    for (size_t j = 0; j < ri.size(); ++j) {
      Expr off = ri[j];
      if (j >= lead) {
        const Expr& dj = di[j - lead];
        for (const Var& v : collect_vars(dj))
          if (!vars_.count(v.get())) return mismatch(what + ": the description uses '" + v->name + "' unbound");
        Expr mapped = substitute(dj, vars_);
        if (mapped.dtype() != off.dtype()) return mismatch(what + ": index types differ");
        off = simplify(off - mapped);
      }
      if (uses_any_var(off, inner_))
        return mismatch(what + ": index " + to_text(ri[j]) + " is not the description's index plus an offset " +
                        "independent of the matched loops");
      offsets.push_back(off);
    }
    auto it = placements_.find(d.get());
    if (it == placements_.end()) {
      placements_[d.get()] = {r, offsets};
      return true;
    }
    if (it->second.real != r) return mismatch(what + ": '" + d->name + "' already stands for " + it->second.real->name);
    for (size_t j = 0; j < offsets.size(); ++j) {
      int64_t diff;
      if (!is_const_int(simplify(offsets[j] - it->second.offsets[j]), &diff) || diff != 0)
        return mismatch(what + ": it is accessed at different offsets");
    }
    return true;
  }

  VarSet inner_;
  std::unordered_map<const BufferNode*, std::string> scopes_;
  VarMap vars_;  // description variable -> real variable
  Placements placements_;
  std::string why_;
};

// Copies an implementation into the program: fresh variables and block names,
// accesses moved onto the real buffers.
class Instantiator : public IRMutator {
 public:
  Instantiator(Placements placements, std::unordered_set<std::string> used_names)
      : placements_(std::move(placements)), used_(std::move(used_names)) {}

 protected:
  using IRMutator::visit;
  Expr visit(const VarNode& n, const Expr& self) override {
    auto it = vars_.find(&n);
    return it == vars_.end() ? self : it->second;
  }
  Stmt visit(const ForNode& n, const Stmt&) override {
    Var v = make_var(n.loop_var->name, n.loop_var->dtype);
    vars_[n.loop_var.get()] = var_expr(v);
    return make_for(v, mutate(n.extent), n.for_kind, mutate(n.body), n.thread_tag, n.annotations);
  }
  Block mutate_block(const Block& block) override {
    const BlockNode& b = *block;
    std::vector<IterVar> ivs;
    for (const IterVar& iv : b.iter_vars) {
      Var v = make_var(iv.var->name, iv.var->dtype);
      vars_[iv.var.get()] = var_expr(v);
      ivs.push_back({v, {mutate(iv.dom.min), mutate(iv.dom.extent)}, iv.kind});
    }
    std::vector<BufferRegion> reads, writes;
    for (const BufferRegion& r : b.reads) reads.push_back(region(r));
    for (const BufferRegion& r : b.writes) writes.push_back(region(r));
    std::string name = b.name;
    for (int k = 1; used_.count(name); ++k) name = b.name + "_" + std::to_string(k);
    used_.insert(name);
    return make_block(name, ivs, reads, writes, mutate(b.body), mutate(b.init), b.alloc_buffers, b.annotations);
  }
  Expr visit(const BufferLoadNode& n, const Expr&) override {
    auto [buffer, indices] = place(n.buffer, n.indices);
    return load(buffer, indices);
  }
  Stmt visit(const BufferStoreNode& n, const Stmt&) override {
    auto [buffer, indices] = place(n.buffer, n.indices);
    return store(buffer, mutate(n.value), indices);
  }

 private:
  std::pair<Buffer, std::vector<Expr>> place(const Buffer& buffer, const std::vector<Expr>& indices) {
    std::vector<Expr> idx;
    for (const Expr& i : indices) idx.push_back(mutate(i));
    auto it = placements_.find(buffer.get());
    if (it == placements_.end()) return {buffer, idx};
    const Placement& p = it->second;
    size_t lead = p.offsets.size() - idx.size();
    std::vector<Expr> out;
    for (size_t j = 0; j < p.offsets.size(); ++j)
      out.push_back(j < lead ? p.offsets[j] : simplify(p.offsets[j] + idx[j - lead]));
    return {p.real, out};
  }
  BufferRegion region(const BufferRegion& r) {
    auto it = placements_.find(r.buffer.get());
    if (it == placements_.end()) {
      BufferRegion out{r.buffer, {}};
      for (const Range& rg : r.region) out.region.push_back({mutate(rg.min), mutate(rg.extent)});
      return out;
    }
    const Placement& p = it->second;
    size_t lead = p.offsets.size() - r.region.size();
    BufferRegion out{p.real, {}};
    for (size_t j = 0; j < p.offsets.size(); ++j) {
      if (j < lead) {
        out.region.push_back({p.offsets[j], int_imm(1, p.offsets[j].dtype())});
      } else {
        const Range& rg = r.region[j - lead];
        out.region.push_back({simplify(p.offsets[j] + mutate(rg.min)), mutate(rg.extent)});
      }
    }
    return out;
  }

  Placements placements_;  // by implementation parameter
  std::unordered_set<std::string> used_;
  VarMap vars_;
};

PrimFunc tensorize_block(const PrimFunc& func, const std::string& block_name, const TensorIntrinsic& intrin) {
  BlockSite site = *find_block(func, block_name);
  const BlockNode& block = site.block();
  auto fail = [&](const std::string& msg) {
    throw ScheduleError("tensorize: " + msg + "\n  block " + block_name + ":\n" + snippet(site.realize));
  };
  if (!site.parent) fail("the root block cannot be tensorized");
  if (!block.alloc_buffers.empty()) fail("block '" + block_name + "' allocates buffers");

  DefinedVars defined;
  defined.visit_stmt(block.body);
  std::unordered_map<const BufferNode*, std::string> scopes;
  for (size_t i = 0; i < intrin.param_scopes.size(); ++i) scopes[intrin.desc->params[i].get()] = intrin.param_scopes[i];
  Matcher m(defined.vars, scopes);
  if (!m.stmt(intrin.desc->root_block().body, block.body))
    fail("block '" + block_name + "' does not match intrinsic '" + intrin.name + "': " + m.why());

  Placements by_impl_param;
  for (size_t i = 0; i < intrin.desc->params.size(); ++i)
    by_impl_param[intrin.impl->params[i].get()] = m.placements().at(intrin.desc->params[i].get());
  std::vector<std::string> names = all_block_names(func);
  Instantiator inst(by_impl_param, std::unordered_set<std::string>(names.begin(), names.end()));
  BlockEdit edit;
  edit.body = inst.mutate(intrin.impl->root_block().body);
  if (intrin.target == "cuda") {
    // CUDA intrinsics keep their scalar description as the body (the interpreter's
    // reference); the emitter implements the block by the intrinsic it names.
    Annotations annotations = block.annotations;
    annotations[kTensorIntrinAnnotation] = intrin.name;
    edit.annotations = annotations;
  }
  const BlockRealizeNode& r = site.node();
  return replace_stmt(func, site.realize.get(),
                      make_block_realize(r.iter_values, r.predicate, edit_block(block, edit)));
}

}  // namespace

void tensorize(Schedule& sch, BlockRV block, const std::string& intrinsic) {
  const TensorIntrinsic& intrin = get_intrinsic(intrinsic, "tensorize");
  sch.set_func(tensorize_block(sch.func(), sch.block_name(block), intrin));
  sch.record({"tensorize", {Arg(block), Arg(intrinsic)}, {}, {}, std::nullopt});
}

void tensorize(Schedule& sch, LoopRV loop, const std::string& intrinsic) {
  const TensorIntrinsic& intrin = get_intrinsic(intrinsic, "tensorize");
  Blockized b = blockize_func(sch.func(), sch.loop_var(loop), "tensorize");
  sch.set_func(tensorize_block(b.func, b.outer_block, intrin));
  sch.record({"tensorize", {Arg(loop), Arg(intrinsic)}, {}, {}, std::nullopt});
}

namespace {
const RegisterInstruction kTensorize({"tensorize", RVKind::Block, false, false,
                                      [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                         const std::optional<Arg>&) {
                                        ArgReader r("tensorize", in, attrs);
                                        r.expect_count(2);
                                        const auto* rv = std::get_if<RV>(&r.at(0).value);
                                        if (!rv || rv->kind == RVKind::Expr)
                                          throw ScheduleError("tensorize: argument 1 must be a block or a loop");
                                        if (rv->kind == RVKind::Block)
                                          tensorize(sch, BlockRV{rv->id}, r.string(1));
                                        else
                                          tensorize(sch, LoopRV{rv->id}, r.string(1));
                                        return std::vector<RV>{};
                                      }});
}  // namespace

}  // namespace weft::sched
