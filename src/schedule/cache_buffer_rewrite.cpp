#include "schedule/cache_buffer_rewrite.h"

#include <algorithm>

#include "ir/functor.h"
#include "ir/printer.h"
#include "schedule/ir_nav.h"

namespace weft::sched {

using namespace ir;

namespace {

class Swapper : public IRMutator {
 public:
  explicit Swapper(const BufferSwap& swap) : swap_(swap) {}

  Block mutate_block(const Block& block) override {
    Block b = IRMutator::mutate_block(block);
    BlockEdit edit;
    bool changed = false;
    auto swap_regions = [&](const std::vector<BufferRegion>& regions) {
      std::vector<BufferRegion> out = regions;
      for (BufferRegion& r : out)
        if (r.buffer.get() == swap_.from) {
          r.buffer = swap_.to;
          changed = true;
        }
      return out;
    };
    if (swap_.reads) edit.reads = swap_regions(b->reads);
    if (swap_.writes) edit.writes = swap_regions(b->writes);
    if (swap_.allocs) {
      std::vector<Buffer> allocs = b->alloc_buffers;
      for (Buffer& a : allocs)
        if (a.get() == swap_.from) {
          a = swap_.to;
          changed = true;
        }
      edit.alloc_buffers = allocs;
    }
    return changed ? edit_block(*b, edit) : b;
  }

 protected:
  Expr visit(const BufferLoadNode& n, const Expr& self) override {
    Expr e = IRMutator::visit(n, self);
    if (!swap_.reads || n.buffer.get() != swap_.from) return e;
    return load(swap_.to, e.as<BufferLoadNode>()->indices);
  }
  Stmt visit(const BufferStoreNode& n, const Stmt& self) override {
    Stmt s = IRMutator::visit(n, self);
    if (!swap_.writes || n.buffer.get() != swap_.from) return s;
    const auto& st = *s.as<BufferStoreNode>();
    return store(swap_.to, st.value, st.indices);
  }

 private:
  const BufferSwap& swap_;
};

class UserFinder : public IRVisitor {
 public:
  UserFinder(const BufferNode* buffer, const BlockNode* skip) : buffer_(buffer), skip_(skip) {}
  BufferUsers users;

 protected:
  void visit_block(const BlockNode& b) override {
    if (&b == skip_) return;
    current_.push_back(b.name);
    for (const BufferRegion& r : b.reads)
      if (r.buffer.get() == buffer_) note(users.readers);
    for (const BufferRegion& r : b.writes)
      if (r.buffer.get() == buffer_) note(users.writers);
    IRVisitor::visit_block(b);
    current_.pop_back();
  }
  void visit(const BufferLoadNode& n, const Expr& self) override {
    if (n.buffer.get() == buffer_) note(users.readers);
    IRVisitor::visit(n, self);
  }
  void visit(const BufferStoreNode& n, const Stmt& self) override {
    if (n.buffer.get() == buffer_) note(users.writers);
    IRVisitor::visit(n, self);
  }

 private:
  void note(std::vector<std::string>& names) {
    const std::string name = current_.empty() ? std::string("?") : current_.back();
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }

  const BufferNode* buffer_;
  const BlockNode* skip_;
  std::vector<std::string> current_;
};

}  // namespace

Stmt swap_buffer(const Stmt& stmt, const BufferSwap& swap) {
  Swapper s(swap);
  return s.mutate(stmt);
}

Block swap_buffer(const Block& block, const BufferSwap& swap) {
  Swapper s(swap);
  return s.mutate_block(block);
}

BufferUsers buffer_users(const Stmt& stmt, const BufferNode* buffer, const BlockNode* skip) {
  UserFinder f(buffer, skip);
  f.visit_stmt(stmt);
  return f.users;
}

std::vector<BufferRegion> regions_of(const std::vector<BufferRegion>& regions, const BufferNode* buffer) {
  std::vector<BufferRegion> out;
  for (const BufferRegion& r : regions)
    if (r.buffer.get() == buffer) out.push_back(r);
  return out;
}

bool is_param(const PrimFunc& func, const BufferNode* buffer) {
  return std::any_of(func->params.begin(), func->params.end(), [&](const Buffer& p) { return p.get() == buffer; });
}

std::string region_text(const BufferRegion& region) {
  std::string out = region.buffer->name + "[";
  for (size_t d = 0; d < region.region.size(); ++d) {
    const Range& r = region.region[d];
    if (d) out += ", ";
    out += to_text(r.min);
    int64_t e;
    if (!(is_const_int(r.extent, &e) && e == 1)) out += ":+" + to_text(r.extent);
  }
  return out + "]";
}

}  // namespace weft::sched
