// The reference interpreter: checks the arguments, compiles the PrimFunc's
// statements into code objects (interp_program.h) and runs them. Every loop runs
// serially whatever its kind; a block realize binds its iterators, checks them
// against their domains and runs `init` at the first reduction iteration.
#include "ir/interpreter.h"

#include <fmt/format.h>

#include "ir/buffer.h"
#include "ir/interp_numeric.h"
#include "ir/interp_program.h"
#include "support/error.h"

namespace weft::ir {

namespace interp {
namespace {

template <DType T>
class FloatStore final : public StmtCode {
 public:
  FloatStore(Access a, FloatPtr v) : a_(std::move(a)), v_(std::move(v)) {}
  void run() const override {
    int64_t off = a_.offset();
    store_float_element<T>(a_.data(), off, v_->eval());
  }

 private:
  Access a_;
  FloatPtr v_;
};

template <DType T>
class IntStore final : public StmtCode {
 public:
  IntStore(Access a, IntPtr v) : a_(std::move(a)), v_(std::move(v)) {}
  void run() const override {
    int64_t off = a_.offset();
    store_int_element<T>(a_.data(), off, v_->eval());
  }

 private:
  Access a_;
  IntPtr v_;
};

class Seq final : public StmtCode {
 public:
  explicit Seq(std::vector<StmtPtr> stmts) : stmts_(std::move(stmts)) {}
  void run() const override {
    for (const StmtPtr& s : stmts_) s->run();
  }

 private:
  std::vector<StmtPtr> stmts_;
};

class If final : public StmtCode {
 public:
  If(IntPtr cond, StmtPtr then_case, StmtPtr else_case)
      : cond_(std::move(cond)), then_(std::move(then_case)), else_(std::move(else_case)) {}
  void run() const override {
    if (cond_->eval()) then_->run();
    else if (else_) else_->run();
  }

 private:
  IntPtr cond_;
  StmtPtr then_, else_;
};

// Loops start at 0; the extent is evaluated once on entry.
class Loop final : public StmtCode {
 public:
  Loop(int64_t* var, IntOperand extent, StmtPtr body) : var_(var), extent_(std::move(extent)), body_(std::move(body)) {}
  void run() const override {
    int64_t n = extent_.eval();
    for (int64_t i = 0; i < n; ++i) {
      *var_ = i;
      body_->run();
    }
  }

 private:
  int64_t* var_;
  IntOperand extent_;
  StmtPtr body_;
};

class Realize final : public StmtCode {
 public:
  struct Binding {
    IntOperand value, dom_min, dom_extent;  // evaluated in the enclosing scope
    int64_t* slot;                          // the iterator's slot inside the block
    bool reduce;
    const IterVar* iter;
  };

  Realize(const BlockNode* block, IntPtr predicate, std::vector<Binding> bindings, std::vector<BufferSlot*> allocs,
          StmtPtr init, StmtPtr body)
      : block_(block), predicate_(std::move(predicate)), bindings_(std::move(bindings)), allocs_(std::move(allocs)),
        init_(std::move(init)), body_(std::move(body)) {}

  void run() const override {
    if (predicate_ && !predicate_->eval()) return;
    // One pass suffices: a binding cannot read the block's own iterators (they are
    // not in scope where it was compiled), so assigning slot k early is safe.
    bool first_reduce_iteration = true;
    for (const Binding& b : bindings_) {
      int64_t v = b.value.eval(), lo = b.dom_min.eval(), extent = b.dom_extent.eval();
      if (v < lo || v - lo >= extent) [[unlikely]]
        out_of_domain(b, v, lo, extent);
      *b.slot = v;
      if (b.reduce && v != lo) first_reduce_iteration = false;
    }
    for (BufferSlot* a : allocs_) a->zero_fill();
    if (init_ && first_reduce_iteration) init_->run();
    body_->run();
  }

 private:
  [[noreturn]] void out_of_domain(const Binding& b, int64_t v, int64_t lo, int64_t extent) const {
    throw RuntimeError(fmt::format("block '{}': iterator '{}' bound to {}, outside its domain [{}, {})", block_->name,
                                   b.iter->var->name, v, lo, lo + extent));
  }

  const BlockNode* block_;
  IntPtr predicate_;  // null when always true
  std::vector<Binding> bindings_;
  std::vector<BufferSlot*> allocs_;
  StmtPtr init_, body_;
};

StmtPtr compile_stmt(const Stmt& s, Env& env);

StmtPtr compile_store(const BufferStoreNode& n, Env& env) {
  Access access = compile_access(n.buffer, n.indices, env);
  switch (n.buffer->dtype) {
    case DType::f64: return std::make_unique<FloatStore<DType::f64>>(std::move(access), compile_float(n.value, env));
    case DType::f32: return std::make_unique<FloatStore<DType::f32>>(std::move(access), compile_float(n.value, env));
    case DType::f16: return std::make_unique<FloatStore<DType::f16>>(std::move(access), compile_float(n.value, env));
    case DType::bf16: return std::make_unique<FloatStore<DType::bf16>>(std::move(access), compile_float(n.value, env));
    case DType::i64: return std::make_unique<IntStore<DType::i64>>(std::move(access), compile_int(n.value, env));
    case DType::i32: return std::make_unique<IntStore<DType::i32>>(std::move(access), compile_int(n.value, env));
    case DType::i8: return std::make_unique<IntStore<DType::i8>>(std::move(access), compile_int(n.value, env));
    case DType::boolean:
      return std::make_unique<IntStore<DType::boolean>>(std::move(access), compile_int(n.value, env));
  }
  throw InternalError("interpreter: store of an unknown dtype");
}

StmtPtr compile_realize(const BlockRealizeNode& n, Env& env) {
  const BlockNode& block = *n.block;
  // The predicate, bindings and domains belong to the enclosing scope.
  IntPtr predicate = is_const_true(n.predicate) ? nullptr : compile_int(n.predicate, env);
  std::vector<Realize::Binding> bindings;
  for (size_t k = 0; k < block.iter_vars.size(); ++k) {
    const IterVar& iv = block.iter_vars[k];
    bindings.push_back({compile_operand(n.iter_values[k], env), compile_operand(iv.dom.min, env),
                        compile_operand(iv.dom.extent, env), nullptr, iv.kind == IterKind::Reduce, &iv});
  }
  const std::string* outer_block = env.block_name();
  env.set_block_name(&block.name);
  for (Realize::Binding& b : bindings) b.slot = env.bind(b.iter->var.get());
  std::vector<BufferSlot*> allocs;
  for (const Buffer& buf : block.alloc_buffers) allocs.push_back(env.allocate(buf.get(), block.name));
  StmtPtr init = block.init ? compile_stmt(block.init, env) : nullptr;
  StmtPtr body = compile_stmt(block.body, env);
  for (size_t k = block.alloc_buffers.size(); k-- > 0;) env.release(block.alloc_buffers[k].get());
  for (size_t k = block.iter_vars.size(); k-- > 0;) env.unbind(block.iter_vars[k].var.get());
  env.set_block_name(outer_block);
  return std::make_unique<Realize>(&block, std::move(predicate), std::move(bindings), std::move(allocs),
                                   std::move(init), std::move(body));
}

StmtPtr compile_stmt(const Stmt& s, Env& env) {
  switch (s.kind()) {
    case StmtKind::For: {
      const auto* f = s.as<ForNode>();
      IntOperand extent = compile_operand(f->extent, env);
      int64_t* var = env.bind(f->loop_var.get());
      StmtPtr body = compile_stmt(f->body, env);
      env.unbind(f->loop_var.get());
      return std::make_unique<Loop>(var, std::move(extent), std::move(body));
    }
    case StmtKind::BlockRealize: return compile_realize(*s.as<BlockRealizeNode>(), env);
    case StmtKind::BufferStore: return compile_store(*s.as<BufferStoreNode>(), env);
    case StmtKind::SeqStmt: {
      std::vector<StmtPtr> stmts;
      for (const Stmt& st : s.as<SeqStmtNode>()->seq) stmts.push_back(compile_stmt(st, env));
      return std::make_unique<Seq>(std::move(stmts));
    }
    case StmtKind::IfThenElse: {
      const auto* i = s.as<IfThenElseNode>();
      IntPtr cond = compile_int(i->cond, env);
      StmtPtr then_case = compile_stmt(i->then_case, env);
      StmtPtr else_case = i->else_case ? compile_stmt(i->else_case, env) : nullptr;
      return std::make_unique<If>(std::move(cond), std::move(then_case), std::move(else_case));
    }
  }
  throw InternalError("interpreter: statement of an unknown kind");
}

void check_args(const PrimFuncNode& func, const std::vector<NDArray*>& args) {
  if (args.size() != func.params.size())
    throw UsageError(fmt::format("interpret '{}': expected {} arguments, got {}", func.name, func.params.size(),
                                 args.size()));
  for (size_t k = 0; k < args.size(); ++k) {
    const BufferNode& p = *func.params[k];
    if (!args[k]) throw UsageError(fmt::format("interpret '{}': argument {} for parameter '{}' is null", func.name, k, p.name));
    if (args[k]->dtype() != p.dtype)
      throw UsageError(fmt::format("interpret '{}': argument {} for parameter '{}' has dtype {}, expected {}",
                                   func.name, k, p.name, dtype_name(args[k]->dtype()), dtype_name(p.dtype)));
    if (args[k]->shape() != p.shape)
      throw UsageError(fmt::format("interpret '{}': argument {} for parameter '{}' has shape {}, expected {}",
                                   func.name, k, p.name, shape_text(args[k]->shape()), shape_text(p.shape)));
  }
}

}  // namespace
}  // namespace interp

void interpret(const PrimFunc& func, const std::vector<NDArray*>& args) {
  if (!func) throw UsageError("interpret: null function");
  interp::check_args(*func, args);
  interp::Env env;
  for (size_t k = 0; k < args.size(); ++k) env.add_param(func->params[k].get(), args[k]->data());
  interp::StmtPtr program = interp::compile_stmt(func->body, env);
  program->run();
}

}  // namespace weft::ir
