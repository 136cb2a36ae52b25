// PrimFunc -> one CUDA kernel (see cuda_kernel.h for the ABI).
//
// The kernel is `extern "C" __global__ void <symbol>(T* __restrict__ b_<param>...)`
// with f16 as __half, bf16 as __nv_bfloat16, bool as uint8_t; expressions are
// emitted by CppEmitter against the device `wrt::` helpers of cuda_prelude.h.
// Lowering, in order: buffer compaction (compact_buffers.h), then
//   - thread bindings (cuda_threads.h): a blockIdx/threadIdx loop becomes
//     `const int64_t v = threadIdx.x;`, guarded by `if (v < extent)` when its
//     extent is below the launch extent; vthread loops are unrolled serial loops.
//     A program without bindings is a single-thread kernel (grid 1, block 1).
//   - storage (cuda_storage.h): per-thread arrays, `__shared__` arrays, slices of
//     `extern __shared__` memory for "shared.dyn" (launch.dynamic_shared_bytes);
//     stores to block-visible buffers outside some thread axis run in thread 0
//     of it; at most 48 KiB of static shared memory (BuildError beyond).
//   - barriers (barrier_insertion.h): `__syncthreads();` where threads of a block
//     exchange data through a buffer.
//   - loops: serial -> for; unrolled -> `#pragma unroll` (within the budget of
//     unroll_budget.h); parallel -> serial in each thread (with a comment);
//     vectorized -> one 8- or 16-byte copy when the loop copies a contiguous,
//     provably aligned run of elements (cuda_vector_copy.h), else an unrolled
//     scalar loop with a comment saying why.
//   - block predicates (non-divisible tiles) and `if`s -> `if`.
//   - tensor-core intrinsic blocks, fragments and cp.async: cuda_tensorcore.h;
//     multi-stage cp.async pipelines: software_pipeline.h (run after compaction).
#pragma once

#include <map>
#include <string>
#include <unordered_set>

#include "codegen/barrier_insertion.h"
#include "codegen/cpp_emitter.h"
#include "codegen/cuda_kernel.h"
#include "codegen/cuda_storage.h"
#include "codegen/cuda_threads.h"

namespace weft::codegen {

// The kernels of `func` named after `symbol` (an identifier, not a keyword:
// BuildError otherwise): one kernel for a single loop nest, one per top-level nest
// bound to its own grid otherwise (cuda_split_kernels.h). BuildError for programs
// that cannot run as such kernels (see the headers above).
CudaKernel emit_cuda(const ir::PrimFunc& func, const std::string& symbol);

// The preludes `functions` (emitted `__global__` functions) need, then `functions`.
std::string cuda_translation_unit(const std::string& functions);

// How a buffer element is stored in CUDA code.
const char* cuda_storage_type(ir::DType t);

// Static shared memory a kernel may declare.
inline constexpr int64_t kMaxStaticSharedBytes = 48 * 1024;

class CudaEmitter : public CppEmitter {
 public:
  // `func` is emitted as given (emit_cuda compacts buffers first).
  explicit CudaEmitter(const ir::PrimFunc& func);
  CudaKernel emit_kernel(const std::string& symbol);
  // emit_kernel without the preludes: `source` is the `__global__` function alone.
  CudaKernel emit_function(const std::string& symbol);

  const ThreadLayout& layout() const { return layout_; }
  const StoragePlan& storage() const { return storage_; }
  const BarrierPlan& barriers() const { return barriers_; }

 protected:
  void visit(const ir::ForNode& n, const ir::Stmt& s) override;
  void visit(const ir::BlockRealizeNode& n, const ir::Stmt& s) override;
  void visit(const ir::BufferStoreNode& n, const ir::Stmt& s) override;
  void visit(const ir::SeqStmtNode& n, const ir::Stmt& s) override;
  void visit(const ir::IfThenElseNode& n, const ir::Stmt& s) override;

 private:
  void barrier_before(const ir::Stmt& s);
  void emit_block_contents(const ir::BlockNode& block);
  void declare_allocation(const ir::Buffer& buffer);
  void reserve_static_shared(const ir::BufferNode& buffer, int64_t bytes);
  void declare_warp_slices(const ir::Buffer& buffer, const std::string& name, const std::string& type,
                           int64_t slice_bytes);
  void emit_thread_loop(const ir::ForNode& n);
  void emit_serial_loop(const ir::ForNode& n, const std::string& pragma);

  // `__syncthreads();`, after waiting for the cp.async copies when the kernel issues
  // them, except inside a software pipeline (software_pipeline.h), whose wait scopes
  // wait for their own stage.
  void barrier_line();
  void emit_async_copy(const ir::ForNode& n);
  void emit_commit_scope(const ir::ForNode& n);

  ir::PrimFunc func_;
  bool async_copies_ = false;  // some loop is annotated async_copy
  int pipeline_loops_ = 0;     // enclosing software-pipelined loops
  int commit_scopes_ = 0;      // enclosing commit scopes: copies are committed per stage
  ThreadLayout layout_;
  StoragePlan storage_;
  BarrierPlan barriers_;
  std::unordered_set<const ir::ForNode*> unrolled_;
  std::map<const ir::BufferNode*, int64_t> dynamic_offsets_;
  int64_t dynamic_bytes_ = 0;
  std::map<const ir::BufferNode*, int64_t> static_shared_;
};

}  // namespace weft::codegen
