#include "codegen/vector_emitter.h"

#include <algorithm>

#include "codegen/cpp_prelude.h"
#include "ir/access.h"
#include "ir/functor.h"
#include "support/error.h"

namespace weft::codegen {

using namespace ir;

namespace {

constexpr int64_t kMaxUnrolledChunks = 8;

// The loop body taken apart, and the lane analysis of its variables.
struct Plan {
  int64_t extent = 0;
  int lanes = 0;
  const BlockRealizeNode* realize = nullptr;
  const BufferStoreNode* store = nullptr;
  const BufferStoreNode* init = nullptr;
  std::unique_ptr<LaneAnalysis> analysis;
};

// True unless evaluating `e` for a lane that scalar code would skip is proven
// harmless: every load's indices stay inside the buffer and every integer divisor
// stays away from zero while the variables range over `domains`.
bool may_fault(const Expr& e, const VarDomains& domains) {
  struct Finder : IRVisitor {
    explicit Finder(const VarDomains& d) : domains(d) {}
    const VarDomains& domains;
    bool found = false;
    void visit(const BufferLoadNode& n, const Expr& e) override {
      for (size_t d = 0; d < n.indices.size(); ++d)
        if (!Interval::closed(0, n.buffer->shape[d] - 1).contains(bound_of(n.indices[d], domains))) found = true;
      IRVisitor::visit(n, e);
    }
    void visit(const BinaryNode& n, const Expr& e) override {
      if ((n.op == BinaryOp::FloorDiv || n.op == BinaryOp::FloorMod) && bound_of(n.b, domains).contains(0))
        found = true;
      IRVisitor::visit(n, e);
    }
  } f(domains);
  f.visit_expr(e);
  return f.found;
}

// Collects every load and the first speculation that vector code cannot do safely.
struct BodyScan : IRVisitor {
  BodyScan(const LaneAnalysis& a, const VarDomains& d) : lanes(a), domains(d) {}
  const LaneAnalysis& lanes;
  const VarDomains& domains;
  std::vector<const BufferLoadNode*> loads;
  std::string problem;
  void visit(const BufferLoadNode& n, const Expr& e) override {
    loads.push_back(&n);
    IRVisitor::visit(n, e);
  }
  void visit(const SelectNode& n, const Expr& e) override {
    if (problem.empty() && !lanes.invariant(n.cond) &&
        (may_fault(n.true_value, domains) || may_fault(n.false_value, domains)))
      problem = "a select whose condition varies by lane guards a load or an integer division that may fault";
    IRVisitor::visit(n, e);
  }
  void visit(const BinaryNode& n, const Expr& e) override {
    if (problem.empty() && is_logical(n.op) && !lanes.invariant(e) && may_fault(n.b, domains))
      problem = std::string("a lane-varying '") + binary_op_symbol(n.op) +
                "' guards a load or an integer division that may fault";
    IRVisitor::visit(n, e);
  }
};

// Bytes of one lane of the widest value a store computes (f32, f16 and bf16
// compute in float, everything else in 8 bytes); indices do not count.
int widest_value_bytes(const BufferStoreNode& store, const BufferStoreNode* init) {
  struct Widest : IRVisitor {
    int bytes = 4;
    void note(DType t) { bytes = std::max(bytes, t == DType::f32 || t == DType::f16 || t == DType::bf16 ? 4 : 8); }
    void visit(const BufferLoadNode& n, const Expr&) override { note(n.dtype); }  // not its indices
    void visit(const BinaryNode& n, const Expr& e) override {
      if (!is_comparison(n.op) && !is_logical(n.op)) note(n.dtype);
      IRVisitor::visit(n, e);
    }
    void visit(const CastNode& n, const Expr& e) override {
      note(n.dtype);
      IRVisitor::visit(n, e);
    }
    void visit(const CallNode& n, const Expr& e) override {
      note(n.dtype);
      IRVisitor::visit(n, e);
    }
  } w;
  w.note(store.buffer->dtype);
  w.visit_expr(store.value);
  if (init) {
    w.note(init->buffer->dtype);
    w.visit_expr(init->value);
  }
  return w.bytes;
}

bool same_indices(const std::vector<Expr>& a, const std::vector<Expr>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same_expr(a[i], b[i])) return false;
  return true;
}

// Fills `plan`; returns why the loop cannot be vectorised, or "".
std::string make_plan(const ForNode& loop, const VarDomains& outer, const LayoutTable* layouts, Plan* plan) {
  if (!is_const_int(loop.extent, &plan->extent)) return "its extent is not a constant";
  if (plan->extent < 2) return "it has fewer than two lanes";
  const char* kShape = "its body is not a single store or a single block with one store (and an init)";
  if ((plan->realize = loop.body.as<BlockRealizeNode>())) {
    const BlockNode& b = *plan->realize->block;
    if (!b.alloc_buffers.empty()) return "its block allocates buffers";
    plan->store = b.body.as<BufferStoreNode>();
    if (b.init && !(plan->init = b.init.as<BufferStoreNode>())) return kShape;
  } else {
    plan->store = loop.body.as<BufferStoreNode>();
  }
  if (!plan->store) return kShape;

  // As many lanes as fit the widest value the body computes in kVectorBytes.
  int cap = std::min(kMaxVectorLanes, kVectorBytes / widest_value_bytes(*plan->store, plan->init));
  int lanes = 1;
  while (lanes * 2 <= plan->extent && lanes * 2 <= cap) lanes *= 2;
  plan->lanes = lanes;

  plan->analysis = std::make_unique<LaneAnalysis>(loop.loop_var.get());
  LaneAnalysis& lanes_of = *plan->analysis;
  // Block iterators range over their domains: vector code runs only where the
  // predicate holds in every lane.
  VarDomains domains = outer;
  domains[loop.loop_var.get()] = Interval::from_extent(0, plan->extent);
  if (plan->realize)
    for (const IterVar& iv : plan->realize->block->iter_vars) {
      int64_t lo, extent;
      if (is_const_int(iv.dom.min, &lo) && is_const_int(iv.dom.extent, &extent) && extent > 0)
        domains[iv.var.get()] = Interval::from_extent(lo, extent);
    }
  if (plan->realize) {
    const BlockRealizeNode& r = *plan->realize;
    for (size_t i = 0; i < r.iter_values.size(); ++i)
      lanes_of.bind(r.block->iter_vars[i].var.get(), lanes_of.form(r.iter_values[i]));
  }
  const BufferStoreNode& st = *plan->store;
  LaneForm target = lanes_of.form(flat_index(st.buffer, st.indices, layouts));
  if (target.invariant()) return "every lane stores to the same element (a reduction along the vectorized loop)";
  if (plan->init)
    for (const IterVar& iv : plan->realize->block->iter_vars)
      if (iv.kind == IterKind::Reduce && (!lanes_of.invariant(var_expr(iv.var)) || !lanes_of.invariant(iv.dom.min)))
        return "its reduction init would run for some lanes only";
  BodyScan scan(lanes_of, domains);
  scan.visit_stmt(loop.body);  // bindings, predicate, init and body
  if (!scan.problem.empty()) return scan.problem;
  if (plan->init && (plan->init->buffer != st.buffer || !same_indices(plan->init->indices, st.indices)))
    return "its init stores to another element than its body";
  for (const BufferLoadNode* l : scan.loads) {
    if (l->buffer != st.buffer) continue;
    if (!same_indices(l->indices, st.indices))
      return "it reads '" + st.buffer->name + "' at another element than it stores to";
    if (target.kind == LaneForm::Kind::Varying)
      return "it reads and stores '" + st.buffer->name + "' through an index that may repeat across lanes";
  }
  return "";
}

}  // namespace

std::string vectorize_failure(const ForNode& loop, const VarDomains& outer) {
  Plan plan;
  return make_plan(loop, outer, nullptr, &plan);
}

// ---- statements ---------------------------------------------------------------------

void VectorEmitter::emit_scalar_loop(const ForNode& loop, const std::string& from, const std::string& to) {
  std::string v = s_.bind_var(loop.loop_var);
  s_.open("for (int64_t " + v + " = " + from + "; " + v + " < " + to + "; ++" + v + ")");
  s_.stmt(loop.body);
  s_.close();
}

void VectorEmitter::emit(const ForNode& loop) {
  Plan plan;
  std::string why = make_plan(loop, s_.domains(), &s_.layouts(), &plan);
  const std::string& name = loop.loop_var->name;
  if (!why.empty()) {
    s_.line("// vectorized loop '" + name + "' runs as scalar code: " + why);
    emit_scalar_loop(loop, "0", s_.expr(loop.extent));
    return;
  }
  lanes_ = plan.lanes;
  realize_ = plan.realize;
  store_ = plan.store;
  init_ = plan.init;
  analysis_ = std::move(plan.analysis);
  int64_t full = plan.extent / lanes_ * lanes_;
  s_.line("// vectorized loop '" + name + "': " + std::to_string(full / lanes_) + " x " + std::to_string(lanes_) +
          " lanes" + (full < plan.extent ? " + " + std::to_string(plan.extent - full) + " scalar" : ""));
  std::string base = s_.fresh_name(name + "_base");
  // A few chunks are one wide vector: unrolled, each keeps its own registers.
  if (full / lanes_ > 1 && full / lanes_ <= kMaxUnrolledChunks)
    s_.line("#pragma GCC unroll " + std::to_string(full / lanes_));
  s_.open("for (int64_t " + base + " = 0; " + base + " < " + int_literal(full) + "; " + base +
          " += " + std::to_string(lanes_) + ")");
  emit_chunk(loop, base);
  s_.close();
  if (full < plan.extent) emit_scalar_loop(loop, int_literal(full), int_literal(plan.extent));
}

void VectorEmitter::emit_chunk(const ForNode& loop, const std::string& base) {
  std::string i64 = vtype("i64");
  // Scalar names hold lane 0's values; lane-dependent variables also get a vector.
  std::string v = s_.bind_var(loop.loop_var);
  s_.line("const int64_t " + v + " = " + base + ";");
  std::string v_lanes = s_.fresh_name(loop.loop_var->name + "_lanes");
  s_.line("const " + i64 + " " + v_lanes + " = wrt::bcast<" + i64 + ">(" + v + ") + wrt::iota<" + i64 + ">();");
  lane_vectors_[loop.loop_var.get()] = v_lanes;
  if (!realize_) {
    emit_vector_store(*store_);
    return;
  }
  const BlockNode& b = *realize_->block;
  s_.open("");
  s_.line("// block " + b.name);
  s_.declare_iterators(*realize_);
  for (size_t i = 0; i < b.iter_vars.size(); ++i) {
    if (analysis_->invariant(realize_->iter_values[i])) continue;
    std::string name = s_.fresh_name(b.iter_vars[i].var->name + "_lanes");
    s_.line("const " + i64 + " " + name + " = " + as_vector(vec(realize_->iter_values[i]), DType::i64) + ";");
    lane_vectors_[b.iter_vars[i].var.get()] = name;
  }
  const Expr& pred = realize_->predicate;
  if (is_const_true(pred) || s_.guard_dropped(realize_)) {
    emit_vector_body();
  } else if (analysis_->invariant(pred)) {
    s_.open("if (" + s_.expr(pred) + ")");
    emit_vector_body();
    s_.close();
  } else {
    s_.open("if (wrt::all(" + as_mask(vec(pred), 8) + "))");
    emit_vector_body();
    s_.close_open("else");
    s_.line("// some lanes fail the predicate: run the chunk lane by lane");
    emit_scalar_loop(loop, base, base + " + " + std::to_string(lanes_));
    s_.close();
  }
  s_.close();
}

void VectorEmitter::emit_vector_body() {
  if (init_) {
    s_.open("if (" + s_.init_condition(*realize_->block) + ")");
    emit_vector_store(*init_);
    s_.close();
  }
  emit_vector_store(*store_);
}

void VectorEmitter::emit_vector_store(const BufferStoreNode& st) {
  Expr flat = flat_index(st.buffer, st.indices, &s_.layouts());
  std::string data = to_storage(vec(st.value), st.buffer->dtype);
  std::string buf = s_.buffer_name(st.buffer);
  if (analysis_->form(flat).contiguous())
    s_.line("wrt::storeu(" + buf + " + " + s_.expr(flat) + ", " + data + ");");
  else
    s_.line("wrt::scatter(" + buf + ", " + as_vector(vec(flat), DType::i64) + ", " + data + ");");
}

// ---- types and conversions ------------------------------------------------------------

std::string VectorEmitter::vtype(const char* lane) const { return std::string("wrt::") + lane + "x" + std::to_string(lanes_); }
std::string VectorEmitter::compute_vtype(DType t) const { return vtype(compute_lane(t)); }
std::string VectorEmitter::mask_vtype(int bytes) const { return vtype(bytes == 1 ? "i8" : bytes == 4 ? "i32" : "i64"); }

static int lane_bytes(DType t) { return t == DType::f32 || t == DType::f16 || t == DType::bf16 ? 4 : 8; }

std::string VectorEmitter::as_vector(const Value& v, DType t) {
  if (v.vector) return v.code;
  return "wrt::bcast<" + compute_vtype(t) + ">(" + v.code + ")";
}

std::string VectorEmitter::as_mask(const Value& v, int bytes) {
  if (!v.vector) return "wrt::bcast<" + mask_vtype(bytes) + ">((" + v.code + ") ? -1 : 0)";
  if (v.mask_bytes == bytes) return v.code;
  return "__builtin_convertvector(" + v.code + ", " + mask_vtype(bytes) + ")";
}

std::string VectorEmitter::to_storage(const Value& v, DType t) {
  std::string u16 = vtype("u16");
  switch (t) {
    case DType::f16: return "wrt::vf32_to_f16<" + u16 + ">(" + as_vector(v, t) + ")";
    case DType::bf16: return "wrt::vf32_to_bf16<" + u16 + ">(" + as_vector(v, t) + ")";
    case DType::i32: return "__builtin_convertvector(" + as_vector(v, t) + ", " + vtype("i32") + ")";
    case DType::i8: return "__builtin_convertvector(" + as_vector(v, t) + ", " + vtype("i8") + ")";
    case DType::boolean: return "__builtin_convertvector(-" + as_mask(v, 1) + ", " + vtype("u8") + ")";
    default: return as_vector(v, t);
  }
}

// ---- expressions ----------------------------------------------------------------------

VectorEmitter::Value VectorEmitter::vec(const Expr& e) {
  if (analysis_->invariant(e)) return {s_.expr(e), false, e.dtype(), 0};
  auto vector = [&](std::string code) { return Value{std::move(code), true, e.dtype(), 0}; };
  switch (e.kind()) {
    case ExprKind::Var: {
      auto it = lane_vectors_.find(e.as<VarNode>());
      if (it == lane_vectors_.end()) throw InternalError("codegen: lane-dependent variable without a lane vector");
      return vector(it->second);
    }
    case ExprKind::Binary: return vec_binary(*e.as<BinaryNode>());
    case ExprKind::Not: {
      Value a = vec(e.as<NotNode>()->a);
      return {"(~" + a.code + ")", true, DType::boolean, a.mask_bytes};
    }
    case ExprKind::Cast: return vec_cast(*e.as<CastNode>());
    case ExprKind::Select: return vec_select(*e.as<SelectNode>());
    case ExprKind::Call: {
      const auto* n = e.as<CallNode>();
      std::vector<std::string> args;
      for (const Expr& a : n->args) args.push_back(as_vector(vec(a), e.dtype()));
      if (n->func == Intrinsic::pow) return vector("wrt::vpow(" + args[0] + ", " + args[1] + ")");
      return vector(std::string("wrt::v") + intrinsic_name(n->func) + "<" + compute_vtype(e.dtype()) + ">(" + args[0] + ")");
    }
    case ExprKind::BufferLoad: return vec_load(*e.as<BufferLoadNode>());
    case ExprKind::IntImm:
    case ExprKind::FloatImm: break;  // always invariant
  }
  throw InternalError("codegen: unexpected lane-dependent expression");
}

VectorEmitter::Value VectorEmitter::vec_binary(const BinaryNode& n) {
  Value a = vec(n.a), b = vec(n.b);
  DType t = n.a.dtype();
  std::string sym = binary_op_symbol(n.op);
  if (is_logical(n.op)) {
    int bytes = a.vector ? a.mask_bytes : b.mask_bytes;
    return {"(" + as_mask(a, bytes) + (n.op == BinaryOp::And ? " & " : " | ") + as_mask(b, bytes) + ")", true,
            DType::boolean, bytes};
  }
  if (is_comparison(n.op)) {
    if (t == DType::boolean) return {"(" + as_mask(a, 8) + " " + sym + " " + as_mask(b, 8) + ")", true, DType::boolean, 8};
    return {"(" + as_vector(a, t) + " " + sym + " " + as_vector(b, t) + ")", true, DType::boolean, lane_bytes(t)};
  }
  std::string x = as_vector(a, t), y = as_vector(b, t), code;
  switch (n.op) {
    case BinaryOp::FloorDiv: code = "wrt::vfloordiv(" + x + ", " + y + ")"; break;
    case BinaryOp::FloorMod: code = "wrt::vfloormod(" + x + ", " + y + ")"; break;
    case BinaryOp::Min: code = "wrt::vmin(" + x + ", " + y + ")"; break;
    case BinaryOp::Max: code = "wrt::vmax(" + x + ", " + y + ")"; break;
    default: code = "(" + x + " " + sym + " " + y + ")";
  }
  if (t == DType::i8)  // i8 arithmetic wraps, as in scalar code
    code = "__builtin_convertvector(__builtin_convertvector(" + code + ", " + vtype("i8") + "), " + vtype("i64") + ")";
  return {code, true, t, 0};
}

VectorEmitter::Value VectorEmitter::vec_cast(const CastNode& n) {
  Value x = vec(n.value);
  DType from = n.value.dtype(), to = n.dtype;
  if (from == to) return x;
  std::string i64 = vtype("i64"), f32 = vtype("f32");
  if (to == DType::boolean)
    return {"(" + x.code + " != wrt::bcast<" + compute_vtype(from) + ">(0))", true, to, lane_bytes(from)};
  std::string code = x.code;
  if (from == DType::boolean) {
    code = "(-" + as_mask(x, 8) + ")";  // 0 / 1 as i64
    from = DType::i64;
  }
  auto convert = [&](const std::string& c, DType t) {
    return compute_lane(from) == compute_lane(t) ? c : "__builtin_convertvector(" + c + ", " + compute_vtype(t) + ")";
  };
  switch (to) {
    case DType::f64:
    case DType::f32: return {convert(code, to), true, to, 0};
    case DType::f16:  // from f64 rounds directly, like the scalar helper
      return {"wrt::vround_f16<" + f32 + ">(" + (from == DType::f64 ? code : convert(code, DType::f32)) + ")", true, to, 0};
    case DType::bf16: return {"wrt::vround_bf16<" + f32 + ">(" + convert(code, DType::f32) + ")", true, to, 0};
    default: break;
  }
  std::string i = is_float(from) ? "wrt::vf2i<" + i64 + ">(" + code + ")" : code;
  const char* narrow = to == DType::i32 && from != DType::i8 ? "i32" : to == DType::i8 ? "i8" : nullptr;
  if (narrow) i = "__builtin_convertvector(__builtin_convertvector(" + i + ", " + vtype(narrow) + "), " + i64 + ")";
  return {i, true, to, 0};
}

VectorEmitter::Value VectorEmitter::vec_select(const SelectNode& n) {
  Value c = vec(n.cond), t = vec(n.true_value), f = vec(n.false_value);
  DType d = n.dtype;
  if (d == DType::boolean) {
    int bytes = t.vector ? t.mask_bytes : f.vector ? f.mask_bytes : 8;
    std::string x = as_mask(t, bytes), y = as_mask(f, bytes);
    if (!c.vector) return {"(" + c.code + " ? " + x + " : " + y + ")", true, d, bytes};
    std::string m = as_mask(c, bytes);
    return {"((" + m + " & " + x + ") | (~" + m + " & " + y + "))", true, d, bytes};
  }
  std::string x = as_vector(t, d), y = as_vector(f, d);
  std::string cond = c.vector ? as_mask(c, lane_bytes(d)) : c.code;
  return {"(" + cond + " ? " + x + " : " + y + ")", true, d, 0};
}

VectorEmitter::Value VectorEmitter::vec_load(const BufferLoadNode& n) {
  Expr flat = flat_index(n.buffer, n.indices, &s_.layouts());
  DType t = n.dtype;
  std::string st = vtype(storage_lane(t)), buf = s_.buffer_name(n.buffer), raw;
  if (analysis_->form(flat).contiguous())
    raw = "wrt::loadu<" + st + ">(" + buf + " + " + s_.expr(flat) + ")";
  else
    raw = "wrt::gather<" + st + ">(" + buf + ", " + as_vector(vec(flat), DType::i64) + ")";
  switch (t) {
    case DType::f16: return {"wrt::vf16_to_f32<" + compute_vtype(t) + ">(" + raw + ")", true, t, 0};
    case DType::bf16: return {"wrt::vbf16_to_f32<" + compute_vtype(t) + ">(" + raw + ")", true, t, 0};
    case DType::boolean: return {"(" + raw + " != wrt::bcast<" + st + ">(0))", true, t, 1};
    case DType::i32:
    case DType::i8: return {"__builtin_convertvector(" + raw + ", " + compute_vtype(t) + ")", true, t, 0};
    default: return {raw, true, t, 0};
  }
}

}  // namespace weft::codegen
