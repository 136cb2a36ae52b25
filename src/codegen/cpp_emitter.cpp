#include "codegen/cpp_emitter.h"

#include <cmath>
#include <cstdio>

#include "codegen/compact_buffers.h"
#include "codegen/cpp_prelude.h"
#include "codegen/index_analysis.h"
#include "codegen/unroll_budget.h"
#include "codegen/vector_emitter.h"
#include "support/error.h"

namespace weft::codegen {

using namespace ir;

// ---- literals and conversions ------------------------------------------------------

std::string int_literal(int64_t v) {
  if (v == INT64_MIN) return "(-9223372036854775807L - 1)";
  if (v < 0) return "(" + std::to_string(v) + "L)";
  return std::to_string(v) + "L";
}

std::string float_literal(double v, DType t) {
  bool f32 = t != DType::f64;  // f16/bf16 values are computed in float
  if (std::isnan(v)) return f32 ? "__builtin_nanf(\"\")" : "__builtin_nan(\"\")";
  if (std::isinf(v)) {
    std::string inf = f32 ? "__builtin_inff()" : "__builtin_inf()";
    return v < 0 ? "(-" + inf + ")" : inf;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%a%s", v, f32 ? "f" : "");  // hex floats are exact
  return std::signbit(v) ? "(" + std::string(buf) + ")" : std::string(buf);
}

std::string load_conversion(DType t, const std::string& stored) {
  switch (t) {
    case DType::f16: return "wrt::f16_to_f32(" + stored + ")";
    case DType::bf16: return "wrt::bf16_to_f32(" + stored + ")";
    case DType::boolean: return "(" + stored + " != 0)";
    case DType::i32:
    case DType::i8: return "(int64_t)" + stored;
    default: return stored;
  }
}

std::string store_conversion(DType t, const std::string& value) {
  switch (t) {
    case DType::f16: return "wrt::f32_to_f16(" + value + ")";
    case DType::bf16: return "wrt::f32_to_bf16(" + value + ")";
    case DType::boolean: return "(uint8_t)(" + value + ")";
    case DType::i32: return "(int32_t)(" + value + ")";
    case DType::i8: return "(int8_t)(" + value + ")";
    default: return value;
  }
}

std::string cast_code(DType to, DType from, const std::string& v) {
  if (to == from) return v;
  switch (to) {
    case DType::f64: return "(double)(" + v + ")";
    case DType::f32: return "(float)(" + v + ")";
    case DType::f16: return from == DType::f64 ? "wrt::round_f16(" + v + ")" : "wrt::round_f16((float)(" + v + "))";
    case DType::bf16: return "wrt::round_bf16((float)(" + v + "))";
    case DType::boolean: return "((" + v + ") != 0)";
    case DType::i64:
    case DType::i32:
    case DType::i8: {
      // Integers are already computed in int64_t.
      std::string i = is_float(from) ? "wrt::f2i(" + v + ")" : is_int(from) ? v : "(int64_t)(" + v + ")";
      if (to == DType::i32 && from != DType::i8 && from != DType::boolean) return "wrt::wrap_i32(" + i + ")";
      if (to == DType::i8 && from != DType::boolean) return "wrt::wrap_i8(" + i + ")";
      return i;
    }
  }
  return v;
}

CppEmitter::CppEmitter(const PrimFunc& func)
    : func_(func), layouts_(storage_layouts(func)), unrolled_(loops_to_unroll(func->body)) {}

void check_symbol_name(const std::string& symbol) {
  if (!is_identifier(symbol) || is_cpp_keyword(symbol) || symbol == "wrt" || symbol == "main")
    throw BuildError("'" + symbol + "' cannot name a generated function (it must be an identifier, not a C++ keyword)");
}

// ---- output ------------------------------------------------------------------------

void CppEmitter::line(const std::string& text) {
  out_.append(2 * indent_, ' ');
  out_ += text;
  out_ += '\n';
}

void CppEmitter::open(const std::string& head) {
  line(head.empty() ? "{" : head + " {");
  ++indent_;
}

void CppEmitter::close() {
  --indent_;
  line("}");
}

void CppEmitter::close_open(const std::string& text) {
  --indent_;
  line("} " + text + " {");
  ++indent_;
}

// ---- expressions --------------------------------------------------------------------

std::string CppEmitter::visit(const VarNode& n, const Expr&) {
  if (!names_.has(&n))
    throw BuildError("function '" + func_->name + "' uses variable '" + n.name + "' outside the loop or block defining it");
  return names_.at(&n);
}

std::string CppEmitter::visit(const IntImmNode& n, const Expr&) {
  if (n.dtype == DType::boolean) return n.value ? "true" : "false";
  return int_literal(n.value);
}

std::string CppEmitter::visit(const FloatImmNode& n, const Expr&) { return float_literal(n.value, n.dtype); }

std::string CppEmitter::visit(const BinaryNode& n, const Expr&) {
  std::string a = expr(n.a), b = expr(n.b);
  // A dividend known to be >= 0 over a positive constant: C's / and % are floor
  // division, and plain operators let the compiler fold repeated index arithmetic
  // (the digits of a fused parallel loop in a compacted buffer's index), which the
  // branches of wrt::floordiv stop.
  int64_t divisor = 0;
  if ((n.op == BinaryOp::FloorDiv || n.op == BinaryOp::FloorMod) && n.dtype != DType::i8 &&
      is_const_int(n.b, &divisor) && divisor > 0 && bound_of(n.a, domains_).min >= 0)
    return "(" + a + (n.op == BinaryOp::FloorDiv ? " / " : " % ") + b + ")";
  switch (n.op) {
    case BinaryOp::FloorDiv: return "wrt::floordiv(" + a + ", " + b + ")";
    case BinaryOp::FloorMod: return "wrt::floormod(" + a + ", " + b + ")";
    case BinaryOp::Min: return "wrt::min(" + a + ", " + b + ")";
    case BinaryOp::Max: return "wrt::max(" + a + ", " + b + ")";
    default: break;
  }
  std::string r = "(" + a + " " + binary_op_symbol(n.op) + " " + b + ")";
  // i8 arithmetic wraps like the stored type; i32 and i64 are computed in 64 bits.
  if (n.dtype == DType::i8) return "wrt::wrap_i8" + r;
  return r;
}

std::string CppEmitter::visit(const NotNode& n, const Expr&) { return "(!" + expr(n.a) + ")"; }

std::string CppEmitter::visit(const CastNode& n, const Expr&) {
  return cast_code(n.dtype, n.value.dtype(), expr(n.value));
}

std::string CppEmitter::visit(const SelectNode& n, const Expr&) {
  return "(" + expr(n.cond) + " ? " + expr(n.true_value) + " : " + expr(n.false_value) + ")";
}

std::string CppEmitter::visit(const CallNode& n, const Expr&) {
  std::string r = std::string("wrt::") + intrinsic_name(n.func) + "(";
  for (size_t i = 0; i < n.args.size(); ++i) r += (i ? ", " : "") + expr(n.args[i]);
  return r + ")";
}

std::string CppEmitter::visit(const BufferLoadNode& n, const Expr&) {
  return load_conversion(n.dtype, buffer_name(n.buffer) + "[" + expr(flat_index(n.buffer, n.indices, &layouts_)) + "]");
}

std::string CppEmitter::buffer_name(const Buffer& buffer) {
  if (!names_.has(buffer.get()))
    throw BuildError("function '" + func_->name + "' accesses buffer '" + buffer->name +
                     "', which is neither a parameter nor allocated by an enclosing block");
  return names_.at(buffer.get());
}

// ---- statements ---------------------------------------------------------------------

void CppEmitter::visit(const ForNode& n, const Stmt&) {
  if (n.for_kind == ForKind::ThreadBinding)
    throw BuildError("function '" + func_->name + "': loop '" + n.loop_var->name + "' is bound to " + n.thread_tag +
                     "; thread-bound loops need a GPU target and cannot be compiled for the CPU");
  if (n.for_kind == ForKind::Vectorized) {
    VectorEmitter(*this).emit(n);
    return;
  }
  int64_t trip;
  // Partitioned once: nested partitions inside a guarded part would multiply the code.
  if (n.for_kind == ForKind::Serial && guarded_part_depth_ == 0 && is_const_int(n.extent, &trip))
    if (auto partition = partition_guards(n, dropped_guards_)) {
      emit_partitioned_loop(n, trip, *partition);
      return;
    }
  std::string extent = expr(n.extent);
  std::string v = bind_var(n.loop_var);
  bool parallel = n.for_kind == ForKind::Parallel && parallel_depth_ == 0;
  if (n.for_kind == ForKind::Parallel && !parallel)
    line("// parallel loop '" + n.loop_var->name + "' is inside a parallel region: runs serially");
  if (parallel) line("#pragma omp parallel for schedule(static)");
  if (n.for_kind == ForKind::Unrolled && is_const_int(n.extent, &trip) && trip > 0) {
    if (unrolled_.count(&n))
      line("#pragma GCC unroll " + std::to_string(std::min<int64_t>(trip, 65534)));
    else
      line("// unrolled loop '" + n.loop_var->name + "' stays a loop: nested unrolling would exceed " +
           std::to_string(kMaxUnrolledCopies) + " copies (codegen/unroll_budget.h)");
  }
  open("for (int64_t " + v + " = 0; " + v + " < " + extent + "; ++" + v + ")");
  parallel_depth_ += parallel;
  if (is_const_int(n.extent, &trip) && trip > 0) domains_[n.loop_var.get()] = Interval::from_extent(0, trip);
  stmt(n.body);
  domains_.erase(n.loop_var.get());
  parallel_depth_ -= parallel;
  close();
}

void CppEmitter::emit_partitioned_loop(const ForNode& n, int64_t trip, const GuardPartition& partition) {
  std::string split = names_.fresh(n.loop_var->name + "_unguarded");
  line("// '" + n.loop_var->name + "' < " + split + ": the guards of " + std::to_string(partition.dropped.size()) +
       " block(s) below hold (codegen/guard_partition.h)");
  line("const int64_t " + split + " = " + expr(partition.split) + ";");
  std::string v = bind_var(n.loop_var);
  domains_[n.loop_var.get()] = Interval::from_extent(0, trip);
  RealizeSet added;
  for (const BlockRealizeNode* r : partition.dropped)
    if (dropped_guards_.insert(r).second) added.insert(r);
  open("for (int64_t " + v + " = 0; " + v + " < " + split + "; ++" + v + ")");
  stmt(n.body);
  close();
  for (const BlockRealizeNode* r : added) dropped_guards_.erase(r);
  ++guarded_part_depth_;
  open("for (int64_t " + v + " = " + split + "; " + v + " < " + int_literal(trip) + "; ++" + v + ")");
  stmt(n.body);
  close();
  --guarded_part_depth_;
  domains_.erase(n.loop_var.get());
}

void CppEmitter::declare_iterators(const BlockRealizeNode& realize) {
  const BlockNode& b = *realize.block;
  // Bindings are read before any iterator is declared: they refer to outer variables.
  std::vector<std::string> values;
  for (const Expr& v : realize.iter_values) values.push_back(expr(v));
  for (size_t i = 0; i < values.size(); ++i) {
    const IterVar& iv = b.iter_vars[i];
    line("const int64_t " + bind_var(iv.var) + " = " + values[i] + ";");
    int64_t lo, extent;
    if (is_const_int(iv.dom.min, &lo) && is_const_int(iv.dom.extent, &extent) && extent > 0)
      domains_[iv.var.get()] = Interval::from_extent(lo, extent);
  }
}

std::string CppEmitter::init_condition(const BlockNode& b) {
  if (!b.init) return "";
  std::string cond;
  for (const IterVar& iv : b.iter_vars)
    if (iv.kind == IterKind::Reduce)
      cond += (cond.empty() ? "" : " && ") + names_.at(iv.var.get()) + " == " + expr(iv.dom.min);
  return cond;
}

void CppEmitter::declare_allocs(const BlockNode& b) {
  for (const Buffer& buf : b.alloc_buffers) {
    std::string name = names_.bind(buf.get(), "b_", buf->name);
    std::string type = storage_type(buf->dtype);
    int64_t elements = allocated_elements(buf, layouts_);
    std::string n = std::to_string(elements);
    if (elements * dtype_bytes(buf->dtype) <= kMaxStackAllocBytes) {
      line("alignas(64) " + type + " " + name + "[" + n + "];");
    } else {
      std::string holder = names_.fresh(buf->name + "_heap");
      line("wrt::heap_array<" + type + "> " + holder + "(" + n + ", \"" + buf->name + "\");");
      line(type + "* __restrict__ " + name + " = " + holder + ".ptr;");
    }
  }
}

void CppEmitter::emit_block_body(const BlockNode& b) {
  declare_allocs(b);
  std::string init_cond = init_condition(b);
  if (b.init) {
    open("if (" + init_cond + ")");
    stmt(b.init);
    close();
  }
  stmt(b.body);
}

void CppEmitter::visit(const BlockRealizeNode& n, const Stmt&) {
  const BlockNode& b = *n.block;
  open("");
  line("// block " + b.name);
  declare_iterators(n);
  bool guarded = !is_const_true(n.predicate) && !guard_dropped(&n);
  if (guarded) open("if (" + expr(n.predicate) + ")");
  emit_block_body(b);
  if (guarded) close();
  close();
}

void CppEmitter::visit(const BufferStoreNode& n, const Stmt&) {
  std::string value = store_conversion(n.buffer->dtype, expr(n.value));
  line(buffer_name(n.buffer) + "[" + expr(flat_index(n.buffer, n.indices, &layouts_)) + "] = " + value + ";");
}

void CppEmitter::visit(const SeqStmtNode& n, const Stmt&) {
  for (const Stmt& s : n.seq) stmt(s);
}

void CppEmitter::visit(const IfThenElseNode& n, const Stmt&) {
  open("if (" + expr(n.cond) + ")");
  stmt(n.then_case);
  if (n.else_case) {
    close_open("else");
    stmt(n.else_case);
  }
  close();
}

// ---- functions ----------------------------------------------------------------------

std::string CppEmitter::emit_function(const std::string& symbol) {
  check_symbol_name(symbol);
  out_.clear();
  std::string signature = "// " + func_->name + "(";
  for (size_t i = 0; i < func_->params.size(); ++i) {
    const Buffer& p = func_->params[i];
    signature += (i ? ", " : "") + p->name + ": " + std::string(dtype_name(p->dtype)) + "[";
    for (int d = 0; d < p->ndim(); ++d) signature += (d ? ", " : "") + std::to_string(p->shape[d]);
    signature += "]";
  }
  indent_ = 0;
  line(signature + ")");
  open("extern \"C\" int " + symbol + "(void** args)");
  for (size_t i = 0; i < func_->params.size(); ++i) {
    const Buffer& p = func_->params[i];
    std::string type = storage_type(p->dtype);
    line(type + "* __restrict__ " + names_.bind(p.get(), "b_", p->name) + " = static_cast<" + type + "*>(args[" +
         std::to_string(i) + "]);");
  }
  emit_block_body(func_->root_block());
  line("return 0;");
  close();
  line("");
  return std::move(out_);
}

std::string emit_cpp(const PrimFunc& func, const std::string& symbol) {
  if (!func) throw UsageError("emit_cpp: null function");
  // Lowering before emission: cache stages shrink to the tiles they hold.
  return CppEmitter(compact_buffers(func)).emit_function(symbol);
}

std::string emit_cpp_module(const std::vector<std::pair<std::string, PrimFunc>>& funcs) {
  std::string out = cpp_prelude();
  for (const auto& [symbol, func] : funcs) out += emit_cpp(func, symbol);
  return out;
}

}  // namespace weft::codegen
