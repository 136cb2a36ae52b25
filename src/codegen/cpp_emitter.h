// PrimFunc -> C++ source for the CPU backend.
//
// Each function becomes `extern "C" int <symbol>(void** args)`: args[i] points at
// the data of parameter i (element layout as in codegen/c_names.h); it returns 0.
// Buffers are `T* __restrict__` with flattened row-major int64 indexing. Loops:
// serial -> for; parallel -> `#pragma omp parallel for` on the outermost parallel
// loop of a nest only (a parallel loop inside a parallel region runs serially,
// OpenMP would otherwise start a nested team per iteration); unrolled -> `#pragma
// GCC unroll`; vectorized -> GCC vector extensions (see vector_emitter.h).
// Thread-bound loops are rejected with a BuildError. Blocks declare their
// iterators as `const int64_t`, test their predicate, run `init` when every
// reduction iterator is at its domain minimum, and allocate their buffers on the
// stack (small) or the heap (large) for the block's scope. Before emission,
// emit_cpp runs buffer compaction (compact_buffers.h), and storage_align and
// storage_block annotations lay out the buffers they name (storage_layout.h).
#pragma once

#include <unordered_set>

#include <string>
#include <utility>
#include <vector>

#include "codegen/c_names.h"
#include "codegen/guard_partition.h"
#include "codegen/storage_layout.h"
#include "ir/functor.h"
#include "ir/interval.h"
#include "ir/stmt.h"

namespace weft::codegen {

// One function; the translation unit must start with cpp_prelude(). `symbol` must
// be an identifier and not a C++ keyword (BuildError otherwise).
std::string emit_cpp(const ir::PrimFunc& func, const std::string& symbol);

// The prelude followed by every function, each under its symbol name.
std::string emit_cpp_module(const std::vector<std::pair<std::string, ir::PrimFunc>>& funcs);

// Checks that `symbol` can name an extern "C" function in generated code.
void check_symbol_name(const std::string& symbol);

// Buffers up to this many bytes that blocks allocate live on the stack.
constexpr int64_t kMaxStackAllocBytes = 16 * 1024;

// The scalar emitter. The vector emitter drives it for lane-0 values, scalar
// fallbacks and the statements around a vector body.
class CppEmitter : public ir::ExprFunctor<std::string>, public ir::StmtFunctor<void> {
 public:
  // `func` is emitted as given (emit_cpp compacts buffers first); its
  // storage_align and storage_block annotations decide the layouts of the buffers they name.
  explicit CppEmitter(const ir::PrimFunc& func);
  std::string emit_function(const std::string& symbol);

  // A C++ expression of the value's compute type (see compute_type()).
  std::string expr(const ir::Expr& e) { return visit_expr(e); }
  void stmt(const ir::Stmt& s) { visit_stmt(s); }
  // Element pointer arithmetic base for `buffer`.
  std::string buffer_name(const ir::Buffer& buffer);
  // Declares a loop or block variable and returns its C++ name.
  std::string bind_var(const ir::Var& var) { return names_.bind(var.get(), "v_", var->name); }
  // Declares a buffer (parameter or allocation) and returns its C++ name.
  std::string bind_buffer(const ir::Buffer& buffer) { return names_.bind(buffer.get(), "b_", buffer->name); }
  // `const int64_t v = binding;` for every iterator, then the bound names' order.
  void declare_iterators(const ir::BlockRealizeNode& realize);
  // The condition under which a block runs its init ("" when it has none).
  std::string init_condition(const ir::BlockNode& block);
  std::string fresh_name(const std::string& base) { return names_.fresh(base); }
  const std::string& function_name() const { return func_->name; }
  // Ranges of the enclosing loop variables (constant extents) and block iterators
  // (constant domains), for proving vector code's speculative accesses safe.
  const ir::VarDomains& domains() const { return domains_; }
  // Layouts of aligned and blocked buffers (storage_layout.h).
  const LayoutTable& layouts() const { return layouts_; }
  // Whether the block's predicate is known to hold where it is being emitted
  // (the unguarded part of a partitioned loop, guard_partition.h).
  bool guard_dropped(const ir::BlockRealizeNode* realize) const { return dropped_guards_.count(realize) != 0; }

  void line(const std::string& text);
  void open(const std::string& head);  // `head {` and indent
  void close();                         // dedent and `}`
  void close_open(const std::string& text);  // `} text {`

 protected:
  // For emitters of other targets built on this one (cuda_emitter.h).
  std::string take_output() { return std::move(out_); }
  void set_indent(int indent) { indent_ = indent; }

  std::string visit(const ir::VarNode& n, const ir::Expr&) override;
  std::string visit(const ir::IntImmNode& n, const ir::Expr&) override;
  std::string visit(const ir::FloatImmNode& n, const ir::Expr&) override;
  std::string visit(const ir::BinaryNode& n, const ir::Expr&) override;
  std::string visit(const ir::NotNode& n, const ir::Expr&) override;
  std::string visit(const ir::CastNode& n, const ir::Expr&) override;
  std::string visit(const ir::SelectNode& n, const ir::Expr&) override;
  std::string visit(const ir::CallNode& n, const ir::Expr&) override;
  std::string visit(const ir::BufferLoadNode& n, const ir::Expr&) override;
  void visit(const ir::ForNode& n, const ir::Stmt&) override;
  void visit(const ir::BlockRealizeNode& n, const ir::Stmt&) override;
  void visit(const ir::BufferStoreNode& n, const ir::Stmt&) override;
  void visit(const ir::SeqStmtNode& n, const ir::Stmt&) override;
  void visit(const ir::IfThenElseNode& n, const ir::Stmt&) override;

 private:
  void declare_allocs(const ir::BlockNode& block);
  void emit_block_body(const ir::BlockNode& block);
  void emit_partitioned_loop(const ir::ForNode& n, int64_t trip, const GuardPartition& partition);

  ir::PrimFunc func_;
  NameTable names_;
  std::string out_;
  int indent_ = 1;
  int parallel_depth_ = 0;  // enclosing `omp parallel for` loops
  ir::VarDomains domains_;
  LayoutTable layouts_;
  std::unordered_set<const ir::ForNode*> unrolled_;  // unrolled loops that get the pragma
  RealizeSet dropped_guards_;  // predicates that hold in the code being emitted
  int guarded_part_depth_ = 0;  // enclosing guarded parts of partitioned loops
};

// C++ literals.
std::string int_literal(int64_t v);
std::string float_literal(double v, ir::DType t);
// Conversions between storage and compute representations of one element.
std::string load_conversion(ir::DType t, const std::string& stored);
std::string store_conversion(ir::DType t, const std::string& value);
// `value` (compute type of `from`) converted as the IR's cast to `to`.
std::string cast_code(ir::DType to, ir::DType from, const std::string& value);

}  // namespace weft::codegen
