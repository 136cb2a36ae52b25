#include "schedule/compute_location_util.h"

#include <algorithm>
#include <unordered_set>

#include "ir/access.h"
#include "ir/printer.h"
#include "ir/region.h"
#include "ir/simplify.h"

namespace weft::sched::compute_location {

using namespace ir;

// ---- block shape -------------------------------------------------------------------

const BufferStoreNode* single_store(const BlockNode& block) { return block.body.as<BufferStoreNode>(); }

int iterator_index(const BlockNode& block, const Expr& e) {
  const auto* v = e.as<VarNode>();
  if (!v) return -1;
  for (size_t i = 0; i < block.iter_vars.size(); ++i)
    if (block.iter_vars[i].var.get() == v) return static_cast<int>(i);
  return -1;
}

std::optional<std::vector<int>> iterator_dims(const BlockNode& block, const std::vector<Expr>& indices) {
  std::vector<int> dims;
  for (const Expr& index : indices) {
    int i = iterator_index(block, index);
    if (i < 0 || std::find(dims.begin(), dims.end(), i) != dims.end()) return std::nullopt;
    dims.push_back(i);
  }
  return dims;
}

std::optional<std::vector<int>> iterator_dims(const BlockNode& block, const BufferRegion& region) {
  std::vector<Expr> mins;
  for (const Range& r : region.region) {
    int64_t extent;
    if (!is_const_int(r.extent, &extent) || extent != 1) return std::nullopt;
    mins.push_back(r.min);
  }
  return iterator_dims(block, mins);
}

VarDomains iterator_domains(const BlockNode& block) {
  VarDomains d;
  for (const IterVar& iv : block.iter_vars) {
    int64_t lo, extent;
    if (is_const_int(iv.dom.min, &lo) && is_const_int(iv.dom.extent, &extent) && extent >= 1)
      d[iv.var.get()] = Interval::from_extent(lo, extent);
  }
  return d;
}

std::string region_text(const BufferRegion& region) {
  std::string out = region.buffer->name + "[";
  for (size_t d = 0; d < region.region.size(); ++d) {
    const Range& r = region.region[d];
    out += (d ? ", " : "") + to_text(r.min);
    int64_t extent;
    if (!is_const_int(r.extent, &extent) || extent != 1) out += ":+" + to_text(r.extent);
  }
  return out + "]";
}

static bool mentions(const std::vector<BufferRegion>& regions, const Buffer& buffer) {
  return std::any_of(regions.begin(), regions.end(), [&](const BufferRegion& r) { return r.buffer == buffer; });
}

bool declares_read(const BlockNode& block, const Buffer& buffer) { return mentions(block.reads, buffer); }
bool declares_write(const BlockNode& block, const Buffer& buffer) { return mentions(block.writes, buffer); }

std::string first_dependence(const BlockNode& reader, const BlockNode& writer) {
  for (const BufferRegion& r : reader.reads)
    if (declares_write(writer, r.buffer)) return r.buffer->name;
  return "";
}

// ---- buffers and blocks of a function --------------------------------------------

bool is_param(const PrimFunc& func, const Buffer& buffer) {
  return std::find(func->params.begin(), func->params.end(), buffer) != func->params.end();
}

bool is_allocated(const PrimFunc& func, const Buffer& buffer) {
  const auto& root = func->root_block().alloc_buffers;
  if (std::find(root.begin(), root.end(), buffer) != root.end()) return true;
  for (const RealizedBlock& rb : all_blocks(func)) {
    const auto& allocs = rb.block().alloc_buffers;
    if (std::find(allocs.begin(), allocs.end(), buffer) != allocs.end()) return true;
  }
  return false;
}

PrimFunc drop_alloc(const PrimFunc& func, const Buffer& buffer) {
  auto without = [&](const BlockNode& b, const Stmt& realize) -> std::optional<PrimFunc> {
    auto it = std::find(b.alloc_buffers.begin(), b.alloc_buffers.end(), buffer);
    if (it == b.alloc_buffers.end()) return std::nullopt;
    std::vector<Buffer> allocs = b.alloc_buffers;
    allocs.erase(allocs.begin() + (it - b.alloc_buffers.begin()));
    BlockEdit edit;
    edit.alloc_buffers = allocs;
    const auto& br = *realize.as<BlockRealizeNode>();
    return replace_stmt(func, realize.get(), make_block_realize(br.iter_values, br.predicate, edit_block(b, edit)));
  };
  if (auto f = without(func->root_block(), func->body)) return *f;
  for (const RealizedBlock& rb : all_blocks(func))
    if (auto f = without(rb.block(), rb.realize)) return *f;
  return func;
}

std::vector<RealizedBlock> all_blocks(const PrimFunc& func) {
  std::vector<RealizedBlock> out;
  std::vector<std::string> path;
  std::function<void(const Stmt&)> walk = [&](const Stmt& s) {
    for (const Stmt& r : child_block_realizes(s)) {
      const BlockNode& b = *r.as<BlockRealizeNode>()->block;
      out.push_back({r, path});
      path.push_back(b.name);
      if (b.init) walk(b.init);
      walk(b.body);
      path.pop_back();
    }
  };
  const BlockNode& root = func->root_block();
  path.push_back(root.name);
  if (root.init) walk(root.init);
  walk(root.body);
  return out;
}

bool is_self_or_ancestor(const RealizedBlock& other, const std::string& block_name,
                         const std::vector<std::string>& block_ancestors) {
  const std::string& n = other.block().name;
  return n == block_name || std::find(block_ancestors.begin(), block_ancestors.end(), n) != block_ancestors.end();
}

// ---- a block's scope -----------------------------------------------------------

std::optional<size_t> Scope::index_of(const std::string& name) const {
  for (size_t i = 0; i < siblings.size(); ++i)
    if (block(i).name == name) return i;
  return std::nullopt;
}

Scope scope_of(const BlockSite& site) {
  Scope scope;
  const BlockNode& parent = *site.parent.as<BlockRealizeNode>()->block;
  scope.siblings = child_block_realizes(parent.body);
  for (size_t i = 0; i < scope.siblings.size(); ++i)
    if (scope.siblings[i].same_as(site.realize)) scope.self = i;
  return scope;
}

LoopSpan loop_span(const Scope& scope, const LoopSite& loop) {
  std::unordered_set<const StmtNode*> under;
  for (const Stmt& s : child_block_realizes(loop.node().body)) under.insert(s.get());
  LoopSpan span{scope.siblings.size(), 0};
  for (size_t i = 0; i < scope.siblings.size(); ++i) {
    if (!under.count(scope.siblings[i].get())) continue;
    span.first = std::min(span.first, i);
    span.last = i + 1;
  }
  if (span.last == 0) span.first = 0;
  return span;
}

std::vector<Stmt> loop_children(const ForNode& loop) {
  if (const auto* s = loop.body.as<SeqStmtNode>()) return s->seq;
  return {loop.body};
}

bool any_block_under(const Stmt& stmt, const std::function<bool(const BlockNode&)>& pred) {
  for (const Stmt& r : child_block_realizes(stmt))
    if (pred(*r.as<BlockRealizeNode>()->block)) return true;
  return false;
}

Stmt insert_into_loop(const ForNode& loop, const Stmt& stmt, size_t index) {
  std::vector<Stmt> children = loop_children(loop);
  children.insert(children.begin() + static_cast<std::ptrdiff_t>(index), stmt);
  return with_body(loop, seq(children));
}

VarDomains domains_inside(const PrimFunc& func, const LoopSite& loop) {
  VarDomains d = enclosing_loop_domains(func->body, loop.loop);
  Interval e = bound_of(simplify(loop.node().extent, d), d);
  d[loop.node().loop_var.get()] = {0, e.has_upper() ? std::max<int64_t>(e.max - 1, 0) : Interval::kPosInf};
  return d;
}

// ---- regenerating loops --------------------------------------------------------

namespace {

// The operands of nested `op` nodes: min(a, min(b, c)) -> a, b, c.
void operands(const Expr& e, BinaryOp op, std::vector<Expr>* out) {
  if (const auto* b = e.as<BinaryNode>(); b && b->op == op) {
    operands(b->a, op, out);
    operands(b->b, op, out);
    return;
  }
  out->push_back(e);
}

// An upper bound of the number of values in [lo, hi]. Clamped regions read
// [max(x, 0), min(y, n)]: every y - x + 1 bounds it, and usually tighter than
// bounding the two ends apart.
int64_t count_bound(const Expr& lo, const Expr& hi, const Expr& extent, const VarDomains& outer) {
  Interval whole = bound_of(extent, outer);
  int64_t best = whole.has_upper() ? whole.max : Interval::kPosInf;
  std::vector<Expr> los, his;
  operands(lo, BinaryOp::Max, &los);
  operands(hi, BinaryOp::Min, &his);
  for (const Expr& l : los)
    for (const Expr& h : his) {
      Interval b = bound_of(simplify(h - l + int_imm(1, h.dtype()), outer), outer);
      if (b.has_upper()) best = std::min(best, b.max);
    }
  return best;
}

// Adds `v <= hi` to `conds`, one condition per operand of `hi = min(...)` so each
// can be decided (or dropped) on its own. Written `v < hi + 1` so it matches the
// domain condition `v < end` when they coincide.
void add_upper(const Expr& v, const Expr& hi, const VarDomains& d, std::vector<Expr>* conds) {
  std::vector<Expr> his;
  operands(hi, BinaryOp::Min, &his);
  for (const Expr& h : his) conds->push_back(simplify(lt(v, h + int_imm(1, h.dtype())), d));
}

Expr as_dtype(const Expr& e, DType t) { return e.dtype() == t ? e : cast(t, e); }

}  // namespace

Stmt regenerate_loops(const BlockRealizeNode& realize, const std::vector<IterCover>& covers, const VarDomains& outer,
                      bool preserve_unit_loops, const std::function<void(const std::string&)>& fail) {
  const BlockNode& b = *realize.block;
  VarDomains domains = outer;
  std::vector<Var> loop_vars;
  std::vector<int64_t> extents;
  std::vector<Expr> bindings, his;
  for (size_t i = 0; i < b.iter_vars.size(); ++i) {
    const IterVar& iv = b.iter_vars[i];
    DType t = iv.var->dtype;
    Expr lo = covers[i] ? simplify(as_dtype(covers[i]->min, t), outer) : iv.dom.min;
    Expr extent = covers[i] ? simplify(as_dtype(covers[i]->extent, t), outer) : iv.dom.extent;
    his.push_back(covers[i] ? simplify(lo + extent - int_imm(1, t), outer) : Expr());
    int64_t count = covers[i] ? count_bound(lo, his.back(), extent, outer) : bound_of(extent, outer).max;
    if (count == Interval::kPosInf)
      fail("the region of iterator '" + iv.var->name + "' has no constant bound (extent " + to_text(extent) + ")");
    int64_t e = std::max<int64_t>(count, 1);
    if (e == 1 && !preserve_unit_loops) {
      bindings.push_back(lo);
      continue;
    }
    Var ax = make_var("ax" + std::to_string(loop_vars.size()), t);
    loop_vars.push_back(ax);
    extents.push_back(e);
    domains[ax.get()] = Interval::from_extent(0, e);
    bindings.push_back(lo + var_expr(ax));
  }
  std::vector<Expr> conds;
  for (size_t i = 0; i < b.iter_vars.size(); ++i) {
    const IterVar& iv = b.iter_vars[i];
    bindings[i] = simplify(bindings[i], outer);  // keeps unit loops' variables
    if (his[i]) add_upper(bindings[i], his[i], domains, &conds);
    conds.push_back(simplify(ge(bindings[i], iv.dom.min), domains));
    conds.push_back(simplify(lt(bindings[i], iv.dom.min + iv.dom.extent), domains));
  }
  Expr predicate;
  std::vector<Expr> kept;
  for (const Expr& c : conds) {
    if (is_const_true(c)) continue;
    if (std::any_of(kept.begin(), kept.end(), [&](const Expr& k) { return same_expr(k, c); })) continue;
    kept.push_back(c);
    predicate = predicate ? logical_and(predicate, c) : c;
  }
  Stmt body = make_block_realize(bindings, predicate ? predicate : bool_imm(true), realize.block);
  for (size_t k = loop_vars.size(); k-- > 0;)
    body = make_for(loop_vars[k], int_imm(extents[k], loop_vars[k]->dtype), ForKind::Serial, body);
  return body;
}

// ---- sampled locations -----------------------------------------------------------

const Var& root_sentinel() {
  static const Var v = make_var("compute_root");
  return v;
}

const Var& inline_sentinel() {
  static const Var v = make_var("compute_inline");
  return v;
}

std::optional<int64_t> sentinel_of(const Schedule& sch, LoopRV loop) {
  const auto& insts = sch.trace().instructions();
  for (auto it = insts.rbegin(); it != insts.rend(); ++it) {
    if (it->kind != "sample_compute_location" || it->outputs.size() != 1) continue;
    if (!(it->outputs[0] == RV{RVKind::Loop, loop.id})) continue;
    const auto* d = it->decision ? std::get_if<int64_t>(&it->decision->value) : nullptr;
    if (d && (*d == kComputeRoot || *d == kComputeInline)) return *d;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace weft::sched::compute_location
