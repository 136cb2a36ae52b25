// Canonical text of the IR. Grammar (the parser reads exactly this):
//
//   func NAME(A: f32[64, 32], C: f32[64, 16]) {        parameters (scope omitted: global)
//     block root() {
//       alloc T: f32[64, 16] shared                     buffers the block allocates (first)
//       for i in range(64) parallel annotate(k=1) {    kind: serial (omitted) | parallel |
//                                                        vectorized | unrolled | thread(threadIdx.x)
//         block C(vi: spatial(0, 64) = i, vk: reduce(0, 32) = k) where i < 60 {
//           reads(A[vi, vk], B[0:+32, vi])               region dims: min, or min:+extent
//           writes(C[vi])
//           init {
//             C[vi] = f32(0)
//           }
//           C[vi] = C[vi] + A[vi, vk]
//         }
//       }
//     }
//   }
//
// Iterator domains are (min, extent). Immediates: i32 plain (`-3`), other ints
// `i64(3)`, bools `true`/`false`, floats `f32(0.5)`, `f32(-inf)`, `f32(nan)`.
// Expressions print with the fewest parentheses that parse back to the same tree.
#include "ir/printer.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <sstream>
#include <unordered_map>

#include "ir/functor.h"
#include "ir/printer_names.h"

namespace weft::ir {

namespace {

std::string format_double(double v, DType t) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // The shortest decimal that reads back to the same value.
  char buf[40];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof(buf), "%.*g", precision, v);
    if (round_to_dtype(std::strtod(buf, nullptr), t) == v) break;
  }
  return buf;
}

class Printer : public ExprFunctor<void, int>, public StmtFunctor<void> {
 public:
  explicit Printer(const PrintOptions& options) : normalize_(options.normalize_names) {}

  std::string func(const PrimFuncNode& f) {
    out_ << "func " << (normalize_ ? "" : f.name) << "(";
    for (size_t i = 0; i < f.params.size(); ++i) {
      if (i) out_ << ", ";
      buffer_decl(f.params[i]);
    }
    out_ << ") {\n";
    indent_++;
    visit_stmt(f.body);
    indent_--;
    out_ << "}\n";
    return out_.str();
  }

  std::string stmt(const Stmt& s) {
    visit_stmt(s);
    return out_.str();
  }

  std::string expr(const Expr& e) {
    print_expr(e, 0);
    return out_.str();
  }

 private:
  // ---- names ------------------------------------------------------------------
  std::string define(const void* object, const std::string& base, bool is_buffer) {
    auto& table = is_buffer ? buffer_names_ : var_names_;
    if (auto it = table.find(object); it != table.end()) return it->second;
    std::string name;
    if (normalize_) {
      name = (is_buffer ? "b" : "v") + std::to_string(table.size());
    } else {
      auto& used = is_buffer ? used_buffer_names_ : used_var_names_;
      name = is_reserved_word(base) ? base + "_" : base;
      for (int k = 1; used.count(name); ++k) name = base + "_" + std::to_string(k);
      used.insert(name);
    }
    table[object] = name;
    return name;
  }
  std::string var_name(const VarNode* v) { return define(v, v->name, false); }
  std::string buffer_name(const BufferNode* b) { return define(b, b->name, true); }

  void buffer_decl(const Buffer& b) {
    out_ << buffer_name(b.get()) << ": " << dtype_name(b->dtype) << "[";
    for (size_t i = 0; i < b->shape.size(); ++i) out_ << (i ? ", " : "") << b->shape[i];
    out_ << "]";
    if (b->scope != "global") out_ << " " << b->scope;
  }

  void line_start() {
    for (int i = 0; i < indent_; ++i) out_ << "  ";
  }

  // ---- expressions --------------------------------------------------------------
  void print_expr(const Expr& e, int min_precedence) { visit_expr(e, min_precedence); }

  void visit(const VarNode& n, const Expr&, int) override { out_ << var_name(&n); }
  void visit(const IntImmNode& n, const Expr&, int) override {
    if (n.dtype == DType::boolean) out_ << (n.value ? "true" : "false");
    else if (n.dtype == DType::i32) out_ << n.value;
    else out_ << dtype_name(n.dtype) << "(" << n.value << ")";
  }
  void visit(const FloatImmNode& n, const Expr&, int) override {
    out_ << dtype_name(n.dtype) << "(" << format_double(n.value, n.dtype) << ")";
  }
  void visit(const BinaryNode& n, const Expr&, int min_precedence) override {
    int p = binary_op_precedence(n.op);
    if (p == 0) {
      out_ << binary_op_symbol(n.op) << "(";
      print_expr(n.a, 0);
      out_ << ", ";
      print_expr(n.b, 0);
      out_ << ")";
      return;
    }
    bool parens = p < min_precedence;
    if (parens) out_ << "(";
    // Left-associative; comparisons do not chain, so both sides bind tighter there.
    print_expr(n.a, is_comparison(n.op) ? p + 1 : p);
    out_ << " " << binary_op_symbol(n.op) << " ";
    print_expr(n.b, p + 1);
    if (parens) out_ << ")";
  }
  void visit(const NotNode& n, const Expr&, int) override {
    out_ << "!";
    print_expr(n.a, 6);
  }
  void visit(const CastNode& n, const Expr&, int) override {
    out_ << "cast(" << dtype_name(n.dtype) << ", ";
    print_expr(n.value, 0);
    out_ << ")";
  }
  void visit(const SelectNode& n, const Expr&, int) override {
    out_ << "select(";
    print_expr(n.cond, 0);
    out_ << ", ";
    print_expr(n.true_value, 0);
    out_ << ", ";
    print_expr(n.false_value, 0);
    out_ << ")";
  }
  void visit(const CallNode& n, const Expr&, int) override {
    out_ << intrinsic_name(n.func) << "(";
    for (size_t i = 0; i < n.args.size(); ++i) {
      if (i) out_ << ", ";
      print_expr(n.args[i], 0);
    }
    out_ << ")";
  }
  void visit(const BufferLoadNode& n, const Expr&, int) override { indexed(n.buffer, n.indices); }

  void indexed(const Buffer& b, const std::vector<Expr>& indices) {
    out_ << buffer_name(b.get()) << "[";
    for (size_t i = 0; i < indices.size(); ++i) {
      if (i) out_ << ", ";
      print_expr(indices[i], 0);
    }
    out_ << "]";
  }

  void region(const BufferRegion& r) {
    out_ << buffer_name(r.buffer.get()) << "[";
    for (size_t i = 0; i < r.region.size(); ++i) {
      if (i) out_ << ", ";
      const Range& rg = r.region[i];
      print_expr(rg.min, 0);
      int64_t ext;
      if (!(is_const_int(rg.extent, &ext) && ext == 1 && rg.extent.dtype() == rg.min.dtype())) {
        out_ << ":+";
        print_expr(rg.extent, 0);
      }
    }
    out_ << "]";
  }

  void annotations(const Annotations& ann) {
    out_ << "annotate(";
    bool first = true;
    for (const auto& [key, value] : ann) {
      out_ << (first ? "" : ", ") << key << "=";
      first = false;
      if (const auto* i = std::get_if<int64_t>(&value)) {
        out_ << *i;
      } else if (const auto* d = std::get_if<double>(&value)) {
        std::string s = format_double(*d, DType::f64);
        // Keep floats recognisable as floats when read back.
        if (s.find_first_of(".eni") == std::string::npos) s += ".0";
        out_ << s;
      } else {
        out_ << quote(std::get<std::string>(value));
      }
    }
    out_ << ")";
  }

  static std::string quote(const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') q += '\\';
      if (c == '\n') {
        q += "\\n";
        continue;
      }
      q += c;
    }
    return q + "\"";
  }

  // ---- statements -----------------------------------------------------------------
  void visit(const ForNode& n, const Stmt&) override {
    line_start();
    out_ << "for " << var_name(n.loop_var.get());
    if (n.loop_var->dtype != DType::i32) out_ << ": " << dtype_name(n.loop_var->dtype);
    out_ << " in range(";
    print_expr(n.extent, 0);
    out_ << ")";
    if (n.for_kind == ForKind::ThreadBinding) out_ << " thread(" << n.thread_tag << ")";
    else if (n.for_kind != ForKind::Serial) out_ << " " << for_kind_name(n.for_kind);
    if (!n.annotations.empty()) {
      out_ << " ";
      annotations(n.annotations);
    }
    out_ << " {\n";
    body(n.body);
    line_start();
    out_ << "}\n";
  }

  void visit(const BlockRealizeNode& n, const Stmt&) override {
    const BlockNode& b = *n.block;
    line_start();
    out_ << "block " << b.name << "(";
    for (size_t i = 0; i < b.iter_vars.size(); ++i) {
      const IterVar& iv = b.iter_vars[i];
      if (i) out_ << ", ";
      out_ << var_name(iv.var.get()) << ": " << (iv.kind == IterKind::Spatial ? "spatial(" : "reduce(");
      print_expr(iv.dom.min, 0);
      out_ << ", ";
      print_expr(iv.dom.extent, 0);
      if (iv.var->dtype != DType::i32) out_ << ", " << dtype_name(iv.var->dtype);
      out_ << ") = ";
      print_expr(n.iter_values[i], 0);
    }
    out_ << ")";
    if (!is_const_true(n.predicate)) {
      out_ << " where ";
      print_expr(n.predicate, 0);
    }
    out_ << " {\n";
    indent_++;
    for (const Buffer& a : b.alloc_buffers) {
      line_start();
      out_ << "alloc ";
      buffer_decl(a);
      out_ << "\n";
    }
    region_list("reads", b.reads);
    region_list("writes", b.writes);
    if (!b.annotations.empty()) {
      line_start();
      annotations(b.annotations);
      out_ << "\n";
    }
    if (b.init) {
      line_start();
      out_ << "init {\n";
      body(b.init);
      line_start();
      out_ << "}\n";
    }
    visit_stmt(b.body);
    indent_--;
    line_start();
    out_ << "}\n";
  }

  void region_list(const char* keyword, const std::vector<BufferRegion>& regions) {
    if (regions.empty()) return;
    line_start();
    out_ << keyword << "(";
    for (size_t i = 0; i < regions.size(); ++i) {
      if (i) out_ << ", ";
      region(regions[i]);
    }
    out_ << ")\n";
  }

  void visit(const BufferStoreNode& n, const Stmt&) override {
    line_start();
    indexed(n.buffer, n.indices);
    out_ << " = ";
    print_expr(n.value, 0);
    out_ << "\n";
  }

  void visit(const SeqStmtNode& n, const Stmt&) override {
    for (const Stmt& s : n.seq) visit_stmt(s);
  }

  void visit(const IfThenElseNode& n, const Stmt&) override {
    line_start();
    out_ << "if (";
    print_expr(n.cond, 0);
    out_ << ") {\n";
    body(n.then_case);
    line_start();
    out_ << "}";
    if (n.else_case) {
      out_ << " else {\n";
      body(n.else_case);
      line_start();
      out_ << "}";
    }
    out_ << "\n";
  }

  void body(const Stmt& s) {
    indent_++;
    visit_stmt(s);
    indent_--;
  }

  bool normalize_;
  int indent_ = 0;
  std::ostringstream out_;
  std::unordered_map<const void*, std::string> var_names_, buffer_names_;
  std::set<std::string> used_var_names_, used_buffer_names_;
};

}  // namespace

std::string to_text(const PrimFunc& func, const PrintOptions& options) { return Printer(options).func(*func); }
std::string to_text(const Stmt& stmt, const PrintOptions& options) { return Printer(options).stmt(stmt); }
std::string to_text(const Expr& expr, const PrintOptions& options) { return Printer(options).expr(expr); }

}  // namespace weft::ir
