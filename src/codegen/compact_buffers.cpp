#include "codegen/compact_buffers.h"

#include <unordered_map>

#include "codegen/buffer_sites.h"
#include "codegen/compact_placement.h"
#include "codegen/cuda_tensorcore.h"
#include "ir/functor.h"

namespace weft::codegen {

using namespace ir;

namespace {

struct Compacted {
  Buffer buffer;           // the new, smaller buffer
  std::vector<Expr> base;  // subtracted from each index
  bool moved = false;      // allocated inside a loop instead of by its block
};

Expr shifted(const Expr& index, const Expr& base) {
  int64_t v;
  if (is_const_int(base, &v) && v == 0) return index;
  return index - (base.dtype() == index.dtype() ? base : cast(index.dtype(), base));
}

class Rewriter : public IRMutator {
 public:
  Rewriter(std::unordered_map<const BufferNode*, Compacted> compacted,
           std::unordered_map<const ForNode*, std::vector<Buffer>> allocs)
      : compacted_(std::move(compacted)), allocs_(std::move(allocs)) {}

  Block mutate_block(const Block& block) override {
    Block b = IRMutator::mutate_block(block);
    bool changed = b != block;
    auto regions = [&](const std::vector<BufferRegion>& in) {
      std::vector<BufferRegion> out;
      for (const BufferRegion& r : in) {
        auto it = compacted_.find(r.buffer.get());
        if (it == compacted_.end()) {
          out.push_back(r);
          continue;
        }
        changed = true;
        BufferRegion nr{it->second.buffer, {}};
        for (size_t d = 0; d < r.region.size(); ++d)
          nr.region.push_back({shifted(r.region[d].min, it->second.base[d]), r.region[d].extent});
        out.push_back(nr);
      }
      return out;
    };
    std::vector<BufferRegion> reads = regions(b->reads), writes = regions(b->writes);
    std::vector<Buffer> allocs;
    for (const Buffer& a : b->alloc_buffers) {
      auto it = compacted_.find(a.get());
      if (it == compacted_.end()) {
        allocs.push_back(a);
      } else {
        changed = true;
        if (!it->second.moved) allocs.push_back(it->second.buffer);
      }
    }
    if (!changed) return block;
    return make_block(b->name, b->iter_vars, reads, writes, b->body, b->init, allocs, b->annotations);
  }

 protected:
  Expr visit(const BufferLoadNode& n, const Expr& self) override {
    Expr e = IRMutator::visit(n, self);
    auto it = compacted_.find(n.buffer.get());
    if (it == compacted_.end()) return e;
    return load(it->second.buffer, shift(e.as<BufferLoadNode>()->indices, it->second.base));
  }

  Stmt visit(const BufferStoreNode& n, const Stmt& self) override {
    Stmt s = IRMutator::visit(n, self);
    auto it = compacted_.find(n.buffer.get());
    if (it == compacted_.end()) return s;
    const auto* st = s.as<BufferStoreNode>();
    return store(it->second.buffer, st->value, shift(st->indices, it->second.base));
  }

  Stmt visit(const ForNode& n, const Stmt& self) override {
    Stmt s = IRMutator::visit(n, self);
    auto it = allocs_.find(&n);
    if (it == allocs_.end()) return s;
    const auto* f = s.as<ForNode>();
    Block scope = make_block("alloc_" + it->second.front()->name, {}, {}, {}, f->body, Stmt(), it->second);
    return make_for(f->loop_var, f->extent, f->for_kind, make_block_realize({}, bool_imm(true), scope), f->thread_tag,
                    f->annotations);
  }

 private:
  static std::vector<Expr> shift(const std::vector<Expr>& indices, const std::vector<Expr>& base) {
    std::vector<Expr> out;
    for (size_t d = 0; d < indices.size(); ++d) out.push_back(shifted(indices[d], base[d]));
    return out;
  }

  std::unordered_map<const BufferNode*, Compacted> compacted_;
  std::unordered_map<const ForNode*, std::vector<Buffer>> allocs_;
};

}  // namespace

PrimFunc compact_buffers(const PrimFunc& func) {
  BufferSites sites = collect_buffer_sites(func);
  const bool warp_lanes = uses_warp_intrinsics(func);
  std::unordered_map<const BufferNode*, Compacted> compacted;
  std::unordered_map<const ForNode*, std::vector<Buffer>> allocs;
  for (const BufferUse& use : sites.uses) {
    std::optional<Placement> p = place_buffer(use, sites, warp_lanes);
    if (!p) continue;
    const Buffer& old = use.buffer;
    Buffer buffer = make_buffer(old->name, old->dtype, p->shape, old->scope);
    compacted[old.get()] = {buffer, p->base, p->loop != nullptr};
    if (p->loop) allocs[p->loop].push_back(buffer);
  }
  if (compacted.empty()) return func;
  Rewriter rewriter(std::move(compacted), std::move(allocs));
  return make_func(func->name, func->params, rewriter.mutate(func->body));
}

}  // namespace weft::codegen
