#include "ir/stmt.h"

#include <set>

#include "support/error.h"

namespace weft::ir {

static void require(bool cond, const std::string& msg) {
  if (!cond) throw IRError(msg);
}

const char* for_kind_name(ForKind k) {
  switch (k) {
#define WEFT_X(N, S) \
  case ForKind::N: return S;
    WEFT_FOR_KINDS(WEFT_X)
#undef WEFT_X
  }
  return "?";
}

bool parse_for_kind(const std::string& name, ForKind* out) {
#define WEFT_X(N, S)       \
  if (name == S) {         \
    *out = ForKind::N;     \
    return true;           \
  }
  WEFT_FOR_KINDS(WEFT_X)
#undef WEFT_X
  return false;
}

static bool is_thread_tag(const std::string& tag) {
  static const char* const kTags[] = {"blockIdx.x",  "blockIdx.y",  "blockIdx.z", "threadIdx.x",
                                      "threadIdx.y", "threadIdx.z", "vthread.x",  "vthread.y",
                                      "vthread.z"};
  for (const char* t : kTags)
    if (tag == t) return true;
  return false;
}

BufferRegion full_region(const Buffer& buffer) {
  BufferRegion r{buffer, {}};
  for (int64_t d : buffer->shape) r.region.push_back({int_imm(0), int_imm(d)});
  return r;
}

ForNode::ForNode(Var v, Expr ext, ForKind k, Stmt b, std::string tag, Annotations ann)
    : StmtNode(StmtKind::For), loop_var(std::move(v)), extent(std::move(ext)), for_kind(k), body(std::move(b)),
      thread_tag(std::move(tag)), annotations(std::move(ann)) {
  require(loop_var != nullptr, "for loop without a loop variable");
  require(extent && extent.dtype() == loop_var->dtype,
          "extent of loop '" + loop_var->name + "' must have the loop variable's type");
  require(static_cast<bool>(body), "loop '" + loop_var->name + "' has no body");
  if (for_kind == ForKind::ThreadBinding)
    require(is_thread_tag(thread_tag), "loop '" + loop_var->name + "' bound to unknown thread axis '" + thread_tag + "'");
  else
    require(thread_tag.empty(), "loop '" + loop_var->name + "' has a thread tag but is not thread-bound");
}

static void check_region(const BufferRegion& r, const std::string& block, const char* what) {
  require(r.buffer != nullptr, "block '" + block + "' " + what + " a null buffer");
  require(static_cast<int>(r.region.size()) == r.buffer->ndim(),
          "block '" + block + "' " + what + " '" + r.buffer->name + "' with a region of the wrong rank");
  for (const Range& rg : r.region)
    require(rg.min && rg.extent && is_int(rg.min.dtype()) && is_int(rg.extent.dtype()),
            "block '" + block + "' " + what + " '" + r.buffer->name + "' with a non-integer region");
}

BlockNode::BlockNode(std::string n, std::vector<IterVar> ivs, std::vector<BufferRegion> r, std::vector<BufferRegion> w,
                     Stmt b, Stmt i, std::vector<Buffer> allocs, Annotations ann)
    : name(std::move(n)), iter_vars(std::move(ivs)), reads(std::move(r)), writes(std::move(w)), body(std::move(b)),
      init(std::move(i)), alloc_buffers(std::move(allocs)), annotations(std::move(ann)) {
  require(is_identifier(name), "block name '" + name + "' is not an identifier");
  require(static_cast<bool>(body), "block '" + name + "' has no body");
  std::set<const VarNode*> seen;
  for (const IterVar& iv : iter_vars) {
    require(iv.var != nullptr, "block '" + name + "' has a null iterator");
    require(seen.insert(iv.var.get()).second, "block '" + name + "' declares iterator '" + iv.var->name + "' twice");
    require(iv.dom.min && iv.dom.extent && iv.dom.min.dtype() == iv.var->dtype && iv.dom.extent.dtype() == iv.var->dtype,
            "domain of iterator '" + iv.var->name + "' in block '" + name + "' must have the iterator's type");
  }
  require(!init || is_reduction(), "block '" + name + "' has an init but no reduction iterator");
  for (const auto& rg : reads) check_region(rg, name, "reads");
  for (const auto& rg : writes) check_region(rg, name, "writes");
}

bool BlockNode::is_reduction() const {
  for (const IterVar& iv : iter_vars)
    if (iv.kind == IterKind::Reduce) return true;
  return false;
}

BlockRealizeNode::BlockRealizeNode(std::vector<Expr> values, Expr pred, Block b)
    : StmtNode(StmtKind::BlockRealize), iter_values(std::move(values)), predicate(std::move(pred)), block(std::move(b)) {
  require(block != nullptr, "block realize without a block");
  require(iter_values.size() == block->iter_vars.size(),
          "block '" + block->name + "' has " + std::to_string(block->iter_vars.size()) + " iterators but is bound to " +
              std::to_string(iter_values.size()) + " values");
  for (size_t i = 0; i < iter_values.size(); ++i)
    require(iter_values[i] && iter_values[i].dtype() == block->iter_vars[i].var->dtype,
            "binding of iterator '" + block->iter_vars[i].var->name + "' in block '" + block->name +
                "' must have the iterator's type");
  require(predicate && predicate.dtype() == DType::boolean, "predicate of block '" + block->name + "' must be bool");
}

BufferStoreNode::BufferStoreNode(Buffer buf, Expr v, std::vector<Expr> idx)
    : StmtNode(StmtKind::BufferStore), buffer(std::move(buf)), value(std::move(v)), indices(std::move(idx)) {
  require(buffer != nullptr, "store to a null buffer");
  require(value && value.dtype() == buffer->dtype,
          "store to '" + buffer->name + "' (" + std::string(dtype_name(buffer->dtype)) + ") of a value of type " +
              (value ? std::string(dtype_name(value.dtype())) : std::string("null")));
  require(static_cast<int>(indices.size()) == buffer->ndim(),
          "store to '" + buffer->name + "' with " + std::to_string(indices.size()) + " indices, buffer has " +
              std::to_string(buffer->ndim()) + " dimensions");
  for (const Expr& i : indices) require(i && is_int(i.dtype()), "store to '" + buffer->name + "' with a non-integer index");
}

SeqStmtNode::SeqStmtNode(std::vector<Stmt> s) : StmtNode(StmtKind::SeqStmt), seq(std::move(s)) {
  require(seq.size() >= 2, "a sequence needs at least two statements");
  for (const Stmt& st : seq) require(static_cast<bool>(st), "a sequence holds a null statement");
}

IfThenElseNode::IfThenElseNode(Expr c, Stmt t, Stmt e)
    : StmtNode(StmtKind::IfThenElse), cond(std::move(c)), then_case(std::move(t)), else_case(std::move(e)) {
  require(cond && cond.dtype() == DType::boolean, "if condition must be bool");
  require(static_cast<bool>(then_case), "if without a then branch");
}

Stmt make_for(Var loop_var, Expr extent, ForKind kind, Stmt body, std::string thread_tag, Annotations annotations) {
  if (extent && loop_var && extent.dtype() != loop_var->dtype) {
    int64_t v;
    if (is_const_int(extent, &v)) extent = int_imm(v, loop_var->dtype);
  }
  return std::make_shared<const ForNode>(std::move(loop_var), std::move(extent), kind, std::move(body),
                                         std::move(thread_tag), std::move(annotations));
}

Stmt make_block_realize(std::vector<Expr> iter_values, Expr predicate, Block block) {
  return std::make_shared<const BlockRealizeNode>(std::move(iter_values), std::move(predicate), std::move(block));
}

Block make_block(std::string name, std::vector<IterVar> iter_vars, std::vector<BufferRegion> reads,
                 std::vector<BufferRegion> writes, Stmt body, Stmt init, std::vector<Buffer> alloc_buffers,
                 Annotations annotations) {
  return std::make_shared<const BlockNode>(std::move(name), std::move(iter_vars), std::move(reads), std::move(writes),
                                           std::move(body), std::move(init), std::move(alloc_buffers),
                                           std::move(annotations));
}

Stmt store(Buffer buffer, Expr value, std::vector<Expr> indices) {
  return std::make_shared<const BufferStoreNode>(std::move(buffer), std::move(value), std::move(indices));
}

Stmt seq(std::vector<Stmt> stmts) {
  std::vector<Stmt> flat;
  for (Stmt& s : stmts) {
    if (!s) continue;
    if (const auto* inner = s.as<SeqStmtNode>())
      flat.insert(flat.end(), inner->seq.begin(), inner->seq.end());
    else
      flat.push_back(std::move(s));
  }
  require(!flat.empty(), "an empty statement sequence");
  if (flat.size() == 1) return flat[0];
  return std::make_shared<const SeqStmtNode>(std::move(flat));
}

Stmt if_then_else(Expr cond, Stmt then_case, Stmt else_case) {
  return std::make_shared<const IfThenElseNode>(std::move(cond), std::move(then_case), std::move(else_case));
}

PrimFuncNode::PrimFuncNode(std::string n, std::vector<Buffer> p, Stmt b)
    : name(std::move(n)), params(std::move(p)), body(std::move(b)) {
  require(is_identifier(name), "function name '" + name + "' is not an identifier");
  const auto* root = body.as<BlockRealizeNode>();
  require(root != nullptr, "function '" + name + "' body must be the root block");
  require(root->iter_values.empty() && is_const_true(root->predicate),
          "root block of function '" + name + "' must have no iterators and no predicate");
  std::set<std::string> names;
  for (const Buffer& buf : params) {
    require(buf != nullptr, "function '" + name + "' has a null parameter");
    require(buf->scope == "global", "parameter '" + buf->name + "' of '" + name + "' must be in global scope");
    require(names.insert(buf->name).second, "function '" + name + "' has two parameters named '" + buf->name + "'");
  }
}

const BlockNode& PrimFuncNode::root_block() const { return *body.as<BlockRealizeNode>()->block; }

PrimFunc make_func(const std::string& name, std::vector<Buffer> params, Stmt body) {
  return std::make_shared<const PrimFuncNode>(name, std::move(params), std::move(body));
}

PrimFunc make_func_with_root(const std::string& name, std::vector<Buffer> params, Stmt body,
                             std::vector<Buffer> allocs) {
  Block root = make_block("root", {}, {}, {}, std::move(body), Stmt(), std::move(allocs));
  return make_func(name, std::move(params), make_block_realize({}, bool_imm(true), root));
}

}  // namespace weft::ir
