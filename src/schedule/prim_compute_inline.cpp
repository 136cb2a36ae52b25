// compute_inline: replace every load of a producer's buffer by the producer's
// expression, then drop the producer, its empty loops and the buffer.
#include <algorithm>

#include "ir/access.h"
#include "ir/functor.h"
#include "ir/printer.h"
#include "ir/region.h"
#include "ir/substitute.h"
#include "schedule/compute_location_impl.h"
#include "schedule/compute_location_util.h"
#include "schedule/error.h"
#include "schedule/instruction.h"
#include "schedule/primitives_compute_location.h"

namespace weft::sched {

using namespace ir;

namespace compute_location {

namespace {

// Rewrites loads of the producer's buffer and every block's regions of it.
class Inliner : public IRMutator {
 public:
  Inliner(const BlockNode& producer, const BufferStoreNode& store, const std::vector<int>& iter_of_dim)
      : producer_(producer), store_(store), iter_of_dim_(iter_of_dim) {}

  Block mutate_block(const Block& block) override {
    if (block.get() == &producer_) return block;  // removed afterwards
    Block b = IRMutator::mutate_block(block);
    const Buffer& buffer = store_.buffer;
    if (!declares_read(*b, buffer) && !declares_write(*b, buffer)) return b;
    VarDomains context = iterator_domains(*b);
    std::vector<BufferRegion> reads, writes;
    for (const BufferRegion& r : b->reads) {
      if (r.buffer != buffer) {
        reads.push_back(r);
        continue;
      }
      for (const BufferRegion& pr : producer_.reads) reads.push_back(producer_region(pr, r, context));
    }
    for (const BufferRegion& w : b->writes)
      if (w.buffer != buffer) writes.push_back(w);
    BlockEdit edit;
    edit.reads = merge_regions(reads, context);
    edit.writes = writes;
    return edit_block(*b, edit);
  }

 protected:
  using IRMutator::visit;

  Expr visit(const BufferLoadNode& n, const Expr& self) override {
    Expr e = IRMutator::visit(n, self);
    const auto* load = e.as<BufferLoadNode>();
    if (load->buffer != store_.buffer) return e;
    VarMap map;
    for (size_t d = 0; d < load->indices.size(); ++d) {
      const Var& iter = producer_.iter_vars[iter_of_dim_[d]].var;
      if (load->indices[d].dtype() != iter->dtype)
        throw ScheduleError("compute_inline: the load " + to_text(e) + " indexes '" + store_.buffer->name +
                            "' with a " + std::string(dtype_name(load->indices[d].dtype())) + " value where iterator '" +
                            iter->name + "' of block '" + producer_.name + "' is " + std::string(dtype_name(iter->dtype)));
      map[iter.get()] = load->indices[d];
    }
    return substitute(store_.value, map);
  }

 private:
  // What the producer reads (`pr`, in its iterators) to compute `region` of its
  // buffer, in the reader's iterators (`context` gives their domains). Regions
  // wider than a point are relaxed and clamped to the buffer.
  BufferRegion producer_region(const BufferRegion& pr, const BufferRegion& region, const VarDomains& context) {
    VarMap map;
    VarDomains relaxed;
    for (size_t d = 0; d < region.region.size(); ++d) {
      const IterVar& iv = producer_.iter_vars[iter_of_dim_[d]];
      const Range& r = region.region[d];
      int64_t extent;
      if (is_const_int(r.extent, &extent) && extent == 1) {
        map[iv.var.get()] = r.min;
        continue;
      }
      Var offset = make_var(iv.var->name + "_offset", iv.var->dtype);
      Interval e = bound_of(r.extent, context);
      relaxed[offset.get()] = {0, e.has_upper() ? std::max<int64_t>(e.max - 1, 0) : Interval::kPosInf};
      map[iv.var.get()] = r.min + var_expr(offset);
    }
    // A point stays the producer's own access, indexed by the reader's indices.
    if (relaxed.empty()) return substitute(pr, map);
    return relax_region(substitute(pr, map), relaxed, context);
  }

  const BlockNode& producer_;
  const BufferStoreNode& store_;
  const std::vector<int>& iter_of_dim_;
};

}  // namespace

PrimFunc compute_inline_func(const PrimFunc& func, const std::string& name) {
  BlockSite site = *find_block(func, name);
  const BlockNode& b = site.block();
  auto fail = [&](const std::string& msg) {
    throw ScheduleError("compute_inline: " + msg + "\n  block " + name + ":\n" + snippet(site.realize));
  };
  if (!site.parent) fail("the root block cannot be inlined");
  if (b.init || b.is_reduction())
    fail("block '" + name + "' is a reduction; only a spatial block computing one value per element can be inlined");
  const BufferStoreNode* st = single_store(b);
  if (!st) fail("the body of block '" + name + "' is not a single store");
  const Buffer& buffer = st->buffer;
  auto dims = iterator_dims(b, st->indices);
  if (!dims || dims->size() != b.iter_vars.size())
    fail("block '" + name + "' stores to " + to_text(load(buffer, st->indices)) +
         "; inlining needs each index to be a distinct iterator of the block, every iterator used once");
  if (is_param(func, buffer))
    fail("block '" + name + "' writes '" + buffer->name +
         "', a parameter of the function; only intermediate buffers can be inlined");
  if (!is_allocated(func, buffer)) fail("buffer '" + buffer->name + "' is not allocated by any block");
  AccessRegions own = collect_accesses(b.body);
  if (std::any_of(own.reads.begin(), own.reads.end(), [&](const BufferRegion& r) { return r.buffer == buffer; }))
    fail("block '" + name + "' reads its own output '" + buffer->name + "'");
  const BlockNode& parent = *site.parent.as<BlockRealizeNode>()->block;
  if (child_block_realizes(parent.body).size() == 1)
    fail("block '" + name + "' is the only block of '" + parent.name + "'; inlining would leave it empty");

  // No other writer of the buffer; no block between the producer and its last
  // reader writes what the producer reads (inlining would read the new values).
  std::vector<RealizedBlock> blocks = all_blocks(func);
  size_t self = 0, last_reader = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].realize.same_as(site.realize)) self = i;
  }
  const std::vector<std::string>& ancestors = blocks[self].ancestors;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (is_self_or_ancestor(blocks[i], name, ancestors)) continue;
    const BlockNode& o = blocks[i].block();
    if (declares_write(o, buffer))
      fail("block '" + o.name + "' also writes '" + buffer->name + "'; only a buffer's single producer can be inlined");
    if (declares_read(o, buffer)) last_reader = std::max(last_reader, i);
  }
  for (size_t i = self + 1; i <= last_reader; ++i) {
    if (is_self_or_ancestor(blocks[i], name, ancestors)) continue;
    std::string dep = first_dependence(b, blocks[i].block());
    if (!dep.empty())
      fail("block '" + blocks[i].block().name + "' writes '" + dep + "' after block '" + name +
           "' reads it; inlined loads of '" + buffer->name + "' would see the new values");
  }

  Inliner inliner(b, *st, *dims);
  PrimFunc inlined = make_func(func->name, func->params, inliner.mutate(func->body));
  PrimFunc removed = replace_stmt(inlined, find_block(inlined, name)->realize.get(), Stmt());
  return drop_alloc(removed, buffer);
}

}  // namespace compute_location

void compute_inline(Schedule& sch, BlockRV block) {
  std::string name = sch.block_name(block);
  sch.set_func(compute_location::compute_inline_func(sch.func(), name));
  sch.record({"compute_inline", {Arg(block)}, {}, {}, std::nullopt});
}

namespace {
const RegisterInstruction kComputeInline({"compute_inline", RVKind::Block, false, false,
                                          [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                             const std::optional<Arg>&) {
                                            ArgReader r("compute_inline", in, attrs);
                                            r.expect_count(1);
                                            compute_inline(sch, r.block(0));
                                            return std::vector<RV>{};
                                          }});
}  // namespace

}  // namespace weft::sched
