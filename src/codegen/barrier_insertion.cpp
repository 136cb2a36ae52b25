#include "codegen/barrier_insertion.h"

#include <map>
#include <set>

#include "codegen/software_pipeline.h"
#include "ir/expr_order.h"
#include "ir/functor.h"
#include "ir/printer.h"
#include "ir/substitute.h"
#include "support/error.h"

namespace weft::codegen {

using namespace ir;

namespace {

struct Access {
  const BufferNode* buffer = nullptr;
  bool write = false;
  bool per_thread = false;      // every launched threadIdx axis bound, not a thread-0 store
  bool single = false;          // a store guarded to thread 0 of every launched axis
  std::vector<Expr> indices;    // canonical (see the header)
  bool thread_indexed = false;  // the indices use every launched axis
};

using Pending = std::vector<Access>;

class Planner {
 public:
  Planner(const PrimFunc& func, const ThreadLayout& layout, const StoragePlan& storage)
      : func_(func), layout_(layout), storage_(storage), threads_(layout.launched("threadIdx")) {}

  BarrierPlan run() {
    Pending pending;
    scan(func_->body, pending);
    return std::move(plan_);
  }

 private:
  // ---- context: bound axes, thread-dependent variables, canonical substitution --
  struct Saved {
    std::set<std::string> bound;
    VarMap canon;
    VarSet dependent;
    bool thread0;
  };
  Saved save() const { return {bound_, canon_, dependent_, thread0_}; }
  void restore(Saved s) {
    bound_ = std::move(s.bound);
    canon_ = std::move(s.canon);
    dependent_ = std::move(s.dependent);
    thread0_ = s.thread0;
  }

  Expr axis_var(const std::string& tag, DType dtype) {
    auto key = std::make_pair(tag, dtype);
    auto it = axis_vars_.find(key);
    if (it == axis_vars_.end()) {
      std::string name = tag;
      name[name.find('.')] = '_';
      it = axis_vars_.emplace(key, var_expr(make_var(name, dtype))).first;
    }
    return it->second;
  }

  void enter_loop(const ForNode& n) {
    if (n.for_kind == ForKind::ThreadBinding && is_thread_tag(n.thread_tag)) {
      bound_.insert(n.thread_tag);
      canon_[n.loop_var.get()] = axis_var(n.thread_tag, n.loop_var->dtype);
      dependent_.insert(n.loop_var.get());
    }
  }

  bool thread_dependent(const Expr& e) const {
    struct Finder : IRVisitor {
      const VarSet* deps;
      bool found = false;
      void visit(const VarNode& v, const Expr&) override { found |= deps->count(&v) != 0; }
      void visit(const BufferLoadNode&, const Expr&) override { found = true; }
    } f;
    f.deps = &dependent_;
    f.visit_expr(e);
    return f.found;
  }

  void enter_block(const BlockRealizeNode& n) {
    const BlockNode& b = *n.block;
    for (size_t i = 0; i < b.iter_vars.size(); ++i) {
      const Var& v = b.iter_vars[i].var;
      canon_[v.get()] = substitute(n.iter_values[i], canon_);
      if (thread_dependent(n.iter_values[i])) dependent_.insert(v.get());
    }
  }

  // ---- accesses -----------------------------------------------------------------
  Access make_access(const Buffer& buffer, bool write, const std::vector<Expr>& indices) {
    Access a;
    a.buffer = buffer.get();
    a.write = write;
    a.per_thread = !thread0_;
    a.single = thread0_;
    for (const std::string& t : threads_) {
      a.per_thread &= bound_.count(t) != 0;
      a.single &= bound_.count(t) == 0;
    }
    std::set<std::string> used;
    for (const Expr& i : indices) {
      a.indices.push_back(substitute(i, canon_));
      for (const Var& v : collect_vars(a.indices.back()))
        for (const std::string& t : threads_)
          if (axis_var(t, v->dtype).as<VarNode>() == v.get()) used.insert(t);
    }
    a.thread_indexed = used.size() == threads_.size();
    return a;
  }

  void collect_expr(const Expr& e, Pending& out) {
    struct Loads : IRVisitor {
      Planner* self;
      Pending* out;
      void visit(const BufferLoadNode& n, const Expr& e) override {
        IRVisitor::visit(n, e);
        if (self->storage_.block_visible(n.buffer.get())) out->push_back(self->make_access(n.buffer, false, n.indices));
      }
    } loads;
    loads.self = this;
    loads.out = &out;
    loads.visit_expr(e);
  }

  // Every access of `s`, in program order.
  void collect_stmt(const Stmt& s, Pending& out) {
    if (const auto* n = s.as<ForNode>()) {
      collect_expr(n->extent, out);
      Saved saved = save();
      enter_loop(*n);
      collect_stmt(n->body, out);
      restore(std::move(saved));
    } else if (const auto* n = s.as<BlockRealizeNode>()) {
      for (const Expr& v : n->iter_values) collect_expr(v, out);
      Saved saved = save();
      enter_block(*n);
      collect_expr(n->predicate, out);
      if (n->block->init) collect_stmt(n->block->init, out);
      collect_stmt(n->block->body, out);
      restore(std::move(saved));
    } else if (const auto* n = s.as<BufferStoreNode>()) {
      bool saved = thread0_;
      thread0_ |= storage_.store_guards.count(n) != 0;
      collect_expr(n->value, out);
      for (const Expr& i : n->indices) collect_expr(i, out);
      if (storage_.block_visible(n->buffer.get())) out.push_back(make_access(n->buffer, true, n->indices));
      thread0_ = saved;
    } else if (const auto* n = s.as<SeqStmtNode>()) {
      for (const Stmt& c : n->seq) collect_stmt(c, out);
    } else if (const auto* n = s.as<IfThenElseNode>()) {
      collect_expr(n->cond, out);
      collect_stmt(n->then_case, out);
      if (n->else_case) collect_stmt(n->else_case, out);
    }
  }

  bool same_thread(const Access& a, const Access& b) const {
    if (a.single && b.single) return true;
    if (!a.per_thread || !b.per_thread || !a.thread_indexed || !b.thread_indexed) return false;
    if (a.indices.size() != b.indices.size()) return false;
    ExprOrder order;
    for (size_t i = 0; i < a.indices.size(); ++i)
      if (!order.equal(a.indices[i], b.indices[i])) return false;
    return true;
  }

  bool conflict(const Access& a, const Access& b) const {
    return a.buffer == b.buffer && (a.write || b.write) && !same_thread(a, b);
  }

  // Whether some access of `all` conflicts with another one or with itself (in
  // another iteration of the loops around both).
  bool self_conflicting(const Pending& all) const {
    for (size_t i = 0; i < all.size(); ++i)
      for (size_t j = i; j < all.size(); ++j)
        if (conflict(all[i], all[j])) return true;
    return false;
  }

  Pending accesses_of(const Stmt& s) {
    Pending out;
    collect_stmt(s, out);
    return out;
  }

  // Whether `s` holds a software pipeline's wait scope (which needs its barrier).
  static bool has_wait_scope(const Stmt& s) {
    struct Finder : IRVisitor {
      bool found = false;
      void visit(const ForNode& n, const Stmt& st) override {
        found |= n.annotations.count(kAsyncWaitGroupKey) != 0;
        IRVisitor::visit(n, st);
      }
    } finder;
    finder.visit_stmt(s);
    return finder.found;
  }

  bool conflicts(const Pending& pending, const Pending& next) const {
    for (const Access& a : pending)
      for (const Access& b : next)
        if (conflict(a, b)) return true;
    return false;
  }

  // ---- scanning uniform code ----------------------------------------------------------
  std::string describe(const Stmt& s) const {
    std::string text = to_text(s);
    size_t nl = text.find('\n');
    return nl == std::string::npos ? text : text.substr(0, nl) + " ...";
  }

  bool divergent(const Stmt& s) const {
    if (const auto* n = s.as<ForNode>()) {
      if (layout_.guarded.count(n)) return true;
      return !is_const_int(n->extent) && thread_dependent(n->extent);
    }
    if (const auto* n = s.as<BlockRealizeNode>()) {
      if (thread_dependent(n->predicate)) return true;
      for (size_t i = 0; i < n->iter_values.size(); ++i)
        if (n->block->init && n->block->iter_vars[i].kind == IterKind::Reduce && thread_dependent(n->iter_values[i]))
          return true;
      return false;
    }
    if (const auto* n = s.as<IfThenElseNode>()) return thread_dependent(n->cond);
    return s.kind() == StmtKind::BufferStore;  // a leaf: taken whole
  }

  // A barrier needed before `s` goes before the outermost enclosing statement that
  // runs once per thread (a thread loop, a block), was entered after the last
  // barrier and whose accesses so far do not conflict with `next`: readable
  // (before the loop, not inside it) and as good, those accesses staying pending.
  void barrier_before(const Stmt& s, Pending& pending, const Pending& next) {
    const StmtNode* target = s.get();
    size_t keep_from = pending.size();
    for (size_t i = hoists_.size(); i-- > 0;) {
      const Hoist& h = hoists_[i];
      if (!h.target || h.epoch != epoch_ || h.pending_size > pending.size()) break;
      if (conflicts(Pending(pending.begin() + static_cast<std::ptrdiff_t>(h.pending_size), pending.end()), next)) break;
      target = h.target;
      keep_from = h.pending_size;
    }
    ++epoch_;
    plan_.before.insert(target);
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(keep_from));
  }

  void add(Pending& pending, const Pending& more) { pending.insert(pending.end(), more.begin(), more.end()); }

  // Joins a branch that started from `pending` (and may not run): its new accesses,
  // or all of them when it planned a barrier (which then cleared its copy).
  void merge(Pending& pending, const Pending& branch, size_t base, size_t epoch_before) {
    size_t from = epoch_ == epoch_before ? base : 0;
    pending.insert(pending.end(), branch.begin() + static_cast<std::ptrdiff_t>(std::min(from, branch.size())), branch.end());
  }

  struct Hoist {
    const StmtNode* target = nullptr;  // null: a loop body or branch, which nothing is hoisted out of
    size_t epoch = 0;                  // barriers planned when it was entered
    size_t pending_size = 0;           // pending accesses then
  };
  void enter_once(const Stmt& s, const Pending& pending) { hoists_.push_back({s.get(), epoch_, pending.size()}); }
  void enter_repeated() { hoists_.push_back({}); }
  void leave() { hoists_.pop_back(); }

  // A statement taken whole. A compound one (a guarded loop, a predicated block,
  // a divergent `if`) must not need a barrier among its own accesses; a single
  // store cannot hold one.
  void atomic(const Stmt& s, Pending& pending) {
    Pending inner;
    collect_stmt(s, inner);
    if (s.kind() != StmtKind::BufferStore)
      for (size_t i = 0; i < inner.size(); ++i)
        for (size_t j = i + 1; j < inner.size(); ++j)
          if (conflict(inner[i], inner[j]))
            throw BuildError("function '" + func_->name + "': buffer '" + inner[i].buffer->name +
                             "' is shared by threads that diverge here and would need a barrier inside: " +
                             describe(s));
    if (conflicts(pending, inner)) barrier_before(s, pending, inner);
    add(pending, inner);
  }

  void scan(const Stmt& s, Pending& pending) {
    if (divergent(s)) {
      atomic(s, pending);
      return;
    }
    if (const auto* n = s.as<SeqStmtNode>()) {
      for (const Stmt& c : n->seq) scan(c, pending);
    } else if (const auto* n = s.as<ForNode>()) {
      if (n->annotations.count(kAsyncWaitGroupKey)) {
        // A software pipeline's wait scope: the barrier after its cp.async wait
        // publishes the stage it reads, whatever the accesses before it.
        ++epoch_;
        plan_.before.insert(s.get());
        pending.clear();
      }
      Pending head;
      collect_expr(n->extent, head);
      if (conflicts(pending, head)) barrier_before(s, pending, head);
      add(pending, head);
      Saved saved = save();
      enter_loop(*n);
      int64_t trip = 2;
      bool thread_loop = n->for_kind == ForKind::ThreadBinding && !n->thread_tag.starts_with("vthread");
      if (thread_loop || (is_const_int(n->extent, &trip) && trip <= 1)) {
        enter_once(s, pending);
        scan(n->body, pending);
        leave();
      } else if (Pending inner = accesses_of(n->body); !self_conflicting(inner) && !has_wait_scope(n->body)) {
        // No two accesses of the loop conflict, in one iteration or across
        // iterations: one barrier before the loop serves all of it (a cooperative
        // fetch's serial loop, a compute loop that only reads shared tiles).
        if (conflicts(pending, inner)) barrier_before(s, pending, inner);
        add(pending, inner);
      } else {
        // The second pass sees the accesses of the end of one iteration before the
        // start of the next one (loop-carried dependences).
        enter_repeated();
        scan(n->body, pending);
        scan(n->body, pending);
        leave();
      }
      restore(std::move(saved));
    } else if (const auto* n = s.as<BlockRealizeNode>()) {
      Pending head;
      for (const Expr& v : n->iter_values) collect_expr(v, head);
      Saved saved = save();
      enter_block(*n);
      collect_expr(n->predicate, head);
      if (conflicts(pending, head)) barrier_before(s, pending, head);
      add(pending, head);
      enter_once(s, pending);
      if (n->block->init) {
        // The init may not run: what follows must stay synchronised with what came before.
        enter_repeated();
        Pending with_init = pending;
        size_t epoch = epoch_, base = pending.size();
        scan(n->block->init, with_init);
        merge(pending, with_init, base, epoch);
        leave();
      }
      scan(n->block->body, pending);
      leave();
      restore(std::move(saved));
    } else if (const auto* n = s.as<IfThenElseNode>()) {
      Pending head;
      collect_expr(n->cond, head);
      if (conflicts(pending, head)) barrier_before(s, pending, head);
      add(pending, head);
      enter_repeated();
      Pending then_pending = pending, else_pending = pending;
      size_t epoch = epoch_, base = pending.size();
      scan(n->then_case, then_pending);
      merge(pending, then_pending, base, epoch);
      if (n->else_case) {
        epoch = epoch_;
        scan(n->else_case, else_pending);
        merge(pending, else_pending, base, epoch);
      }
      leave();
    }
  }

  const PrimFunc& func_;
  const ThreadLayout& layout_;
  const StoragePlan& storage_;
  const std::vector<std::string> threads_;
  std::map<std::pair<std::string, DType>, Expr> axis_vars_;
  std::set<std::string> bound_;
  VarMap canon_;
  VarSet dependent_;
  bool thread0_ = false;
  BarrierPlan plan_;
  size_t epoch_ = 0;  // barriers planned so far
  std::vector<Hoist> hoists_;  // enclosing statements, outermost first
};

}  // namespace

BarrierPlan plan_barriers(const PrimFunc& func, const ThreadLayout& layout, const StoragePlan& storage) {
  if (layout.launch.threads_per_block() <= 1) return {};
  return Planner(func, layout, storage).run();
}

}  // namespace weft::codegen
