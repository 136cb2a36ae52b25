#include "schedule/ir_nav.h"

#include "ir/functor.h"
#include "support/error.h"

namespace weft::sched {

using namespace ir;

namespace {

// Walks statements keeping the loops since the last block and that block's realize.
class SiteFinder : public StmtFunctor<void> {
 public:
  std::function<bool(const Stmt&, const std::vector<Stmt>&, const Stmt&)> on_block;  // return true to stop
  std::function<bool(const Stmt&, const std::vector<Stmt>&, const Stmt&)> on_loop;
  bool done = false;

  void run(const Stmt& s) {
    if (!done) visit_stmt(s);
  }

 protected:
  void visit(const ForNode& n, const Stmt& self) override {
    if (on_loop && on_loop(self, loops_, parent_)) {
      done = true;
      return;
    }
    loops_.push_back(self);
    run(n.body);
    loops_.pop_back();
  }
  void visit(const BlockRealizeNode& n, const Stmt& self) override {
    if (on_block && on_block(self, loops_, parent_)) {
      done = true;
      return;
    }
    auto saved_loops = std::move(loops_);
    Stmt saved_parent = parent_;
    loops_.clear();
    parent_ = self;
    if (n.block->init) run(n.block->init);
    run(n.block->body);
    loops_ = std::move(saved_loops);
    parent_ = saved_parent;
  }
  void visit(const BufferStoreNode&, const Stmt&) override {}
  void visit(const SeqStmtNode& n, const Stmt&) override {
    for (const Stmt& s : n.seq) run(s);
  }
  void visit(const IfThenElseNode& n, const Stmt&) override {
    run(n.then_case);
    if (n.else_case) run(n.else_case);
  }

 private:
  std::vector<Stmt> loops_;
  Stmt parent_;
};

class Replacer : public IRMutator {
 public:
  Replacer(const StmtNode* target, Stmt replacement) : target_(target), replacement_(std::move(replacement)) {}
  bool found = false;

  Stmt replace(const Stmt& s) {
    if (s.get() == target_) {
      found = true;
      return replacement_;
    }
    return visit_stmt(s);
  }

 protected:
  // Expressions never contain statements: skip them.
  Expr visit(const BinaryNode&, const Expr& self) override { return self; }
  Expr visit(const BufferLoadNode&, const Expr& self) override { return self; }
  Expr visit(const CallNode&, const Expr& self) override { return self; }
  Expr visit(const SelectNode&, const Expr& self) override { return self; }
  Expr visit(const CastNode&, const Expr& self) override { return self; }
  Expr visit(const NotNode&, const Expr& self) override { return self; }

  Stmt visit(const ForNode& n, const Stmt& self) override {
    Stmt body = replace(n.body);
    if (body.same_as(n.body)) return self;
    if (!body) return Stmt();  // the loop is empty now
    return with_body(n, body);
  }
  Stmt visit(const SeqStmtNode& n, const Stmt& self) override {
    std::vector<Stmt> out;
    bool changed = false;
    for (const Stmt& s : n.seq) {
      Stmt r = replace(s);
      changed |= !r.same_as(s);
      if (r) out.push_back(r);
    }
    if (!changed) return self;
    if (out.empty()) return Stmt();
    return seq(out);
  }
  Stmt visit(const IfThenElseNode& n, const Stmt& self) override {
    Stmt t = replace(n.then_case);
    Stmt e = n.else_case ? replace(n.else_case) : Stmt();
    if (t.same_as(n.then_case) && e.same_as(n.else_case)) return self;
    if (!t) throw InternalError("removing the only statement of an if branch");
    return if_then_else(n.cond, t, e);
  }
  Stmt visit(const BlockRealizeNode& n, const Stmt& self) override {
    const BlockNode& b = *n.block;
    Stmt init = b.init ? replace(b.init) : Stmt();
    Stmt body = replace(b.body);
    if (init.same_as(b.init) && body.same_as(b.body)) return self;
    if (!body) throw InternalError("removing the whole body of block '" + b.name + "'");
    BlockEdit edit;
    edit.body = body;
    edit.init = init;
    return make_block_realize(n.iter_values, n.predicate, edit_block(b, edit));
  }

 private:
  const StmtNode* target_;
  Stmt replacement_;
};

}  // namespace

std::optional<BlockSite> find_block(const PrimFunc& func, const std::string& name) {
  std::optional<BlockSite> site;
  SiteFinder f;
  f.on_block = [&](const Stmt& s, const std::vector<Stmt>& loops, const Stmt& parent) {
    if (s.as<BlockRealizeNode>()->block->name != name) return false;
    site = BlockSite{s, loops, parent};
    return true;
  };
  f.run(func->body);
  return site;
}

std::optional<LoopSite> find_loop(const PrimFunc& func, const VarNode* var) {
  std::optional<LoopSite> site;
  SiteFinder f;
  f.on_loop = [&](const Stmt& s, const std::vector<Stmt>& loops, const Stmt& parent) {
    if (s.as<ForNode>()->loop_var.get() != var) return false;
    site = LoopSite{s, loops, parent};
    return true;
  };
  f.run(func->body);
  return site;
}

std::vector<Stmt> child_block_realizes(const Stmt& stmt) {
  std::vector<Stmt> out;
  std::function<void(const Stmt&)> walk = [&](const Stmt& s) {
    if (s.as<BlockRealizeNode>()) {
      out.push_back(s);
    } else if (const auto* f = s.as<ForNode>()) {
      walk(f->body);
    } else if (const auto* q = s.as<SeqStmtNode>()) {
      for (const Stmt& c : q->seq) walk(c);
    } else if (const auto* i = s.as<IfThenElseNode>()) {
      walk(i->then_case);
      if (i->else_case) walk(i->else_case);
    }
  };
  walk(stmt);
  return out;
}

std::vector<std::string> all_block_names(const PrimFunc& func) {
  std::vector<std::string> names;
  SiteFinder f;
  f.on_block = [&](const Stmt& s, const std::vector<Stmt>&, const Stmt&) {
    names.push_back(s.as<BlockRealizeNode>()->block->name);
    return false;
  };
  f.run(func->body);
  return names;
}

std::vector<Buffer> all_buffers(const PrimFunc& func) {
  std::vector<Buffer> out = func->params;
  SiteFinder f;
  f.on_block = [&](const Stmt& s, const std::vector<Stmt>&, const Stmt&) {
    for (const Buffer& b : s.as<BlockRealizeNode>()->block->alloc_buffers) out.push_back(b);
    return false;
  };
  f.run(func->body);
  return out;
}

PrimFunc replace_stmt(const PrimFunc& func, const StmtNode* target, Stmt replacement) {
  if (func->body.get() == target) return make_func(func->name, func->params, replacement);
  Replacer r(target, std::move(replacement));
  Stmt body = r.replace(func->body);
  if (!r.found) throw InternalError("replace_stmt: statement not found in function '" + func->name + "'");
  return make_func(func->name, func->params, body);
}

Block edit_block(const BlockNode& b, const BlockEdit& e) {
  return make_block(e.name.value_or(b.name), e.iter_vars.value_or(b.iter_vars), e.reads.value_or(b.reads),
                    e.writes.value_or(b.writes), e.body.value_or(b.body), e.init.value_or(b.init),
                    e.alloc_buffers.value_or(b.alloc_buffers), e.annotations.value_or(b.annotations));
}

Stmt with_body(const ForNode& loop, Stmt body) {
  return make_for(loop.loop_var, loop.extent, loop.for_kind, std::move(body), loop.thread_tag, loop.annotations);
}

}  // namespace weft::sched
