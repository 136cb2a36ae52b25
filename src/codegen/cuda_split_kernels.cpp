#include "codegen/cuda_split_kernels.h"

#include <set>
#include <unordered_map>

#include "codegen/cuda_emitter.h"
#include "codegen/cuda_threads.h"
#include "ir/functor.h"
#include "support/error.h"

namespace weft::codegen {

using namespace ir;

namespace {

// Whether a statement holds a loop bound to blockIdx.* or threadIdx.* (vthread
// loops are serial loops inside a thread: they launch nothing).
bool binds_threads(const Stmt& s) {
  struct Finder : IRVisitor {
    bool found = false;
    void visit(const ForNode& n, const Stmt& st) override {
      if (n.for_kind == ForKind::ThreadBinding && (is_block_tag(n.thread_tag) || is_thread_tag(n.thread_tag)))
        found = true;
      else
        IRVisitor::visit(n, st);
    }
  } finder;
  finder.visit_stmt(s);
  return finder.found;
}

// The buffers a statement touches (accesses and declared regions) and the blocks it runs.
struct Uses : IRVisitor {
  std::set<const BufferNode*> buffers;
  std::vector<std::string> blocks;

 protected:
  void visit(const BufferLoadNode& n, const Expr& e) override {
    buffers.insert(n.buffer.get());
    IRVisitor::visit(n, e);
  }
  void visit(const BufferStoreNode& n, const Stmt& s) override {
    buffers.insert(n.buffer.get());
    IRVisitor::visit(n, s);
  }
  void visit_block(const BlockNode& b) override {
    blocks.push_back(b.name);
    for (const BufferRegion& r : b.reads) buffers.insert(r.buffer.get());
    for (const BufferRegion& r : b.writes) buffers.insert(r.buffer.get());
    IRVisitor::visit_block(b);
  }
};

// Replaces buffers (loads, stores, declared regions) by others of the same shape.
class BufferSwapper : public IRMutator {
 public:
  explicit BufferSwapper(const std::unordered_map<const BufferNode*, Buffer>& swaps) : swaps_(swaps) {}

  Block mutate_block(const Block& block) override {
    Block b = IRMutator::mutate_block(block);
    bool changed = b != block;
    auto swap_regions = [&](const std::vector<BufferRegion>& regions) {
      std::vector<BufferRegion> out = regions;
      for (BufferRegion& r : out)
        if (auto it = swaps_.find(r.buffer.get()); it != swaps_.end()) r.buffer = it->second, changed = true;
      return out;
    };
    std::vector<BufferRegion> reads = swap_regions(b->reads), writes = swap_regions(b->writes);
    if (!changed) return block;
    return make_block(b->name, b->iter_vars, reads, writes, b->body, b->init, b->alloc_buffers, b->annotations);
  }

 protected:
  Expr visit(const BufferLoadNode& n, const Expr& self) override {
    Expr e = IRMutator::visit(n, self);
    auto it = swaps_.find(n.buffer.get());
    return it == swaps_.end() ? e : load(it->second, e.as<BufferLoadNode>()->indices);
  }
  Stmt visit(const BufferStoreNode& n, const Stmt& self) override {
    Stmt s = IRMutator::visit(n, self);
    auto it = swaps_.find(n.buffer.get());
    if (it == swaps_.end()) return s;
    const auto* st = s.as<BufferStoreNode>();
    return store(it->second, st->value, st->indices);
  }

 private:
  const std::unordered_map<const BufferNode*, Buffer>& swaps_;
};

struct Group {
  std::vector<Stmt> stmts;
  bool bound = false;
  Uses uses;
};

std::vector<Group> group_statements(const std::vector<Stmt>& seq) {
  std::vector<Group> groups;
  for (const Stmt& s : seq) {
    bool bound = binds_threads(s);
    // Consecutive unbound statements share one single-thread kernel.
    if (bound || groups.empty() || groups.back().bound) groups.push_back(Group{{}, bound, {}});
    groups.back().stmts.push_back(s);
    groups.back().uses.visit_stmt(s);
  }
  return groups;
}

// A name for a scratch parameter that no parameter (or earlier scratch) has.
std::string unique_name(const std::string& base, std::set<std::string>& taken) {
  std::string name = base;
  for (int i = 1; taken.count(name); ++i) name = base + "_scratch" + (i > 1 ? std::to_string(i) : "");
  taken.insert(name);
  return name;
}

std::string without_prefix(const std::string& message, const std::string& prefix) {
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

}  // namespace

SplitProgram split_kernels(const PrimFunc& func) {
  if (!func) throw UsageError("split_kernels: null function");
  const BlockNode& root = func->root_block();
  SplitProgram out;
  const auto* top = root.body.as<SeqStmtNode>();
  std::vector<Group> groups = top ? group_statements(top->seq) : std::vector<Group>{};
  if (groups.size() < 2) {
    KernelPart whole{func, {}, binds_threads(root.body), {}};
    Uses uses;
    uses.visit_stmt(root.body);
    whole.blocks = std::move(uses.blocks);
    out.parts.push_back(std::move(whole));
    return out;
  }

  // Root allocations: in the one kernel that uses them, or scratch when several do.
  std::set<std::string> taken;
  for (const Buffer& p : func->params) taken.insert(p->name);
  std::unordered_map<const BufferNode*, Buffer> swaps;   // scratch buffers not usable as parameters as they are
  std::unordered_map<const BufferNode*, int> scratch_of;  // root allocation -> index into out.scratch
  std::vector<Buffer> scratch_params;
  std::vector<std::vector<Buffer>> allocs(groups.size());
  for (const Buffer& buf : root.alloc_buffers) {
    std::vector<size_t> users;
    for (size_t g = 0; g < groups.size(); ++g)
      if (groups[g].uses.buffers.count(buf.get())) users.push_back(g);
    if (users.size() == 1) allocs[users[0]].push_back(buf);
    if (users.size() < 2) continue;  // an unused allocation is dropped
    std::string name = unique_name(buf->name, taken);
    Buffer param = buf;
    if (buf->scope != "global" || name != buf->name) {
      // Global memory for the whole program, whatever scope the root declared.
      param = make_buffer(name, buf->dtype, buf->shape, "global");
      swaps.emplace(buf.get(), param);
    }
    scratch_of[buf.get()] = static_cast<int>(out.scratch.size());
    out.scratch.push_back(ScratchBuffer{name, buf->dtype, buf->num_elements()});
    scratch_params.push_back(param);
  }

  BufferSwapper swapper(swaps);
  for (size_t g = 0; g < groups.size(); ++g) {
    KernelPart part;
    part.bound = groups[g].bound;
    part.blocks = groups[g].uses.blocks;
    std::vector<Buffer> params = func->params;
    for (const Buffer& buf : root.alloc_buffers) {
      auto it = scratch_of.find(buf.get());
      if (it == scratch_of.end() || !groups[g].uses.buffers.count(buf.get())) continue;
      part.scratch_args.push_back(it->second);
      params.push_back(scratch_params[static_cast<size_t>(it->second)]);
    }
    Stmt body = seq(groups[g].stmts);
    if (!swaps.empty()) body = swapper.mutate(body);
    Block block = make_block(root.name, {}, {}, {}, body, Stmt(), allocs[g], root.annotations);
    part.func = make_func(func->name, std::move(params), make_block_realize({}, bool_imm(true), block));
    out.parts.push_back(std::move(part));
  }
  return out;
}

CudaKernel emit_split_kernels(const SplitProgram& program, const std::string& symbol) {
  if (program.parts.empty()) throw UsageError("emit_split_kernels: no kernels");
  if (program.parts.size() == 1) return CudaEmitter(program.parts[0].func).emit_kernel(symbol);
  CudaKernel kernel;
  kernel.name = symbol;
  kernel.scratch = program.scratch;
  std::string functions;
  const size_t n = program.parts.size();
  for (size_t i = 0; i < n; ++i) {
    const KernelPart& part = program.parts[i];
    std::string entry = symbol + "_" + std::to_string(i);
    CudaKernel one;
    try {
      one = CudaEmitter(part.func).emit_function(entry);
    } catch (const BuildError& e) {
      std::string blocks;
      for (const std::string& b : part.blocks) blocks += (blocks.empty() ? "'" : ", '") + b + "'";
      throw BuildError("kernel " + std::to_string(i) + " of " + std::to_string(n) + " (blocks " + blocks +
                       "): " + without_prefix(e.what(), "build failed: "));
    }
    functions += (i ? "\n" : "") + one.source;
    kernel.launches.push_back(CudaLaunch{entry, one.launch, part.scratch_args});
  }
  kernel.source = cuda_translation_unit(functions);
  kernel.launch = kernel.launches[0].launch;
  return kernel;
}

}  // namespace weft::codegen
