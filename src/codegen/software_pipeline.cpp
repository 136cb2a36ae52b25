// Map: body analysis (alloc blocks, fetch/compute split, checks) -> stage rewriter
// (leading stage index on every access of a fetched tile) -> assembly of prologue,
// commit and wait scopes. Design in software_pipeline.h.
#include "codegen/software_pipeline.h"

#include <algorithm>
#include <map>
#include <set>

#include "codegen/cuda_tensorcore.h"
#include "ir/functor.h"
#include "ir/storage_align.h"
#include "ir/substitute.h"
#include "support/error.h"

namespace weft::codegen {

using namespace ir;

int64_t loop_annotation_int(const ForNode& loop, const char* key) {
  auto it = loop.annotations.find(key);
  if (it == loop.annotations.end()) return -1;
  const auto* v = std::get_if<int64_t>(&it->second);
  return v ? *v : -1;
}

namespace {

bool has_annotation(const ForNode& loop, const char* key) { return loop.annotations.count(key) != 0; }

// What a statement stores, loads and whether it holds async copies.
struct Footprint {
  std::set<const BufferNode*> stored, loaded;
  std::vector<const BufferNode*> sync_stores;  // stores under no async_copy loop
  bool async_copies = false;
  const ForNode* pipelined = nullptr;  // a nested software_pipeline_depth request
};

Footprint footprint_of(const Stmt& s) {
  struct Scan : IRVisitor {
    Footprint out;
    int async_depth = 0;
    void visit(const ForNode& n, const Stmt& st) override {
      bool async = has_annotation(n, kAsyncCopyKey);
      out.async_copies |= async;
      if (has_annotation(n, kSoftwarePipelineDepthKey) && !out.pipelined) out.pipelined = &n;
      async_depth += async;
      IRVisitor::visit(n, st);
      async_depth -= async;
    }
    void visit(const BufferStoreNode& n, const Stmt& st) override {
      out.stored.insert(n.buffer.get());
      if (async_depth == 0) out.sync_stores.push_back(n.buffer.get());
      IRVisitor::visit(n, st);
    }
    void visit(const BufferLoadNode& n, const Expr& e) override {
      out.loaded.insert(n.buffer.get());
      IRVisitor::visit(n, e);
    }
  } scan;
  scan.visit_stmt(s);
  return scan.out;
}

// The stage dimension comes first: the aligned or blocked axes of a staged tile
// move by one.
void shift_storage_layout(Annotations& annotations, const std::string& buffer, const std::string& block,
                          bool* changed) {
  auto malformed = [&](const std::string& key) {
    return BuildError("block '" + block + "': malformed annotation '" + key + "' on a pipelined shared tile");
  };
  if (auto it = annotations.find(storage_align_key(buffer)); it != annotations.end()) {
    const auto* text = std::get_if<std::string>(&it->second);
    std::optional<std::vector<StorageAlign>> aligns = text ? parse_storage_align(*text) : std::nullopt;
    if (!aligns) throw malformed(it->first);
    for (StorageAlign& a : *aligns) ++a.axis;
    it->second = format_storage_align(*aligns);
    *changed = true;
  }
  if (auto it = annotations.find(storage_block_key(buffer)); it != annotations.end()) {
    const auto* text = std::get_if<std::string>(&it->second);
    std::optional<StorageBlock> blocked = text ? parse_storage_block(*text) : std::nullopt;
    if (!blocked) throw malformed(it->first);
    ++blocked->axis;
    it->second = format_storage_block(*blocked);
    *changed = true;
  }
}

// Prepends `slot` to every index and region of the staged buffers and swaps in
// their staged versions (storage_align axes included; the allocations are the
// hoisted blocks', rebuilt by the pipeliner).
class StageRewriter : public IRMutator {
 public:
  StageRewriter(const std::map<const BufferNode*, Buffer>& staged, Expr slot)
      : staged_(staged), slot_(std::move(slot)) {}

  Block mutate_block(const Block& block) override {
    const BlockNode& b = *block;
    bool changed = false;
    std::vector<IterVar> ivs;
    for (const IterVar& iv : b.iter_vars) ivs.push_back({iv.var, mutate(iv.dom, &changed), iv.kind});
    auto regions = [&](const std::vector<BufferRegion>& in) {
      std::vector<BufferRegion> out;
      for (const BufferRegion& r : in) {
        BufferRegion m = mutate(r, &changed);
        if (auto it = staged_.find(r.buffer.get()); it != staged_.end()) {
          m.buffer = it->second;
          m.region.insert(m.region.begin(), Range{slot_, int_imm(1, slot_.dtype())});
          changed = true;
        }
        out.push_back(std::move(m));
      }
      return out;
    };
    std::vector<BufferRegion> reads = regions(b.reads), writes = regions(b.writes);
    Annotations annotations = b.annotations;
    for (const auto& [node, buffer] : staged_) shift_storage_layout(annotations, buffer->name, b.name, &changed);
    Stmt init = mutate(b.init), body = mutate(b.body);
    changed |= !init.same_as(b.init) || !body.same_as(b.body);
    if (!changed) return block;
    return make_block(b.name, ivs, reads, writes, body, init, b.alloc_buffers, annotations);
  }

 protected:
  Expr visit(const BufferLoadNode& n, const Expr& self) override {
    bool changed = false;
    std::vector<Expr> idx = mutate(n.indices, &changed);
    auto it = staged_.find(n.buffer.get());
    if (it == staged_.end()) return changed ? load(n.buffer, idx) : self;
    idx.insert(idx.begin(), slot_);
    return load(it->second, idx);
  }
  Stmt visit(const BufferStoreNode& n, const Stmt& self) override {
    bool changed = false;
    Expr value = mutate(n.value);
    std::vector<Expr> idx = mutate(n.indices, &changed);
    auto it = staged_.find(n.buffer.get());
    if (it == staged_.end()) return changed || !value.same_as(n.value) ? store(n.buffer, value, idx) : self;
    idx.insert(idx.begin(), slot_);
    return store(it->second, value, idx);
  }

 private:
  const std::map<const BufferNode*, Buffer>& staged_;
  Expr slot_;
};

class Pipeliner : public IRMutator {
 public:
  explicit Pipeliner(const PrimFunc& func) : func_(func) {}

 protected:
  Stmt visit(const ForNode& n, const Stmt& self) override {
    if (!has_annotation(n, kSoftwarePipelineDepthKey)) return IRMutator::visit(n, self);
    return lower(n);
  }

 private:
  [[noreturn]] void refuse(const ForNode& loop, const std::string& why) const {
    throw BuildError("function '" + func_->name + "': loop '" + loop.loop_var->name + "' is annotated " +
                     kSoftwarePipelineDepthKey + " but cannot be pipelined: " + why);
  }

  Stmt without_request(const ForNode& n) const {
    Annotations a = n.annotations;
    a.erase(kSoftwarePipelineDepthKey);
    return make_for(n.loop_var, n.extent, n.for_kind, n.body, n.thread_tag, a);
  }

  Stmt lower(const ForNode& n) {
    int64_t depth = loop_annotation_int(n, kSoftwarePipelineDepthKey), extent = 0;
    if (depth < 1) refuse(n, "the depth is not a positive integer");
    if (!is_const_int(n.extent, &extent) || extent < 1) refuse(n, "its extent is not a positive constant");
    if (n.for_kind != ForKind::Serial && n.for_kind != ForKind::Unrolled)
      refuse(n, std::string("it is a ") + for_kind_name(n.for_kind) + " loop, not a serial one");
    if (Footprint inner = footprint_of(n.body); inner.pipelined)
      refuse(n, "it contains loop '" + inner.pipelined->loop_var->name + "', also annotated " +
                    kSoftwarePipelineDepthKey + " (nested pipelines are not supported)");
    int64_t stages = std::min(depth, extent);
    if (stages == 1) return without_request(n);

    // The blocks compaction put around the body to allocate the per-iteration tiles.
    std::vector<const BlockNode*> alloc_blocks;
    Stmt body = n.body;
    while (const auto* br = body.as<BlockRealizeNode>()) {
      const BlockNode& b = *br->block;
      if (!b.iter_vars.empty() || b.init || !is_const_true(br->predicate) || !b.reads.empty() || !b.writes.empty())
        break;
      alloc_blocks.push_back(&b);
      body = b.body;
    }
    std::map<const BufferNode*, Buffer> allocated;
    for (const BlockNode* b : alloc_blocks)
      for (const Buffer& buf : b->alloc_buffers) allocated[buf.get()] = buf;

    // Fetches (statements with async copies) first, then the compute.
    std::vector<Stmt> parts;
    if (const auto* s = body.as<SeqStmtNode>()) parts = s->seq;
    else parts.push_back(body);
    std::vector<Footprint> prints;  // one scan per statement, read by every check below
    for (const Stmt& part : parts) prints.push_back(footprint_of(part));
    size_t fetches = 0;
    while (fetches < parts.size() && prints[fetches].async_copies) ++fetches;
    if (fetches == 0) refuse(n, "its body does not start with an async_copy fetch");
    if (fetches == parts.size()) refuse(n, "its body has no computation after the fetches");

    std::map<const BufferNode*, Buffer> staged;
    std::set<const BufferNode*> fetch_loads;
    for (size_t i = 0; i < fetches; ++i) {
      const Footprint& f = prints[i];
      if (!f.sync_stores.empty())
        refuse(n, "fetch " + std::to_string(i + 1) + " of its body stores to '" + f.sync_stores.front()->name +
                      "' outside an async_copy loop (every fetch must be cp.async)");
      for (const BufferNode* b : f.stored) {
        auto it = allocated.find(b);
        if (it == allocated.end() || b->scope.rfind("shared", 0) != 0)
          refuse(n, "fetch " + std::to_string(i + 1) + " writes '" + b->name +
                        "', which is not a shared tile allocated inside the loop");
        staged[b] = make_buffer(b->name, b->dtype, with_stage_dim(b->shape, stages), b->scope);
      }
      fetch_loads.insert(f.loaded.begin(), f.loaded.end());
    }
    for (const auto& [b, _] : staged)
      if (fetch_loads.count(b)) refuse(n, "a fetch reads the fetched tile '" + b->name + "'");
    for (size_t i = fetches; i < parts.size(); ++i) {
      const Footprint& f = prints[i];
      if (f.async_copies)
        refuse(n, "statement " + std::to_string(i + 1) +
                      " of its body has async_copy loops after the computation began (fetches must come first)");
      for (const BufferNode* b : f.stored)
        if (staged.count(b) || (allocated.count(b) && b->scope.rfind("shared", 0) == 0))
          refuse(n, "statement " + std::to_string(i + 1) + " of its body writes shared tile '" + b->name +
                        "' without async_copy (a non-async fetch cannot be pipelined)");
    }

    const Var& k = n.loop_var;
    DType t = k->dtype;
    Expr kv = var_expr(k), last = int_imm(stages - 1, t), count = int_imm(stages, t);
    std::vector<Stmt> fetch_parts(parts.begin(), parts.begin() + static_cast<long>(fetches));
    std::vector<Stmt> compute_parts(parts.begin() + static_cast<long>(fetches), parts.end());
    Stmt fetch = seq(fetch_parts), compute = seq(compute_parts);

    // Prologue: stages 0 .. D-2, one commit group each.
    Var s = make_var(k->name + "_prologue", t);
    Stmt prologue_fetch = StageRewriter(staged, var_expr(s)).mutate(substitute(fetch, VarMap{{k.get(), var_expr(s)}}));
    Stmt prologue = make_for(s, last, ForKind::Unrolled, prologue_fetch, "", {{kAsyncCommitGroupKey, int64_t{1}}});

    // Steady state: refill the stage of step k + D - 1 (when there is one), wait
    // for step k's, compute on it.
    Expr ahead = kv + last;
    Stmt next = StageRewriter(staged, floormod(ahead, count)).mutate(substitute(fetch, VarMap{{k.get(), ahead}}));
    next = if_then_else(lt(ahead, int_imm(extent, t)), next);
    Stmt commit = make_for(make_var(k->name + "_commit", t), int_imm(1, t), ForKind::Serial, next, "",
                           {{kAsyncCommitGroupKey, int64_t{1}}});
    Stmt wait = make_for(make_var(k->name + "_wait", t), int_imm(1, t), ForKind::Serial,
                         StageRewriter(staged, floormod(kv, count)).mutate(compute), "",
                         {{kAsyncWaitGroupKey, stages - 1}});
    Annotations loop_annotations = n.annotations;
    loop_annotations.erase(kSoftwarePipelineDepthKey);
    loop_annotations[kAsyncPipelineStagesKey] = stages;
    Stmt result = seq({prologue, make_for(k, n.extent, n.for_kind, seq({commit, wait}), n.thread_tag, loop_annotations)});

    // The allocation blocks move out of the loop, innermost first, with the staged tiles.
    for (size_t i = alloc_blocks.size(); i-- > 0;) {
      const BlockNode& b = *alloc_blocks[i];
      std::vector<Buffer> allocs;
      for (const Buffer& a : b.alloc_buffers) allocs.push_back(staged.count(a.get()) ? staged.at(a.get()) : a);
      Annotations annotations = b.annotations;
      bool changed = false;
      for (const auto& [node, buffer] : staged) shift_storage_layout(annotations, buffer->name, b.name, &changed);
      result = make_block_realize({}, bool_imm(true), make_block(b.name, {}, {}, {}, result, Stmt(), allocs, annotations));
    }
    return result;
  }

  static std::vector<int64_t> with_stage_dim(std::vector<int64_t> shape, int64_t stages) {
    shape.insert(shape.begin(), stages);
    return shape;
  }

  const PrimFunc& func_;
};

}  // namespace

PrimFunc software_pipeline(const PrimFunc& func) {
  if (!func) throw UsageError("software_pipeline: null function");
  Stmt body = Pipeliner(func).mutate(func->body);
  if (body.same_as(func->body)) return func;
  return make_func(func->name, func->params, body);
}

}  // namespace weft::codegen
