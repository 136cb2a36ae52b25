#include "costmodel/store_sites.h"

#include "ir/interval.h"
#include "support/error.h"

namespace weft::costmodel {

namespace {

class SiteCollector {
 public:
  std::vector<StoreSite> sites;

  void walk(const ir::Stmt& s) {
    if (!s) return;
    if (const auto* f = s.as<ir::ForNode>()) {
      loops_.push_back({f, extent_of(*f)});
      domains_[f->loop_var.get()] = ir::Interval::from_extent(0, loops_.back().extent);
      walk(f->body);
      domains_.erase(f->loop_var.get());
      loops_.pop_back();
    } else if (const auto* r = s.as<ir::BlockRealizeNode>()) {
      walk_block(*r);
    } else if (const auto* seq = s.as<ir::SeqStmtNode>()) {
      for (const ir::Stmt& c : seq->seq) walk(c);
    } else if (const auto* i = s.as<ir::IfThenElseNode>()) {
      bool saved = predicate_;
      predicate_ = true;
      walk(i->then_case);
      walk(i->else_case);
      predicate_ = saved;
    } else if (const auto* st = s.as<ir::BufferStoreNode>()) {
      emit(*st);
    } else {
      throw InternalError("feature extraction met an unknown statement kind");
    }
  }

 private:
  int64_t extent_of(const ir::ForNode& f) const {
    int64_t v = 0;
    if (ir::is_const_int(f.extent, &v)) return std::max<int64_t>(v, 1);
    ir::Interval b = ir::bound_of(f.extent, domains_);
    return b.has_upper() ? std::max<int64_t>(b.max, 1) : 1;
  }

  void walk_block(const ir::BlockRealizeNode& r) {
    const ir::BlockNode& block = *r.block;
    ir::VarMap saved_bindings = bindings_;
    bool saved_predicate = predicate_;
    bool saved_init = in_init_;
    if (!ir::is_const_true(r.predicate)) predicate_ = true;
    // Bindings are substituted with the outer ones first, so every iterator ends up
    // as an expression of loop variables alone.
    for (size_t k = 0; k < block.iter_vars.size() && k < r.iter_values.size(); ++k)
      bindings_[block.iter_vars[k].var.get()] = ir::substitute(r.iter_values[k], saved_bindings);
    blocks_.push_back(&block);
    if (block.init) {
      in_init_ = true;
      walk(block.init);
    }
    in_init_ = saved_init;
    walk(block.body);
    blocks_.pop_back();
    bindings_ = std::move(saved_bindings);
    predicate_ = saved_predicate;
  }

  // Loops that feed reduction iterators of the innermost block and none of its
  // spatial ones.
  std::vector<bool> reduce_only_loops() const {
    std::vector<bool> reduce_only(loops_.size(), false);
    if (blocks_.empty()) return reduce_only;
    const ir::BlockNode& block = *blocks_.back();
    for (size_t l = 0; l < loops_.size(); ++l) {
      const ir::VarNode* v = loops_[l].node->loop_var.get();
      bool spatial = false, reduce = false;
      for (const ir::IterVar& iv : block.iter_vars) {
        auto it = bindings_.find(iv.var.get());
        if (it == bindings_.end() || !ir::uses_var(it->second, v)) continue;
        (iv.kind == ir::IterKind::Reduce ? reduce : spatial) = true;
      }
      reduce_only[l] = reduce && !spatial;
    }
    return reduce_only;
  }

  void emit(const ir::BufferStoreNode& store) {
    StoreSite site;
    site.store = &store;
    site.bindings = bindings_;
    site.blocks = blocks_;
    site.is_init = in_init_;
    site.has_predicate = predicate_;
    std::vector<bool> reduce_only = reduce_only_loops();
    for (size_t l = 0; l < loops_.size(); ++l) {
      if (reduce_only[l] && in_init_) continue;
      site.loops.push_back(loops_[l]);
      if (reduce_only[l]) ++site.num_reduce_loops;
    }
    sites.push_back(std::move(site));
  }

  std::vector<SiteLoop> loops_;
  ir::VarDomains domains_;
  ir::VarMap bindings_;
  std::vector<const ir::BlockNode*> blocks_;
  bool predicate_ = false;
  bool in_init_ = false;
};

}  // namespace

std::vector<StoreSite> collect_store_sites(const ir::PrimFunc& func) {
  SiteCollector c;
  c.walk(func->body);
  return std::move(c.sites);
}

}  // namespace weft::costmodel
