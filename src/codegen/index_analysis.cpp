#include "codegen/index_analysis.h"

#include "ir/access.h"

#include "support/error.h"

namespace weft::codegen {

using namespace ir;

Expr flat_index(const Buffer& buffer, const std::vector<Expr>& indices, const LayoutTable* layouts) {
  if (static_cast<int>(indices.size()) != buffer->ndim())
    throw InternalError("codegen: access to '" + buffer->name + "' has the wrong number of indices");
  const BufferLayout* layout = nullptr;
  if (layouts)
    if (auto it = layouts->find(buffer.get()); it != layouts->end()) layout = &it->second;
  Expr flat;
  int64_t stride = 1;
  for (int d = buffer->ndim() - 1; d >= 0; --d) {
    if (layout) stride = layout->strides[d];
    Expr i = indices[d].dtype() == DType::i64 ? indices[d] : cast(DType::i64, indices[d]);
    Expr term;
    if (layout && layout->blocked_axis == d) {
      Expr block = int_imm(layout->block, DType::i64);
      term = floordiv(i, block) * int_imm(stride, DType::i64) + floormod(i, block);
    } else {
      term = stride == 1 ? i : i * int_imm(stride, DType::i64);
    }
    flat = flat ? term + flat : term;
    stride *= buffer->shape[d];
  }
  return flat ? flat : int_imm(0, DType::i64);
}

LaneAnalysis::LaneAnalysis(const VarNode* lane_var) { vars_[lane_var] = {LaneForm::Kind::Linear, 1}; }

LaneForm LaneAnalysis::form(const Expr& e) const {
  auto it = cache_.find(e.get());
  if (it != cache_.end()) return it->second.second;
  LaneForm f = compute(e);
  cache_.emplace(e.get(), std::make_pair(e, f));
  return f;
}

static LaneForm linear(int64_t stride) {
  if (stride == 0) return {};
  return {LaneForm::Kind::Linear, stride};
}

static const LaneForm kVarying{LaneForm::Kind::Varying, 0};

LaneForm LaneAnalysis::compute(const Expr& e) const {
  auto all_invariant = [&](std::initializer_list<Expr> children) {
    for (const Expr& c : children)
      if (!form(c).invariant()) return kVarying;
    return LaneForm{};
  };
  switch (e.kind()) {
    case ExprKind::IntImm:
    case ExprKind::FloatImm: return {};
    case ExprKind::Var: {
      auto it = vars_.find(e.as<VarNode>());
      return it == vars_.end() ? LaneForm{} : it->second;
    }
    case ExprKind::Binary: {
      const auto* n = e.as<BinaryNode>();
      LaneForm a = form(n->a), b = form(n->b);
      if (a.invariant() && b.invariant()) return {};
      // Only integer add, subtract and multiply-by-constant keep a constant stride.
      if (!is_int(e.dtype()) || a.kind == LaneForm::Kind::Varying || b.kind == LaneForm::Kind::Varying)
        return kVarying;
      int64_t c;
      switch (n->op) {
        case BinaryOp::Add: return linear(a.stride + b.stride);
        case BinaryOp::Sub: return linear(a.stride - b.stride);
        case BinaryOp::Mul:
          if (a.invariant() && is_const_int(n->a, &c)) return linear(b.stride * c);
          if (b.invariant() && is_const_int(n->b, &c)) return linear(a.stride * c);
          return kVarying;
        default: return kVarying;
      }
    }
    case ExprKind::Cast: {
      const auto* n = e.as<CastNode>();
      LaneForm v = form(n->value);
      // Widening or same-width integer casts keep the stride (values are indices).
      if (v.kind == LaneForm::Kind::Linear && is_int(n->value.dtype()) &&
          (e.dtype() == DType::i64 || e.dtype() == n->value.dtype()))
        return v;
      return v.invariant() ? LaneForm{} : kVarying;
    }
    case ExprKind::Not: return all_invariant({e.as<NotNode>()->a});
    case ExprKind::Select: {
      const auto* n = e.as<SelectNode>();
      return all_invariant({n->cond, n->true_value, n->false_value});
    }
    case ExprKind::Call:
      for (const Expr& a : e.as<CallNode>()->args)
        if (!form(a).invariant()) return kVarying;
      return {};
    case ExprKind::BufferLoad:
      for (const Expr& i : e.as<BufferLoadNode>()->indices)
        if (!form(i).invariant()) return kVarying;
      return {};
  }
  return kVarying;
}

}  // namespace weft::codegen
