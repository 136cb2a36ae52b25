// pad_einsum: grow an einsum-like block's iteration domain to multiples of given
// paddings, through zero-padded copies of its inputs and a padded output copied
// back, so that odd shapes tile evenly (and tensorize applies).
//
//   for i in 10, k in 7:  C[vi] += A[vi, vk]
// pad_einsum(C, [4, 4]) gives
//   for i in 12, k in 8:  block A_pad: A_pad[v0, v1] = (v0 < 10 && v1 < 7) ? A[v0, v1] : 0
//   for i in 12, k in 8:  C_pad[vi] += A_pad[vi, vk]
//   for i in 10:          block C_unpad: C[v0] = C_pad[v0]
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "ir/access.h"
#include "ir/functor.h"
#include "ir/printer.h"
#include "schedule/bindings.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/primitives_blockize.h"

namespace weft::sched {

using namespace ir;

namespace {

struct Access {
  Buffer buffer;
  std::vector<Expr> indices;
  bool is_load;
};

// Every load and store of a statement, in order.
class Accesses : public IRVisitor {
 public:
  std::vector<Access> list;

 protected:
  using IRVisitor::visit;
  void visit(const BufferLoadNode& n, const Expr& self) override {
    list.push_back({n.buffer, n.indices, true});
    IRVisitor::visit(n, self);
  }
  void visit(const BufferStoreNode& n, const Stmt& self) override {
    list.push_back({n.buffer, n.indices, false});
    IRVisitor::visit(n, self);
  }
};

// Moves loads and stores onto other buffers (same indices).
class BufferSwap : public IRMutator {
 public:
  explicit BufferSwap(const std::map<const BufferNode*, Buffer>& swap) : swap_(swap) {}

 protected:
  using IRMutator::visit;
  Expr visit(const BufferLoadNode& n, const Expr& self) override {
    auto it = swap_.find(n.buffer.get());
    return it == swap_.end() ? IRMutator::visit(n, self) : load(it->second, n.indices);
  }
  Stmt visit(const BufferStoreNode& n, const Stmt& self) override {
    auto it = swap_.find(n.buffer.get());
    return it == swap_.end() ? IRMutator::visit(n, self) : store(it->second, mutate(n.value), n.indices);
  }

 private:
  const std::map<const BufferNode*, Buffer>& swap_;
};

// True if `x` is zero whenever an input load indexed by `var` reads padding: a
// load of a padded input at `var`, or a product (through casts) with one.
bool vanishes(const Expr& x, const VarNode* var, const std::set<const BufferNode*>& inputs) {
  if (const auto* l = x.as<BufferLoadNode>()) {
    if (!inputs.count(l->buffer.get())) return false;
    for (const Expr& i : l->indices)
      if (i.as<VarNode>() == var) return true;
    return false;
  }
  if (const auto* c = x.as<CastNode>()) return vanishes(c->value, var, inputs);
  if (const auto* b = x.as<BinaryNode>(); b && b->op == BinaryOp::Mul)
    return vanishes(b->a, var, inputs) || vanishes(b->b, var, inputs);
  return false;
}

std::string unique(const std::string& base, std::set<std::string>* used) {
  std::string name = base;
  for (int k = 1; used->count(name); ++k) name = base + "_" + std::to_string(k);
  used->insert(name);
  return name;
}

// `for ax0, ax1, ...: block name(v0, v1, ...) { body(v) }` over `shape`.
Stmt copy_nest(const std::string& name, const std::vector<int64_t>& shape,
               const std::function<Stmt(const std::vector<Expr>&)>& body) {
  std::vector<Var> loops;
  std::vector<IterVar> iters;
  std::vector<Expr> values, index;
  for (size_t d = 0; d < shape.size(); ++d) {
    loops.push_back(make_var("ax" + std::to_string(d)));
    Var v = make_var("v" + std::to_string(d));
    iters.push_back({v, {int_imm(0), int_imm(shape[d])}, IterKind::Spatial});
    values.push_back(var_expr(loops.back()));
    index.push_back(var_expr(v));
  }
  Stmt b = body(index);
  AccessRegions access = collect_accesses(b);
  Stmt nest = make_block_realize(values, bool_imm(true), make_block(name, iters, access.reads, access.writes, b));
  for (size_t d = shape.size(); d-- > 0;) nest = make_for(loops[d], int_imm(shape[d]), ForKind::Serial, nest);
  return nest;
}

}  // namespace

void pad_einsum(Schedule& sch, BlockRV block_rv, const std::vector<int64_t>& padding) {
  const PrimFunc& func = sch.func();
  std::string name = sch.block_name(block_rv);
  BlockSite site = *find_block(func, name);
  const BlockRealizeNode& realize = site.node();
  const BlockNode& block = site.block();
  auto fail = [&](const std::string& msg) {
    throw ScheduleError("pad_einsum: " + msg + "\n  block " + name + ":\n" + snippet(site.realize));
  };

  // ---- legality: trivial bindings, einsum accesses, a sum for padded reductions ------------
  size_t n = block.iter_vars.size();
  if (padding.size() != n)
    fail("needs one padding per iterator of block '" + name + "' (" + std::to_string(n) + "), got " +
         std::to_string(padding.size()));
  if (!is_const_true(realize.predicate)) fail("block '" + name + "' has a predicate");
  if (!block.alloc_buffers.empty()) fail("block '" + name + "' allocates buffers");
  if (site.loops.empty()) fail("block '" + name + "' is not in a loop nest");
  std::map<const VarNode*, const ForNode*> loop_by_var;
  for (const Stmt& s : site.loops) loop_by_var[s.as<ForNode>()->loop_var.get()] = s.as<ForNode>();
  std::map<const VarNode*, size_t> iter_index;
  std::map<const VarNode*, int64_t> loop_extent;  // loops whose extent grows
  std::vector<int64_t> extent(n), padded(n);
  bool grows = false;
  for (size_t i = 0; i < n; ++i) {
    const IterVar& iv = block.iter_vars[i];
    if (padding[i] < 1)
      fail("padding " + std::to_string(i + 1) + " is " + std::to_string(padding[i]) + "; paddings must be positive");
    const auto* v = realize.iter_values[i].as<VarNode>();
    int64_t lo = -1, ext = -1, loop_ext = -1;
    bool trivial = v && loop_by_var.count(v) && !loop_extent.count(v) && is_const_int(iv.dom.min, &lo) && lo == 0 &&
                   is_const_int(iv.dom.extent, &ext) && is_const_int(loop_by_var[v]->extent, &loop_ext) &&
                   ext == loop_ext;
    if (!trivial)
      fail("iterator '" + iv.var->name +
           "' must be bound to a loop of its own with the iterator's extent, it is bound to " +
           to_text(realize.iter_values[i]));
    iter_index[iv.var.get()] = i;
    extent[i] = ext;
    padded[i] = (ext + padding[i] - 1) / padding[i] * padding[i];
    loop_extent[v] = padded[i];
    grows |= padded[i] != ext;
  }
  if (!grows) fail("nothing to pad: every iterator's extent is already a multiple of its padding");
  const auto* update = block.body.as<BufferStoreNode>();
  if (!update) fail("the body of block '" + name + "' must be a single store");
  const Buffer& out = update->buffer;
  if (block.init) {
    const auto* init = block.init.as<BufferStoreNode>();
    if (!init || init->buffer != out)
      fail("the init of block '" + name + "' must be a single store to '" + out->name + "'");
  }
  for (const BufferRegion& w : block.writes)
    if (w.buffer != out) fail("block '" + name + "' writes '" + w.buffer->name + "' besides '" + out->name + "'");

  Accesses accesses;
  accesses.visit_stmt(block.body);
  if (block.init) accesses.visit_stmt(block.init);
  std::vector<Buffer> order;  // buffers by first access
  std::map<const BufferNode*, std::vector<int64_t>> shapes;
  for (const Access& a : accesses.list) {
    auto [it, fresh] = shapes.emplace(a.buffer.get(), a.buffer->shape);
    if (fresh) order.push_back(a.buffer);
    for (size_t d = 0; d < a.indices.size(); ++d) {
      const auto* v = a.indices[d].as<VarNode>();
      if (!v || !iter_index.count(v)) {
        if (is_const_int(a.indices[d])) continue;
        fail("'" + a.buffer->name + "' is indexed by " + to_text(a.indices[d]) +
             ", neither an iterator nor a constant (an einsum indexes by iterators)");
      }
      size_t i = iter_index[v];
      if (a.buffer->shape[d] != extent[i])
        fail("dimension " + std::to_string(d) + " of '" + a.buffer->name + "' (extent " +
             std::to_string(a.buffer->shape[d]) + ") is indexed by '" + v->name + "' of extent " +
             std::to_string(extent[i]));
      it->second[d] = std::max(it->second[d], padded[i]);
    }
  }
  std::set<const BufferNode*> inputs;
  for (const Buffer& b : order)
    if (b != out) inputs.insert(b.get());
  for (size_t i = 0; i < n; ++i) {
    const IterVar& iv = block.iter_vars[i];
    if (iv.kind != IterKind::Reduce || padded[i] == extent[i]) continue;
    const auto* sum = update->value.as<BinaryNode>();
    bool ok = false;
    if (sum && sum->op == BinaryOp::Add) {
      auto is_acc = [&](const Expr& e) {
        const auto* l = e.as<BufferLoadNode>();
        return l && l->buffer == out && l->indices.size() == update->indices.size() && [&] {
          for (size_t d = 0; d < l->indices.size(); ++d)
            if (!same_expr(l->indices[d], update->indices[d])) return false;
          return true;
        }();
      };
      ok = (is_acc(sum->a) && vanishes(sum->b, iv.var.get(), inputs)) ||
           (is_acc(sum->b) && vanishes(sum->a, iv.var.get(), inputs));
    }
    if (!ok)
      fail("padding reduction iterator '" + iv.var->name + "' would fold in padded values: the update must be " +
           out->name + " = " + out->name + " + x with x a product including an input loaded at '" + iv.var->name + "'");
  }
  if (child_block_realizes(site.loops.front()).size() != 1)
    fail("loop " + site.loops.front().as<ForNode>()->loop_var->name + " holds other blocks besides '" + name + "'");

  // ---- padded buffers, the copies in and out ---------------------------------------------
  std::vector<std::string> block_names = all_block_names(func);
  std::set<std::string> used_blocks(block_names.begin(), block_names.end()), used_buffers;
  for (const Buffer& b : all_buffers(func)) used_buffers.insert(b->name);
  // b copied into its padded version p, zero outside b.
  auto pad_copy = [&](const Buffer& b, const Buffer& p, const std::vector<int64_t>& shape) {
    return copy_nest(unique(b->name + "_pad", &used_blocks), shape, [&](const std::vector<Expr>& v) {
      Expr inside;
      for (size_t d = 0; d < shape.size(); ++d) {
        if (shape[d] == b->shape[d]) continue;
        Expr c = lt(v[d], int_imm(b->shape[d]));
        inside = inside ? logical_and(inside, c) : c;
      }
      return if_then_else(inside, store(p, load(b, v), v), store(p, make_const(b->dtype, 0), v));
    });
  };
  bool reads_out = false;
  for (const Access& a : accesses.list) reads_out |= a.is_load && a.buffer == out;
  std::map<const BufferNode*, Buffer> swap;
  std::vector<Buffer> allocs;
  std::vector<Stmt> before, after;
  for (const Buffer& b : order) {
    const std::vector<int64_t>& shape = shapes[b.get()];
    if (shape == b->shape) continue;
    Buffer p = make_buffer(unique(b->name + "_pad", &used_buffers), b->dtype, shape, b->scope);
    swap[b.get()] = p;
    allocs.push_back(p);
    if (b == out) {
      if (!block.init && reads_out)  // the update accumulates onto the output's values: bring them along
        before.push_back(pad_copy(b, p, shape));
      after.push_back(copy_nest(unique(b->name + "_unpad", &used_blocks), b->shape,
                                [&](const std::vector<Expr>& v) { return store(b, load(p, v), v); }));
      continue;
    }
    before.push_back(pad_copy(b, p, shape));
  }

  // ---- the padded block, its grown loops, the copies around the nest ------------------------
  BufferSwap swapper(swap);
  BlockEdit edit;
  edit.body = swapper.mutate(block.body);
  edit.init = swapper.mutate(block.init);
  AccessRegions access = collect_accesses(*edit.init ? seq({*edit.body, *edit.init}) : *edit.body);
  edit.reads = access.reads;
  edit.writes = access.writes;
  edit.iter_vars = block.iter_vars;
  for (size_t i = 0; i < n; ++i) (*edit.iter_vars)[i].dom.extent = int_imm(padded[i], block.iter_vars[i].var->dtype);
  PrimFunc result = replace_stmt(func, site.realize.get(),
                                 make_block_realize(realize.iter_values, realize.predicate, edit_block(block, edit)));
  for (const auto& [var, ext] : loop_extent) {
    LoopSite ls = *find_loop(result, var);
    const ForNode& l = ls.node();
    if (is_const_int(l.extent) && ext == const_extent(l, "pad_einsum")) continue;
    result =
        replace_stmt(result, ls.loop.get(),
                     make_for(l.loop_var, int_imm(ext, var->dtype), l.for_kind, l.body, l.thread_tag, l.annotations));
  }
  LoopSite top = *find_loop(result, site.loops.front().as<ForNode>()->loop_var.get());
  std::vector<Stmt> stmts = before;
  stmts.push_back(top.loop);
  stmts.insert(stmts.end(), after.begin(), after.end());
  result = replace_stmt(result, top.loop.get(), seq(stmts));
  BlockSite parent = *find_block(result, site.parent.as<BlockRealizeNode>()->block->name);
  BlockEdit parent_edit;
  parent_edit.alloc_buffers = parent.block().alloc_buffers;
  parent_edit.alloc_buffers->insert(parent_edit.alloc_buffers->end(), allocs.begin(), allocs.end());
  result = replace_stmt(
      result, parent.realize.get(),
      make_block_realize(parent.node().iter_values, parent.node().predicate, edit_block(parent.block(), parent_edit)));

  sch.set_func(result);
  Instruction inst;
  inst.kind = "pad_einsum";
  inst.inputs.emplace_back(block_rv);
  inst.inputs.emplace_back(Arg::List(padding.begin(), padding.end()));
  sch.record(std::move(inst));
}

namespace {
const RegisterInstruction kPadEinsum(
    {"pad_einsum", RVKind::Block, false, false,
     [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs, const std::optional<Arg>&) {
       ArgReader r("pad_einsum", in, attrs);
       r.expect_count(2);
       std::vector<int64_t> padding;
       const Arg::List& list = r.list(1);
       for (size_t i = 0; i < list.size(); ++i)
         padding.push_back(ArgReader::as_int(list[i], "pad_einsum: padding " + std::to_string(i + 1)));
       pad_einsum(sch, r.block(0), padding);
       return std::vector<RV>{};
     }});
}  // namespace

}  // namespace weft::sched
