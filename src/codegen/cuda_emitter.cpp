#include "codegen/cuda_emitter.h"

#include <algorithm>

#include "codegen/compact_buffers.h"
#include "codegen/cuda_prelude.h"
#include "codegen/cuda_split_kernels.h"
#include "codegen/cuda_tensorcore.h"
#include "codegen/cuda_vector_copy.h"
#include "codegen/software_pipeline.h"
#include "codegen/unroll_budget.h"
#include "ir/functor.h"
#include "support/error.h"

namespace weft::codegen {

using namespace ir;

const char* cuda_storage_type(DType t) {
  switch (t) {
    case DType::f16: return "__half";
    case DType::bf16: return "__nv_bfloat16";
    default: return storage_type(t);
  }
}

CudaEmitter::CudaEmitter(const PrimFunc& func)
    : CppEmitter(func),
      func_(func),
      layout_(analyze_threads(func)),
      storage_(plan_storage(func, layout_)),
      barriers_(plan_barriers(func, layout_, storage_)),
      unrolled_(loops_to_unroll(func->body)) {
  if (layout_.warp_lanes) check_fragment_accesses(func);
  async_copies_ = has_async_copies(func);
}

void CudaEmitter::barrier_line() {
  if (async_copies_ && pipeline_loops_ > 0)
    line("// no cp.async wait: the copies in flight fill other pipeline stages");
  else if (async_copies_)
    line("wtc::cp_async_wait_all();  // the cp.async copies issued so far have landed");
  line("__syncthreads();");
}

// A vectorized 16-byte copy from global to shared memory annotated async_copy:
// cp.async, committed as one group (cuda_tensorcore.h).
void CudaEmitter::emit_async_copy(const ForNode& n) {
  auto [dst, src] = vector_copy_buffers(n);
  int64_t lanes = 0;
  is_const_int(n.extent, &lanes);
  auto it = storage_.kind.find(dst.get());
  bool to_shared = it != storage_.kind.end() && it->second != StorageKind::PerThread;
  bool from_global = std::find(func_->params.begin(), func_->params.end(), src) != func_->params.end();
  if (!to_shared || !from_global || lanes * dtype_bytes(dst->dtype) != 16)
    throw BuildError("function '" + func_->name + "': loop '" + n.loop_var->name +
                     "' is annotated async_copy but does not copy 16 bytes from a parameter ('" + src->name +
                     "') to shared memory ('" + dst->name + "')");
  emit_vector_copy(*this, n, true);
  if (commit_scopes_ == 0) line("wtc::cp_async_commit();");
}

// A software pipeline's fetch (software_pipeline.h): the copies of one iteration
// form one cp.async group, committed even when the fetch is skipped.
void CudaEmitter::emit_commit_scope(const ForNode& n) {
  std::string extent = expr(n.extent);
  std::string v = bind_var(n.loop_var);
  line("#pragma unroll");
  open("for (int64_t " + v + " = 0; " + v + " < " + extent + "; ++" + v + ")");
  ++commit_scopes_;
  stmt(n.body);
  --commit_scopes_;
  line("wtc::cp_async_commit();  // one group per pipeline stage (empty when nothing was fetched)");
  close();
}

// Whether the plan puts a barrier before some statement inside `body`.
static bool barrier_inside(const BarrierPlan& plan, const Stmt& body) {
  struct Inside : IRVisitor {
    const BarrierPlan* plan;
    bool found = false;
    void at(const Stmt& st) { found |= plan->before.count(st.get()) != 0; }
    void visit(const ForNode& x, const Stmt& st) override { at(st), IRVisitor::visit(x, st); }
    void visit(const BlockRealizeNode& x, const Stmt& st) override { at(st), IRVisitor::visit(x, st); }
    void visit(const BufferStoreNode& x, const Stmt& st) override { at(st), IRVisitor::visit(x, st); }
    void visit(const SeqStmtNode& x, const Stmt& st) override { at(st), IRVisitor::visit(x, st); }
    void visit(const IfThenElseNode& x, const Stmt& st) override { at(st), IRVisitor::visit(x, st); }
  } inside;
  inside.plan = &plan;
  inside.visit_stmt(body);
  return inside.found;
}

void CudaEmitter::barrier_before(const Stmt& s) {
  bool planned = barriers_.before.count(s.get()) != 0;
  const auto* loop = s.as<ForNode>();
  int64_t groups = loop ? loop_annotation_int(*loop, kAsyncWaitGroupKey) : -1;
  if (groups < 0) {
    if (planned) barrier_line();
    return;
  }
  // A pipeline's wait: the stage about to be read has landed, at most `groups`
  // later ones are in flight; the barrier makes it visible to every warp.
  if (!planned && layout_.launch.threads_per_block() > 1)
    throw BuildError("function '" + func_->name + "': the wait of loop '" + loop->loop_var->name +
                     "' needs a barrier, but threads diverge there");
  line("asm volatile(\"cp.async.wait_group " + std::to_string(groups) + ";\" : : : \"memory\");  // stage " +
       "ready, " + std::to_string(groups) + " later group(s) may still be in flight");
  if (planned) line("__syncthreads();");
}

// ---- loops ----------------------------------------------------------------------------

void CudaEmitter::emit_serial_loop(const ForNode& n, const std::string& pragma) {
  std::string extent = expr(n.extent);
  std::string v = bind_var(n.loop_var);
  if (!pragma.empty()) line(pragma);
  open("for (int64_t " + v + " = 0; " + v + " < " + extent + "; ++" + v + ")");
  stmt(n.body);
  close();
}

void CudaEmitter::emit_thread_loop(const ForNode& n) {
  int64_t extent = 0;
  is_const_int(n.extent, &extent);
  open("");
  std::string v = bind_var(n.loop_var);
  line("const int64_t " + v + " = (int64_t)" + n.thread_tag + ";  // loop '" + n.loop_var->name + "', extent " +
       std::to_string(extent));
  bool guarded = layout_.guarded.count(&n) != 0;
  if (guarded) open("if (" + v + " < " + std::to_string(extent) + ")");
  stmt(n.body);
  if (guarded) close();
  close();
}

void CudaEmitter::visit(const ForNode& n, const Stmt& s) {
  barrier_before(s);
  int64_t trip = 0;
  bool const_trip = is_const_int(n.extent, &trip) && trip > 0;
  if (n.annotations.count(kAsyncCopyKey) && n.for_kind != ForKind::Vectorized)
    throw BuildError("function '" + func_->name + "': loop '" + n.loop_var->name +
                     "' is annotated async_copy but is not vectorized (annotate the 16-byte vectorized copy loop)");
  if (loop_annotation_int(n, kSoftwarePipelineDepthKey) != -1 && loop_annotation_int(n, kSoftwarePipelineDepthKey) != 1)
    throw BuildError("function '" + func_->name + "': loop '" + n.loop_var->name + "' asks for a software pipeline, "
                     "which emit_cuda lowers first (codegen/software_pipeline.h); this emitter got it unlowered");
  if (n.annotations.count(kAsyncCommitGroupKey)) {
    emit_commit_scope(n);
    return;
  }
  if (n.annotations.count(kAsyncPipelineStagesKey)) {
    line("// software pipeline of " + std::to_string(loop_annotation_int(n, kAsyncPipelineStagesKey)) +
         " stages (cp.async)");
    ++pipeline_loops_;
    emit_serial_loop(n, const_trip && unrolled_.count(&n) ? "#pragma unroll" : "");
    --pipeline_loops_;
    return;
  }
  switch (n.for_kind) {
    case ForKind::ThreadBinding:
      if (is_block_tag(n.thread_tag) || is_thread_tag(n.thread_tag)) {
        emit_thread_loop(n);
      } else {
        line("// virtual thread loop '" + n.loop_var->name + "' (" + n.thread_tag + ")");
        emit_serial_loop(n, const_trip ? "#pragma unroll" : "");
      }
      return;
    case ForKind::Parallel:
      line("// parallel loop '" + n.loop_var->name + "' runs serially in each thread");
      emit_serial_loop(n, "");
      return;
    case ForKind::Vectorized: {
      std::string why = vector_copy_failure(n, layouts());
      if (why.empty()) {
        // One copy per thread: a barrier planned inside it (before its block) goes before it.
        if (barrier_inside(barriers_, n.body) && !barriers_.before.count(s.get())) barrier_line();
        if (n.annotations.count(kAsyncCopyKey))
          emit_async_copy(n);
        else
          emit_vector_copy(*this, n);
        return;
      }
      if (n.annotations.count(kAsyncCopyKey))
        throw BuildError("function '" + func_->name + "': loop '" + n.loop_var->name +
                         "' is annotated async_copy but is not one 16-byte copy: " + why);
      line("// vectorized loop '" + n.loop_var->name + "' runs as unrolled scalar code: " + why);
      emit_serial_loop(n, const_trip ? "#pragma unroll" : "");
      return;
    }
    case ForKind::Unrolled:
      if (const_trip && unrolled_.count(&n)) {
        emit_serial_loop(n, "#pragma unroll");
      } else {
        if (const_trip)
          line("// unrolled loop '" + n.loop_var->name + "' stays a loop: nested unrolling would exceed " +
               std::to_string(kMaxUnrolledCopies) + " copies (codegen/unroll_budget.h)");
        emit_serial_loop(n, "");
      }
      return;
    case ForKind::Serial: emit_serial_loop(n, ""); return;
  }
}

// ---- blocks and allocations ---------------------------------------------------------------

void CudaEmitter::declare_allocation(const Buffer& buf) {
  std::string name = bind_buffer(buf);
  std::string type = cuda_storage_type(buf->dtype);
  int64_t elements = allocated_elements(buf, layouts());
  int64_t bytes = elements * dtype_bytes(buf->dtype);
  if (auto it = storage_.note.find(buf.get()); it != storage_.note.end()) line("// " + buf->name + ": " + it->second);
  if (is_fragment_scope(buf->scope)) {
    line("__align__(16) " + std::string(fragment_register_type(buf)) + " " + name + "[" +
         std::to_string(fragment_registers(buf)) + "];  // " + buf->scope + " fragment: this lane's registers");
    return;
  }
  if (storage_.per_warp.count(buf.get())) {
    declare_warp_slices(buf, name, type, (bytes + 15) / 16 * 16);
    return;
  }
  switch (storage_.kind.at(buf.get())) {
    case StorageKind::PerThread:
      line("__align__(16) " + type + " " + name + "[" + std::to_string(elements) + "];");
      return;
    case StorageKind::Shared: {
      reserve_static_shared(*buf, bytes);
      line("__shared__ __align__(16) " + type + " " + name + "[" + std::to_string(elements) + "];");
      return;
    }
    case StorageKind::SharedDyn: {
      auto [it, fresh] = dynamic_offsets_.emplace(buf.get(), dynamic_bytes_);
      if (fresh) dynamic_bytes_ += (bytes + 15) / 16 * 16;
      line(type + "* __restrict__ " + name + " = reinterpret_cast<" + type + "*>(weft_dynamic_shared + " +
           std::to_string(it->second) + ");  // " + std::to_string(bytes) + " bytes");
      return;
    }
  }
}

// Counts `bytes` of static shared memory for `buf` (16-byte aligned) against the limit.
void CudaEmitter::reserve_static_shared(const BufferNode& buf, int64_t bytes) {
  static_shared_[&buf] = bytes;
  int64_t total = 0;
  for (const auto& [b, n] : static_shared_) total += (n + 15) / 16 * 16;
  if (total > kMaxStaticSharedBytes)
    throw BuildError("function '" + func_->name + "': shared buffers up to '" + buf.name + "' need " +
                     std::to_string(total) + " bytes of static shared memory, over the limit of " +
                     std::to_string(kMaxStaticSharedBytes) + " (use scope shared.dyn for more)");
}

// A block-wide array with one 16-byte aligned slice of `slice_bytes` per warp.
void CudaEmitter::declare_warp_slices(const Buffer& buf, const std::string& name, const std::string& type,
                                      int64_t slice_bytes) {
  const LaunchDims& l = layout_.launch;
  int64_t warps = l.block[1] * l.block[2];
  std::string warp = "((int64_t)threadIdx.z * " + std::to_string(l.block[1]) + " + (int64_t)threadIdx.y)";
  if (storage_.kind.at(buf.get()) == StorageKind::SharedDyn) {
    auto [it, fresh] = dynamic_offsets_.emplace(buf.get(), dynamic_bytes_);
    if (fresh) dynamic_bytes_ += slice_bytes * warps;
    line(type + "* __restrict__ " + name + " = reinterpret_cast<" + type + "*>(weft_dynamic_shared + " +
         std::to_string(it->second) + " + " + warp + " * " + std::to_string(slice_bytes) + ");  // this warp's slice");
    return;
  }
  reserve_static_shared(*buf, slice_bytes * warps);
  std::string all = fresh_name(buf->name + "_warps");
  int64_t slice = slice_bytes / dtype_bytes(buf->dtype);
  line("__shared__ __align__(16) " + type + " " + all + "[" + std::to_string(slice * warps) + "];");
  line(type + "* __restrict__ " + name + " = " + all + " + " + warp + " * " + std::to_string(slice) +
       ";  // this warp's slice");
}

void CudaEmitter::emit_block_contents(const BlockNode& b) {
  for (const Buffer& buf : b.alloc_buffers) declare_allocation(buf);
  if (b.init) {
    open("if (" + init_condition(b) + ")");
    stmt(b.init);
    close();
  }
  stmt(b.body);
}

void CudaEmitter::visit(const BlockRealizeNode& n, const Stmt& s) {
  barrier_before(s);
  const BlockNode& b = *n.block;
  if (!tensor_intrinsic_of(b).empty()) {
    // A barrier the plan puts inside the intrinsic's scalar body goes before the
    // block: between the two places only the intrinsic's own accesses run, and
    // its lanes touch disjoint elements.
    if (barrier_inside(barriers_, b.body) && !barriers_.before.count(s.get())) barrier_line();
    emit_tensor_intrinsic(*this, n);
    return;
  }
  open("");
  line("// block " + b.name);
  declare_iterators(n);
  bool guarded = !is_const_true(n.predicate);
  if (guarded) open("if (" + expr(n.predicate) + ")");
  emit_block_contents(b);
  if (guarded) close();
  close();
}

// ---- statements ----------------------------------------------------------------------------

void CudaEmitter::visit(const BufferStoreNode& n, const Stmt& s) {
  barrier_before(s);
  auto guard = storage_.store_guards.find(&n);
  if (guard == storage_.store_guards.end()) {
    CppEmitter::visit(n, s);
    return;
  }
  std::string cond;
  for (const std::string& tag : guard->second) cond += (cond.empty() ? "" : " && ") + tag + " == 0";
  open("if (" + cond + ")");
  CppEmitter::visit(n, s);
  close();
}

void CudaEmitter::visit(const SeqStmtNode& n, const Stmt& s) {
  barrier_before(s);
  CppEmitter::visit(n, s);
}

void CudaEmitter::visit(const IfThenElseNode& n, const Stmt& s) {
  barrier_before(s);
  CppEmitter::visit(n, s);
}

// ---- the kernel -------------------------------------------------------------------------------

static std::string dims(const std::array<int64_t, 3>& d) {
  return "(" + std::to_string(d[0]) + ", " + std::to_string(d[1]) + ", " + std::to_string(d[2]) + ")";
}

std::string cuda_translation_unit(const std::string& functions) {
  bool half = functions.find("f16") != std::string::npos || functions.find("__half") != std::string::npos ||
              functions.find("bfloat16") != std::string::npos;
  return cuda_prelude(half) + (functions.find("wtc::") != std::string::npos ? tensorcore_prelude() : "") + functions;
}

CudaKernel CudaEmitter::emit_kernel(const std::string& symbol) {
  CudaKernel kernel = emit_function(symbol);
  kernel.source = cuda_translation_unit(kernel.source);
  return kernel;
}

CudaKernel CudaEmitter::emit_function(const std::string& symbol) {
  check_symbol_name(symbol);
  take_output();
  set_indent(0);
  std::string signature = "// " + func_->name + "(";
  std::string params;
  for (size_t i = 0; i < func_->params.size(); ++i) {
    const Buffer& p = func_->params[i];
    signature += (i ? ", " : "") + p->name + ": " + std::string(dtype_name(p->dtype)) + "[";
    for (int d = 0; d < p->ndim(); ++d) signature += (d ? ", " : "") + std::to_string(p->shape[d]);
    signature += "]";
    params += (i ? ", " : "") + std::string(cuda_storage_type(p->dtype)) + "* __restrict__ " + bind_buffer(p);
  }
  line(signature + ")");
  const LaunchDims& launch = layout_.launch;
  line("// launch: grid " + dims(launch.grid) + ", block " + dims(launch.block));
  open("extern \"C\" __global__ void __launch_bounds__(" + std::to_string(launch.threads_per_block()) + ") " + symbol +
       "(" + params + ")");
  bool dynamic = false;
  for (const auto& [buffer, kind] : storage_.kind) dynamic |= kind == StorageKind::SharedDyn;
  if (dynamic) line("extern __shared__ __align__(16) unsigned char weft_dynamic_shared[];");
  emit_block_contents(func_->root_block());
  close();
  CudaKernel kernel;
  kernel.name = symbol;
  kernel.source = take_output();
  kernel.launch = launch;
  kernel.launch.dynamic_shared_bytes = dynamic_bytes_;
  kernel.launches = {CudaLaunch{symbol, kernel.launch, {}}};
  return kernel;
}

CudaKernel emit_cuda(const PrimFunc& func, const std::string& symbol) {
  if (!func) throw UsageError("emit_cuda: null function");
  check_symbol_name(symbol);
  // One kernel per top-level nest bound to its own grid (cuda_split_kernels.h).
  // Pipelining stages the compacted per-iteration tiles (software_pipeline.h).
  return emit_split_kernels(split_kernels(software_pipeline(compact_buffers(func))), symbol);
}

}  // namespace weft::codegen
