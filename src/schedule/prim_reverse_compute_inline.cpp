// reverse_compute_inline: fold an elementwise consumer into the producer of its
// input, so the producer stores the consumer's result instead of the intermediate.
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

// Replaces every load of `buffer` by `value` (all loads index the same element).
class LoadReplacer : public IRMutator {
 public:
  LoadReplacer(Buffer buffer, Expr value) : buffer_(std::move(buffer)), value_(std::move(value)) {}

 protected:
  using IRMutator::visit;
  Expr visit(const BufferLoadNode& n, const Expr& self) override {
    return n.buffer == buffer_ ? value_ : IRMutator::visit(n, self);
  }

 private:
  Buffer buffer_;
  Expr value_;
};

bool loads_buffer(const AccessRegions& access, const Buffer& buffer) {
  return std::any_of(access.reads.begin(), access.reads.end(), [&](const BufferRegion& r) { return r.buffer == buffer; });
}

}  // namespace

PrimFunc reverse_compute_inline_func(const PrimFunc& func, const std::string& name) {
  BlockSite site = *find_block(func, name);
  const BlockNode& c = site.block();
  auto fail = [&](const std::string& msg, const Stmt& show) {
    throw ScheduleError("reverse_compute_inline: " + msg + "\n  block " + show.as<BlockRealizeNode>()->block->name +
                        ":\n" + snippet(show));
  };
  auto fail_here = [&](const std::string& msg) { fail(msg, site.realize); };
  if (!site.parent) fail_here("the root block cannot be inlined");
  if (c.init || c.is_reduction()) fail_here("block '" + name + "' is a reduction; only a spatial consumer can be inlined");
  const BufferStoreNode* cst = single_store(c);
  if (!cst) fail_here("the body of block '" + name + "' is not a single store");
  const Buffer& out = cst->buffer;
  AccessRegions c_access = collect_accesses(c.body);
  if (loads_buffer(c_access, out)) fail_here("block '" + name + "' reads its own output '" + out->name + "'");

  // The one input another block of the scope produces.
  Scope scope = scope_of(site);
  Buffer buffer;
  size_t p = 0;
  for (const BufferRegion& r : c.reads) {
    for (size_t i = 0; i < scope.siblings.size(); ++i) {
      if (i == scope.self || !declares_write(scope.block(i), r.buffer)) continue;
      if (buffer && buffer != r.buffer)
        fail_here("block '" + name + "' reads both '" + buffer->name + "' and '" + r.buffer->name +
                  "' from other blocks; it can be inlined into a single producer only");
      if (buffer && i != p)
        fail_here("'" + r.buffer->name + "' is written by both '" + scope.block(p).name + "' and '" +
                  scope.block(i).name + "'");
      buffer = r.buffer;
      p = i;
    }
  }
  if (!buffer) fail_here("block '" + name + "' reads nothing another block of its scope produces");
  const BlockNode& producer = scope.block(p);
  const Stmt& producer_realize = scope.siblings[p];
  auto fail_producer = [&](const std::string& msg) { fail(msg, producer_realize); };
  if (p > scope.self) fail_here("block '" + name + "' comes before its producer '" + producer.name + "'");
  if (producer.init || producer.is_reduction())
    fail_producer("cannot inline block '" + name + "' into reduction block '" + producer.name +
                  "': the epilogue would run at every reduction step (as in TVM); use reverse_compute_at to place it "
                  "under the producer's loops instead");
  const BufferStoreNode* pst = single_store(producer);
  if (!pst || pst->buffer != buffer)
    fail_producer("the body of producer '" + producer.name + "' is not a single store to '" + buffer->name + "'");
  auto pdims = iterator_dims(producer, pst->indices);
  if (!pdims || pdims->size() != producer.iter_vars.size())
    fail_producer("producer '" + producer.name + "' stores to " + to_text(load(buffer, pst->indices)) +
                  "; each index must be a distinct iterator, every iterator used once");
  if (is_param(func, buffer))
    fail_here("'" + buffer->name + "' is a parameter of the function; only an intermediate buffer can be inlined away");

  // The consumer's loads of the buffer index exactly its iterators, which span it.
  std::optional<std::vector<int>> cdims;
  for (const BufferRegion& r : c_access.reads) {
    if (r.buffer != buffer) continue;
    auto dims = iterator_dims(c, r);
    if (!dims || dims->size() != c.iter_vars.size() || (cdims && *cdims != *dims))
      fail_here("block '" + name + "' reads " + region_text(r) +
                "; its loads of the producer's output must index exactly its iterators, each once");
    cdims = dims;
  }
  if (!cdims) fail_here("block '" + name + "' declares a read of '" + buffer->name + "' but never loads it");
  for (size_t d = 0; d < cdims->size(); ++d) {
    for (const auto& [block, dims] : {std::pair{&c, &*cdims}, std::pair{&producer, &*pdims}}) {
      const IterVar& iv = block->iter_vars[(*dims)[d]];
      int64_t lo, extent;
      if (!is_const_int(iv.dom.min, &lo) || lo != 0 || !is_const_int(iv.dom.extent, &extent) ||
          extent != buffer->shape[d])
        fail(std::string("iterator '") + iv.var->name + "' of block '" + block->name + "' covers (" +
                 to_text(iv.dom.min) + ", " + to_text(iv.dom.extent) + ") but dimension " + std::to_string(d) +
                 " of '" + buffer->name + "' has " + std::to_string(buffer->shape[d]) + " elements",
             block == &c ? site.realize : producer_realize);
    }
    if (c.iter_vars[(*cdims)[d]].var->dtype != producer.iter_vars[(*pdims)[d]].var->dtype)
      fail_here("iterator types of '" + name + "' and '" + producer.name + "' differ");
  }

  // Only reader; nothing between the two blocks touches the consumer's output or
  // writes its inputs; the producer does not read the consumer's output.
  std::vector<RealizedBlock> blocks = all_blocks(func);
  std::vector<std::string> ancestors;
  for (const RealizedBlock& rb : blocks)
    if (rb.realize.same_as(site.realize)) ancestors = rb.ancestors;
  for (const RealizedBlock& rb : blocks) {
    if (is_self_or_ancestor(rb, name, ancestors) || rb.block().name == producer.name) continue;
    if (declares_read(rb.block(), buffer))
      fail_here("block '" + rb.block().name + "' also reads '" + buffer->name + "'; block '" + name +
                "' must be its only consumer");
  }
  if (declares_read(producer, out) || declares_write(producer, out))
    fail_producer("producer '" + producer.name + "' accesses '" + out->name + "', the output of block '" + name + "'");
  for (size_t i = p + 1; i < scope.self; ++i) {
    const BlockNode& o = scope.block(i);
    std::string dep = first_dependence(c, o);
    if (!dep.empty())
      fail(std::string("block '") + o.name + "' writes '" + dep + "' between producer '" + producer.name +
               "' and block '" + name + "', which reads it",
           scope.siblings[i]);
    if (declares_read(o, out) || declares_write(o, out))
      fail(std::string("block '") + o.name + "' accesses '" + out->name + "' between producer '" + producer.name +
               "' and block '" + name + "', which writes it",
           scope.siblings[i]);
  }

  // The consumer's iterator of dimension d becomes the producer's.
  VarMap to_producer;
  for (size_t d = 0; d < cdims->size(); ++d)
    to_producer[c.iter_vars[(*cdims)[d]].var.get()] = var_expr(producer.iter_vars[(*pdims)[d]].var);
  Expr value = LoadReplacer(buffer, pst->value).mutate(substitute(cst->value, to_producer));
  std::vector<Expr> indices;
  for (const Expr& i : cst->indices) indices.push_back(substitute(i, to_producer));
  std::vector<BufferRegion> reads = producer.reads, writes;
  for (const BufferRegion& r : c.reads)
    if (r.buffer != buffer) reads.push_back(substitute(r, to_producer));
  for (const BufferRegion& w : c.writes) writes.push_back(substitute(w, to_producer));
  BlockEdit edit;
  edit.body = store(out, value, indices);
  edit.reads = merge_regions(reads, iterator_domains(producer));
  edit.writes = writes;
  const auto& pr = *producer_realize.as<BlockRealizeNode>();
  PrimFunc f = replace_stmt(func, producer_realize.get(),
                            make_block_realize(pr.iter_values, pr.predicate, edit_block(producer, edit)));
  f = replace_stmt(f, find_block(f, name)->realize.get(), Stmt());
  return drop_alloc(f, buffer);
}

}  // namespace compute_location

void reverse_compute_inline(Schedule& sch, BlockRV block) {
  std::string name = sch.block_name(block);
  sch.set_func(compute_location::reverse_compute_inline_func(sch.func(), name));
  sch.record({"reverse_compute_inline", {Arg(block)}, {}, {}, std::nullopt});
}

namespace {
const RegisterInstruction kReverseComputeInline({"reverse_compute_inline", RVKind::Block, false, false,
                                                 [](Schedule& sch, const std::vector<Arg>& in, const Attrs& attrs,
                                                    const std::optional<Arg>&) {
                                                   ArgReader r("reverse_compute_inline", in, attrs);
                                                   r.expect_count(1);
                                                   reverse_compute_inline(sch, r.block(0));
                                                   return std::vector<RV>{};
                                                 }});
}  // namespace

}  // namespace weft::sched
