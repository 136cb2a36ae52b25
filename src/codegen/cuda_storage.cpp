#include "codegen/cuda_storage.h"

#include <algorithm>
#include <set>

#include "codegen/cuda_tensorcore.h"
#include "ir/functor.h"
#include "support/error.h"

namespace weft::codegen {

using namespace ir;

bool StoragePlan::block_visible(const BufferNode* buffer) const {
  auto it = kind.find(buffer);
  return it == kind.end() || it->second != StorageKind::PerThread;
}

namespace {

struct Context {
  std::set<std::string> tags;               // axes bound by enclosing loops
  std::vector<const ForNode*> block_loops;  // enclosing blockIdx loops, outermost first
};

struct Access {
  Context where;
  bool write = false;
  const BufferStoreNode* store = nullptr;
};

class AccessCollector : public IRVisitor {
 public:
  std::unordered_map<const BufferNode*, std::vector<Access>> accesses;
  std::vector<std::pair<Buffer, Context>> allocs;

 protected:
  void visit(const ForNode& n, const Stmt& s) override {
    bool bound = n.for_kind == ForKind::ThreadBinding && (is_block_tag(n.thread_tag) || is_thread_tag(n.thread_tag));
    Context saved = ctx_;
    if (bound) {
      ctx_.tags.insert(n.thread_tag);
      if (is_block_tag(n.thread_tag)) ctx_.block_loops.push_back(&n);
    }
    IRVisitor::visit(n, s);
    ctx_ = saved;
  }
  void visit_block(const BlockNode& b) override {
    for (const Buffer& buf : b.alloc_buffers) allocs.emplace_back(buf, ctx_);
    // Declared regions are not accesses: only loads and stores are.
    if (b.init) visit_stmt(b.init);
    visit_stmt(b.body);
  }
  void visit(const BufferLoadNode& n, const Expr& e) override {
    accesses[n.buffer.get()].push_back({ctx_, false, nullptr});
    IRVisitor::visit(n, e);
  }
  void visit(const BufferStoreNode& n, const Stmt& s) override {
    accesses[n.buffer.get()].push_back({ctx_, true, &n});
    IRVisitor::visit(n, s);
  }

 private:
  Context ctx_;
};

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

StoragePlan plan_storage(const PrimFunc& func, const ThreadLayout& layout) {
  AccessCollector c;
  c.visit_stmt(func->body);
  const std::vector<std::string> threads = layout.launched("threadIdx"), blocks = layout.launched("blockIdx");
  const std::string fn = "function '" + func->name + "': ";
  StoragePlan plan;

  for (const auto& [buf, ctx] : c.allocs) {
    const std::vector<Access>& uses = c.accesses[buf.get()];
    std::string what = fn + "buffer '" + buf->name + "' (" + buf->scope + ")";
    for (const Access& a : uses)
      for (const std::string& tag : blocks)
        if (a.where.tags.count(tag) && !ctx.tags.count(tag))
          throw BuildError(what + " is allocated outside the " + tag +
                           " loop that uses it: it would need global memory shared by all thread blocks (compute its "
                           "producer under that loop)");
    size_t bound = std::count_if(threads.begin(), threads.end(), [&](const std::string& t) { return ctx.tags.count(t); });
    bool in_warp = layout.warp_lanes && !ctx.tags.count("threadIdx.x") && bound + 1 == threads.size();
    if (is_fragment_scope(buf->scope)) {
      if (!in_warp)
        throw BuildError(what + " must be allocated inside the loops of every launched thread axis but the lanes "
                                "(threadIdx.x) of warp-level tensor intrinsics: it lives in the registers of one warp");
      plan.kind[buf.get()] = StorageKind::PerThread;
      continue;
    }
    if (in_warp && buf->scope.rfind("shared", 0) == 0) {
      plan.kind[buf.get()] = buf->scope == "shared" ? StorageKind::Shared : StorageKind::SharedDyn;
      plan.per_warp.insert(buf.get());
      plan.note[buf.get()] = "allocated inside the warp loops: one slice per warp";
      continue;
    }
    StorageKind kind;
    if (bound == threads.size()) {
      kind = StorageKind::PerThread;
      if (!threads.empty() && buf->scope.rfind("shared", 0) == 0)
        plan.note[buf.get()] = "allocated inside the thread loops (" + join(threads) + "): one copy per thread";
    } else if (bound == 0) {
      bool used_by_threads = std::any_of(uses.begin(), uses.end(), [&](const Access& a) {
        return std::any_of(threads.begin(), threads.end(), [&](const std::string& t) { return a.where.tags.count(t); });
      });
      if (buf->scope == "shared") kind = StorageKind::Shared;
      else if (buf->scope == "shared.dyn") kind = StorageKind::SharedDyn;
      else if (used_by_threads) {
        kind = StorageKind::Shared;
        plan.note[buf.get()] = "scope " + buf->scope + " promoted to shared memory: allocated outside the thread loops (" +
                               join(threads) + ") that use it";
      } else {
        kind = StorageKind::PerThread;
      }
    } else {
      throw BuildError(what + " is allocated inside the loops of some thread axes but not all of " + join(threads) +
                       ": neither one copy per thread nor one per block");
    }
    plan.kind[buf.get()] = kind;
  }

  // Parameters the kernel writes: every access inside the same blockIdx loops.
  for (const Buffer& p : func->params) {
    const std::vector<Access>& uses = c.accesses[p.get()];
    if (blocks.empty() || std::none_of(uses.begin(), uses.end(), [](const Access& a) { return a.write; })) continue;
    const Access* first_write = nullptr;
    for (const Access& a : uses)
      if (a.write && !first_write) first_write = &a;
    for (const Access& a : uses) {
      for (const std::string& tag : blocks)
        if (!a.where.tags.count(tag))
          throw BuildError(fn + "parameter '" + p->name + "' is " + (a.write ? "written" : "read") + " outside the " +
                           tag + " loops while the kernel writes it: every thread block would run that access");
      if (a.where.block_loops != first_write->where.block_loops)
        throw BuildError(fn + "parameter '" + p->name + "' is written under blockIdx loop '" +
                         first_write->where.block_loops.back()->loop_var->name + "' and accessed under blockIdx loop '" +
                         a.where.block_loops.back()->loop_var->name +
                         "': thread blocks cannot wait for each other inside one kernel");
    }
  }

  // Stores every thread of an axis would repeat.
  for (const auto& [buffer, uses] : c.accesses) {
    if (!plan.block_visible(buffer)) continue;
    for (const Access& a : uses) {
      if (!a.write) continue;
      std::vector<std::string> guard;
      for (const std::string& t : threads)
        if (!a.where.tags.count(t)) guard.push_back(t);
      if (!guard.empty()) plan.store_guards[a.store] = guard;
    }
  }
  return plan;
}

}  // namespace weft::codegen
