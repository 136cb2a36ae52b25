#include "codegen/buffer_sites.h"

#include <unordered_map>

#include "ir/functor.h"
#include "ir/substitute.h"

namespace weft::codegen {

using namespace ir;

bool has_load_or_call(const Expr& e) {
  struct Finder : IRVisitor {
    bool found = false;
    void visit(const BufferLoadNode&, const Expr&) override { found = true; }
    void visit(const CallNode&, const Expr&) override { found = true; }
  } f;
  f.visit_expr(e);
  return f.found;
}

namespace {

class SiteCollector {
 public:
  BufferSites run(const PrimFunc& func) {
    stmt(func->body);
    return std::move(out_);
  }

 private:
  struct Tracked {
    size_t use;        // index into out_.uses
    size_t loop_base;  // loops_.size() when the buffer was allocated
  };

  void record(const Buffer& buffer, const std::vector<Expr>& indices, bool write) {
    auto it = tracked_.find(buffer.get());
    if (it == tracked_.end()) return;  // a parameter
    AccessSite site;
    site.write = write;
    for (const Expr& i : indices) {
      Expr s = substitute(i, bindings_);
      site.affine = site.affine && !has_load_or_call(s);
      site.indices.push_back(s);
    }
    size_t base = it->second.loop_base;
    site.loops.assign(loops_.begin() + static_cast<std::ptrdiff_t>(base), loops_.end());
    // Conditions entered above the allocating block gate the whole allocation: they do not count.
    int depth = condition_depth_ - static_cast<int>(base);
    site.condition_depth = depth >= 0 ? depth : -1;
    out_.uses[it->second.use].sites.push_back(std::move(site));
  }

  void expr(const Expr& e) {
    if (!e) return;
    struct Loads : IRVisitor {
      explicit Loads(SiteCollector& c) : c(c) {}
      SiteCollector& c;
      void visit(const BufferLoadNode& n, const Expr& self) override {
        c.record(n.buffer, n.indices, false);
        IRVisitor::visit(n, self);
      }
    } loads(*this);
    loads.visit_expr(e);
  }

  void enter_condition() {
    condition_stack_.push_back(static_cast<int>(loops_.size()));
    condition_depth_ = condition_stack_.back();
  }
  void leave_condition() {
    condition_stack_.pop_back();
    condition_depth_ = condition_stack_.empty() ? -1 : condition_stack_.back();
  }

  void stmt(const Stmt& s) {
    if (!s) return;
    switch (s.kind()) {
      case StmtKind::For: {
        const auto& n = *s.as<ForNode>();
        if (!seen_loops_.insert(&n).second) out_.shared_loops.insert(&n);
        expr(n.extent);
        int64_t extent;
        Interval domain = is_const_int(n.extent, &extent) && extent > 0 ? Interval::from_extent(0, extent)
                                                                          : loop_domain(n.extent);
        loops_.push_back({&n, domain, 0});
        if (const auto* body = n.body.as<SeqStmtNode>()) {
          for (size_t k = 0; k < body->seq.size(); ++k) {
            loops_.back().child = static_cast<int>(k);
            stmt(body->seq[k]);
          }
        } else {
          stmt(n.body);
        }
        loops_.pop_back();
        return;
      }
      case StmtKind::BlockRealize: {
        const auto& n = *s.as<BlockRealizeNode>();
        const BlockNode& b = *n.block;
        for (const Expr& v : n.iter_values) expr(v);
        expr(n.predicate);
        bool guarded = !is_const_true(n.predicate);
        if (guarded) enter_condition();
        std::vector<std::pair<const VarNode*, Expr>> saved;
        for (size_t k = 0; k < b.iter_vars.size(); ++k) {
          const VarNode* v = b.iter_vars[k].var.get();
          auto old = bindings_.find(v);
          saved.emplace_back(v, old == bindings_.end() ? Expr() : old->second);
          bindings_[v] = substitute(n.iter_values[k], bindings_);
        }
        for (const Buffer& buf : b.alloc_buffers) {
          tracked_[buf.get()] = {out_.uses.size(), loops_.size()};
          out_.uses.push_back({buf, &b, {}});
        }
        if (b.init) {
          enter_condition();
          stmt(b.init);
          leave_condition();
        }
        stmt(b.body);
        for (const Buffer& buf : b.alloc_buffers) tracked_.erase(buf.get());
        for (auto& [v, old] : saved) {
          if (old)
            bindings_[v] = old;
          else
            bindings_.erase(v);
        }
        if (guarded) leave_condition();
        return;
      }
      case StmtKind::BufferStore: {
        const auto& n = *s.as<BufferStoreNode>();
        expr(n.value);
        for (const Expr& i : n.indices) expr(i);
        record(n.buffer, n.indices, true);
        return;
      }
      case StmtKind::SeqStmt:
        for (const Stmt& c : s.as<SeqStmtNode>()->seq) stmt(c);
        return;
      case StmtKind::IfThenElse: {
        const auto& n = *s.as<IfThenElseNode>();
        expr(n.cond);
        enter_condition();
        stmt(n.then_case);
        stmt(n.else_case);
        leave_condition();
        return;
      }
    }
  }

  Interval loop_domain(const Expr& extent) const {
    VarDomains outer;
    for (const SiteLoop& l : loops_) outer[l.loop->loop_var.get()] = l.domain;
    Interval e = bound_of(substitute(extent, bindings_), outer);
    if (e.has_upper() && e.max >= 1) return Interval::closed(0, e.max - 1);
    return Interval{0, Interval::kPosInf};
  }

  BufferSites out_;
  std::unordered_map<const BufferNode*, Tracked> tracked_;
  VarMap bindings_;
  std::vector<SiteLoop> loops_;
  std::vector<int> condition_stack_;
  int condition_depth_ = -1;
  std::unordered_set<const ForNode*> seen_loops_;
};

}  // namespace

BufferSites collect_buffer_sites(const PrimFunc& func) { return SiteCollector().run(func); }

}  // namespace weft::codegen
