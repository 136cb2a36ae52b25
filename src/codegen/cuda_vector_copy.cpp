#include "codegen/cuda_vector_copy.h"

#include "codegen/index_analysis.h"
#include "ir/expr_order.h"
#include "ir/linear_form.h"
#include "ir/substitute.h"

namespace weft::codegen {

using namespace ir;

namespace {

struct CopyShape {
  const BlockRealizeNode* realize = nullptr;  // null: the body is the store itself
  const BufferStoreNode* store = nullptr;
  const BufferLoadNode* load = nullptr;
};

std::string match(const ForNode& loop, CopyShape* out) {
  Stmt body = loop.body;
  if (const auto* r = body.as<BlockRealizeNode>()) {
    if (!is_const_true(r->predicate)) return "the block has a predicate";
    if (r->block->init || !r->block->alloc_buffers.empty()) return "the block has an init or allocations";
    out->realize = r;
    body = r->block->body;
  }
  out->store = body.as<BufferStoreNode>();
  if (!out->store) return "the body is not a single store";
  out->load = out->store->value.as<BufferLoadNode>();
  if (!out->load || out->load->buffer->dtype != out->store->buffer->dtype) return "the store is not a copy of one dtype";
  return "";
}

// Flat index of an access with block iterators replaced by their bindings, checked
// to be lane + (a multiple of `lanes`).
bool aligned_contiguous(const Buffer& buffer, const std::vector<Expr>& indices, const VarMap& bindings,
                        const VarNode* lane, int64_t lanes, const LayoutTable& layouts) {
  std::optional<std::vector<int64_t>> linear = linear_strides(buffer, layouts);
  if (!linear) return false;  // a blocked layout
  const std::vector<int64_t>& stride = *linear;
  ExprOrder order;
  int64_t lane_coeff = 0;
  for (int d = 0; d < buffer->ndim(); ++d) {
    Expr index = substitute(indices[d], bindings);
    LinearForm form = LinearForm::of(index, order);
    if (form.constant() * stride[d] % lanes != 0) return false;
    for (const LinearTerm& t : form.terms()) {
      if (t.atom.get() == static_cast<const ExprNode*>(lane)) {
        lane_coeff += t.coeff * stride[d];
      } else {
        if (uses_var(t.atom, lane)) return false;
        if (t.coeff * stride[d] % lanes != 0) return false;
      }
    }
  }
  return lane_coeff == 1;
}

}  // namespace

std::string vector_copy_failure(const ForNode& loop, const LayoutTable& layouts) {
  CopyShape shape;
  if (std::string why = match(loop, &shape); !why.empty()) return why;
  int64_t lanes;
  if (!is_const_int(loop.extent, &lanes)) return "the extent is not a constant";
  int64_t bytes = lanes * dtype_bytes(shape.store->buffer->dtype);
  if (bytes != 8 && bytes != 16) return std::to_string(bytes) + " bytes per copy (8 or 16 needed)";
  VarMap bindings;
  if (shape.realize)
    for (size_t i = 0; i < shape.realize->iter_values.size(); ++i)
      bindings[shape.realize->block->iter_vars[i].var.get()] = shape.realize->iter_values[i];
  const VarNode* lane = loop.loop_var.get();
  if (!aligned_contiguous(shape.store->buffer, shape.store->indices, bindings, lane, lanes, layouts) ||
      !aligned_contiguous(shape.load->buffer, shape.load->indices, bindings, lane, lanes, layouts))
    return "an access is not provably contiguous and aligned to the copy width";
  return "";
}

std::pair<Buffer, Buffer> vector_copy_buffers(const ForNode& loop) {
  CopyShape shape;
  match(loop, &shape);
  return {shape.store->buffer, shape.load->buffer};
}

void emit_vector_copy(CppEmitter& e, const ForNode& loop, bool async) {
  CopyShape shape;
  match(loop, &shape);
  int64_t lanes = 0;
  is_const_int(loop.extent, &lanes);
  const char* wide = lanes * dtype_bytes(shape.store->buffer->dtype) == 16 ? "uint4" : "uint2";
  e.open("");
  e.line("// vectorized loop '" + loop.loop_var->name + "': one " + wide + " copy of " + std::to_string(lanes) + " lanes");
  e.line("const int64_t " + e.bind_var(loop.loop_var) + " = 0;");
  if (shape.realize) {
    e.line("// block " + shape.realize->block->name);
    e.declare_iterators(*shape.realize);
  }
  auto address = [&](const Buffer& b, const std::vector<Expr>& idx) {
    return "&" + e.buffer_name(b) + "[" + e.expr(flat_index(b, idx, &e.layouts())) + "]";
  };
  if (async)
    e.line("wtc::cp_async_16(" + address(shape.store->buffer, shape.store->indices) + ", " +
           address(shape.load->buffer, shape.load->indices) + ");");
  else
    e.line("*reinterpret_cast<" + std::string(wide) + "*>(" + address(shape.store->buffer, shape.store->indices) +
           ") = *reinterpret_cast<const " + wide + "*>(" + address(shape.load->buffer, shape.load->indices) + ");");
  e.close();
}

}  // namespace weft::codegen
