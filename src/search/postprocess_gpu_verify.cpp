// verify-gpu-code (see postprocess_gpu.h): the static checks of MetaSchedule's
// VerifyGPUCode on every kernel (top-level loop nest of the root block), and the
// check of the compiler's resource report.
//
// Memory is counted where the code generator will allocate it: a "shared"
// buffer holds what one thread block touches (blockIdx variables fixed, every
// other loop ranging), a "local" buffer what one thread touches (blockIdx and
// threadIdx fixed; vthread loops range, each virtual thread keeps its copy).
#include <map>

#include "codegen/buffer_sites.h"
#include "codegen/cuda_emitter.h"
#include "codegen/cuda_tensorcore.h"
#include "ir/dtype.h"
#include "ir/functor.h"
#include "rules/annotations.h"
#include "search/postprocess_gpu.h"

namespace weft::search {
namespace {

using namespace ir;

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Thread extents of one kernel and the blocks outside a blockIdx or threadIdx loop.
class ThreadChecker : public IRVisitor {
 public:
  std::map<std::string, int64_t> max_extent;  // per tag
  std::map<std::string, int64_t> enclosing;   // tag -> extent of the enclosing loop
  std::string problem;

 protected:
  void visit(const ForNode& n, const Stmt& s) override {
    if (!problem.empty()) return;
    int64_t extent;
    if (!is_const_int(n.extent, &extent)) {
      problem = "loop '" + n.loop_var->name + "' has a non-constant extent";
      return;
    }
    if (n.for_kind != ForKind::ThreadBinding) {
      IRVisitor::visit(n, s);
      return;
    }
    auto outer = enclosing.find(n.thread_tag);
    if (outer != enclosing.end() && outer->second != extent) {
      problem = "loop '" + n.loop_var->name + "' binds " + n.thread_tag + " with extent " + std::to_string(extent) +
                " inside a loop binding it with extent " + std::to_string(outer->second);
      return;
    }
    int64_t& m = max_extent[n.thread_tag];
    m = std::max(m, extent);
    bool fresh = outer == enclosing.end();
    if (fresh) enclosing[n.thread_tag] = extent;
    IRVisitor::visit(n, s);
    if (fresh) enclosing.erase(n.thread_tag);
  }
  void visit(const BlockRealizeNode& n, const Stmt& s) override {
    if (!problem.empty()) return;
    bool block = false, thread = false;
    for (const auto& [tag, _] : enclosing) {
      block |= starts_with(tag, "blockIdx");
      thread |= starts_with(tag, "threadIdx");
    }
    if (!block || !thread)
      problem = "block '" + n.block->name + "' is not under " + (block ? "a threadIdx" : "a blockIdx") + " loop";
    else IRVisitor::visit(n, s);
  }
};

// Bytes of `buffer` one thread block (or thread, with `per_thread`) touches in
// the kernel whose outermost loop is `kernel`.
int64_t footprint(const codegen::BufferUse& use, const ForNode* kernel, bool per_thread) {
  const Buffer& buf = use.buffer;
  std::vector<Interval> box;
  bool any = false;
  for (const codegen::AccessSite& site : use.sites) {
    if (site.loops.empty() || site.loops[0].loop != kernel) continue;
    VarDomains domains;
    for (const codegen::SiteLoop& l : site.loops) {
      bool fixed = l.loop->for_kind == ForKind::ThreadBinding &&
                   (starts_with(l.loop->thread_tag, "blockIdx") ||
                    (per_thread && starts_with(l.loop->thread_tag, "threadIdx")));
      domains[l.loop->loop_var.get()] = fixed ? Interval::point(0) : l.domain;
    }
    for (size_t d = 0; d < site.indices.size(); ++d) {
      Interval range = bound_of(site.indices[d], domains);
      if (!range.is_bounded()) range = Interval::from_extent(0, buf->shape[d]);
      if (!any) box.push_back(range);
      else box[d] = interval_union(box[d], range);
    }
    any = true;
  }
  if (!any) return 0;
  int64_t elements = 1;
  for (size_t d = 0; d < box.size(); ++d) elements *= std::min(box[d].max - box[d].min + 1, buf->shape[d]);
  return elements * dtype_bytes(buf->dtype);
}

std::string bytes_text(int64_t bytes) { return std::to_string(bytes) + " bytes"; }

class VerifyGpuCode : public Postprocessor {
 public:
  std::string name() const override { return "verify-gpu-code"; }
  void apply(sched::Schedule& sch, const Target& target) const override {
    const PrimFunc& func = sch.func();
    const BlockNode& root = func->root_block();
    for (const char* key : {rules::ann::kParallelExtent, rules::ann::kVectorizeBytes, rules::ann::kUnrollExplicit})
      if (root.annotations.count(key))
        throw VerificationError("the root block still carries the request '" + std::string(key) + "'");
    GpuLimits limits = gpu_limits(target);
    codegen::BufferSites sites = codegen::collect_buffer_sites(func);
    std::vector<Stmt> kernels;
    if (const auto* seq = root.body.as<SeqStmtNode>()) kernels = seq->seq;
    else kernels.push_back(root.body);
    for (size_t k = 0; k < kernels.size(); ++k) {
      auto fail = [&](const std::string& what) {
        throw VerificationError("function '" + func->name + "', kernel " + std::to_string(k) + ": " + what);
      };
      const auto* loop = kernels[k].as<ForNode>();
      if (!loop) {
        const auto* br = kernels[k].as<BlockRealizeNode>();
        fail("block '" + (br ? br->block->name : std::string("?")) + "' is not under a blockIdx loop");
      }
      ThreadChecker check;
      check.visit_stmt(kernels[k]);
      if (!check.problem.empty()) fail(check.problem);
      int64_t threads = 1, vthreads = 1;
      for (const auto& [tag, extent] : check.max_extent) {
        if (starts_with(tag, "threadIdx")) threads *= extent;
        if (starts_with(tag, "vthread")) vthreads *= extent;
      }
      if (threads > limits.max_threads_per_block)
        fail(std::to_string(threads) + " threads per block exceed the limit of " +
             std::to_string(limits.max_threads_per_block));
      if (vthreads > limits.max_vthreads)
        fail(std::to_string(vthreads) + " virtual threads exceed the limit of " + std::to_string(limits.max_vthreads));
      int64_t shared = 0, dynamic = 0;
      for (const codegen::BufferUse& use : sites.uses) {
        const std::string& scope = use.buffer->scope;
        if (scope == "shared") shared += footprint(use, loop, false);
        else if (scope == "shared.dyn") dynamic += footprint(use, loop, false);
        else if (scope == "local") {
          int64_t bytes = footprint(use, loop, true);
          if (bytes > limits.max_local_bytes_per_thread)
            fail("local buffer '" + use.buffer->name + "' takes " + bytes_text(bytes) + " per thread, over the limit of " +
                 bytes_text(limits.max_local_bytes_per_thread));
        }
      }
      if (shared > limits.max_static_shared_bytes)
        fail("static shared memory of " + bytes_text(shared) + " per block exceeds the limit of " +
             bytes_text(limits.max_static_shared_bytes));
      if (dynamic > limits.max_dynamic_shared_bytes)
        fail("dynamic shared memory of " + bytes_text(dynamic) + " per block exceeds the " + target.arch + " limit of " +
             bytes_text(limits.max_dynamic_shared_bytes));
    }
    // Warp-level tensor code gives each warp its own slice of a shared tile, beyond
    // the per-block footprints above: what the emitter refuses (shared memory over the limit, misplaced fragments) is
    // rejected here rather than at build time.
    try {
      if (codegen::uses_warp_intrinsics(func)) codegen::emit_cuda(func, "verify_gpu_code");
    } catch (const BuildError& e) {
      throw VerificationError(std::string("function '") + func->name + "': " + e.what());
    }
  }
};

}  // namespace

GpuLimits gpu_limits(const Target& target) {
  GpuLimits limits;
  static const std::map<std::string, int64_t> kOptIn = {{"sm_70", 96 * 1024},  {"sm_75", 64 * 1024},
                                                        {"sm_80", 163 * 1024}, {"sm_86", 99 * 1024},
                                                        {"sm_87", 163 * 1024}, {"sm_89", 99 * 1024},
                                                        {"sm_90", 227 * 1024}, {"sm_90a", 227 * 1024}};
  if (auto it = kOptIn.find(target.arch); it != kOptIn.end()) limits.max_dynamic_shared_bytes = it->second;
  return limits;
}

std::shared_ptr<const Postprocessor> make_verify_gpu_code() { return std::make_shared<VerifyGpuCode>(); }

void verify_compiled_resources(const std::string& kernel, const runtime::CudaResources& r, const GpuLimits& limits) {
  auto fail = [&](const std::string& what) { throw VerificationError("kernel '" + kernel + "': " + what); };
  if (r.registers > limits.max_registers_per_thread)
    fail(std::to_string(r.registers) + " registers per thread exceed the limit of " +
         std::to_string(limits.max_registers_per_thread));
  if (!limits.allow_spills && (r.spill_stores > 0 || r.spill_loads > 0))
    fail("spills registers (" + std::to_string(r.spill_stores) + " bytes stored, " + std::to_string(r.spill_loads) +
         " bytes loaded)");
  if (r.stack_bytes > limits.max_local_bytes_per_thread)
    fail("uses " + bytes_text(r.stack_bytes) + " of local memory per thread, over the limit of " +
         bytes_text(limits.max_local_bytes_per_thread));
  if (r.shared_bytes > limits.max_static_shared_bytes)
    fail("uses " + bytes_text(r.shared_bytes) + " of static shared memory, over the limit of " +
         bytes_text(limits.max_static_shared_bytes));
}

}  // namespace weft::search
