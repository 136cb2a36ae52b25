#include "runtime/cuda_worker.h"

#include <algorithm>
#include <climits>

#include <fmt/format.h>

#include "runtime/cuda_driver.h"
#include "runtime/output_check.h"
#include "runtime/runner.h"
#include "support/error.h"

namespace weft::runtime::cuda_worker {
namespace {

// ---- the child: one context, one set of device buffers for every candidate --------

// Everything lives until the worker exits, which releases it all at once.
struct Session {
  const CudaDriver* d = nullptr;
  CUdevice device = 0;
  std::vector<CUdeviceptr> args;  // one buffer per parameter, reused by every candidate
  CUdeviceptr flush = 0;          // overwritten before each timed launch to empty the L2
  size_t flush_bytes = 0;
  CUevent start = nullptr, stop = nullptr;
};

Session open_session(const Job& job) {
  Session s;
  s.d = &cuda_driver();
  const CudaDriver& d = *s.d;
  d.init();
  WEFT_CU(d, cuDeviceGet, &s.device, job.device);
  CUcontext context = nullptr;
  WEFT_CU(d, cuDevicePrimaryCtxRetain, &context, s.device);
  WEFT_CU(d, cuCtxSetCurrent, context);
  for (const ir::NDArray& a : *job.inputs) {
    CUdeviceptr p = 0;
    // cuMemAlloc refuses 0 bytes; an empty tensor still gets a valid pointer.
    WEFT_CU(d, cuMemAlloc, &p, std::max<size_t>(static_cast<size_t>(a.bytes()), 256));
    s.args.push_back(p);
  }
  if (job.flush_l2) {
    int l2 = 0;
    WEFT_CU(d, cuDeviceGetAttribute, &l2, CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, s.device);
    s.flush_bytes = std::max<size_t>(2 * static_cast<size_t>(l2), 8u << 20);
    WEFT_CU(d, cuMemAlloc, &s.flush, s.flush_bytes);
  }
  WEFT_CU(d, cuEventCreate, &s.start, CU_EVENT_DEFAULT);
  WEFT_CU(d, cuEventCreate, &s.stop, CU_EVENT_DEFAULT);
  return s;
}

// Unloads a candidate's module when its run ends, so a long batch does not pile up modules.
struct LoadedModule {
  const CudaDriver& d;
  CUmodule module = nullptr;
  ~LoadedModule() {
    if (module) d.cuModuleUnload(module);
  }
};

unsigned int launch_extent(int64_t value, const char* what, int axis) {
  if (value < 1 || value > static_cast<int64_t>(UINT_MAX))
    throw RuntimeError(fmt::format("launch {} extent {} on axis {} is out of range", what, value, "xyz"[axis]));
  return static_cast<unsigned int>(value);
}

// The entry points of one candidate, their arguments and its scratch memory,
// released when its run ends.
struct Program {
  const CudaDriver& d;
  std::vector<CUfunction> functions;
  std::vector<codegen::LaunchDims> dims;
  std::vector<std::vector<CUdeviceptr>> args;  // per launch: the parameters, then its scratch buffers
  std::vector<CUdeviceptr> scratch;
  ~Program() {
    for (CUdeviceptr p : scratch) d.cuMemFree(p);
  }
};

// Every launch's entry point in the loaded module.
void find_functions(const CudaDriver& d, CUmodule module, const codegen::CudaKernel& kernel, Program& program) {
  for (const codegen::CudaLaunch& l : kernel.kernel_launches()) {
    for (int i : l.scratch_args)
      if (i < 0 || static_cast<size_t>(i) >= kernel.scratch.size())
        throw RuntimeError(fmt::format("kernel '{}' names scratch buffer {} of {}", l.name, i, kernel.scratch.size()));
    CUfunction fn = nullptr;
    WEFT_CU(d, cuModuleGetFunction, &fn, module, l.name.c_str());
    program.functions.push_back(fn);
    program.dims.push_back(l.launch);
  }
}

// The scratch buffers (once per candidate, shared by its kernels) and each launch's arguments.
void allocate_arguments(const Session& s, const codegen::CudaKernel& kernel, Program& program) {
  for (const codegen::ScratchBuffer& buf : kernel.scratch) {
    if (buf.elements < 0) throw RuntimeError(fmt::format("scratch buffer '{}' has a negative size", buf.name));
    CUdeviceptr p = 0;
    WEFT_CU(*s.d, cuMemAlloc, &p, std::max<size_t>(static_cast<size_t>(buf.bytes()), 256));
    program.scratch.push_back(p);
    // All-ones bytes are NaN in every float type: a kernel reading scratch before
    // another wrote it computes a wrong result instead of reusing an earlier
    // candidate's values left in the same memory.
    WEFT_CU(*s.d, cuMemsetD8, p, 0xFF, static_cast<size_t>(buf.bytes()));
  }
  for (const codegen::CudaLaunch& l : kernel.kernel_launches()) {
    std::vector<CUdeviceptr> args = s.args;
    for (int i : l.scratch_args) args.push_back(program.scratch[static_cast<size_t>(i)]);
    program.args.push_back(std::move(args));
  }
}

void launch(const Session& s, CUfunction fn, const codegen::LaunchDims& dims, const std::vector<CUdeviceptr>& args) {
  unsigned int g[3], b[3];
  for (int i = 0; i < 3; ++i) {
    g[i] = launch_extent(dims.grid[static_cast<size_t>(i)], "grid", i);
    b[i] = launch_extent(dims.block[static_cast<size_t>(i)], "block", i);
  }
  std::vector<void*> params;
  for (const CUdeviceptr& p : args) params.push_back(const_cast<CUdeviceptr*>(&p));
  WEFT_CU(*s.d, cuLaunchKernel, fn, g[0], g[1], g[2], b[0], b[1], b[2],
          static_cast<unsigned int>(dims.dynamic_shared_bytes), nullptr, params.data(), nullptr);
}

// Every kernel of the program, in order on the default stream: each starts after
// the previous one finished, which is the dependency between them.
void launch_all(const Session& s, const Program& program) {
  for (size_t k = 0; k < program.functions.size(); ++k)
    launch(s, program.functions[k], program.dims[k], program.args[k]);
}

// Loads, checks and times one candidate. A sticky error sets `poisoned`.
MeasureResult run_one(const Session& s, const Job& job, const CudaBinary& binary, bool& poisoned) {
  const CudaDriver& d = *s.d;
  MeasureResult r;
  LoadedModule loaded{d};
  Program program{d, {}, {}, {}, {}};
  try {
    if (binary.cubin.empty()) throw RuntimeError("kernel '" + binary.kernel.name + "' has an empty image");
    WEFT_CU(d, cuModuleLoadData, &loaded.module, binary.cubin.data());
    find_functions(d, loaded.module, binary.kernel, program);
  } catch (const Error& e) {
    // The image does not load on this GPU (wrong arch, no such entry point): a build problem.
    r.status = MeasureStatus::BuildError;
    r.error = "loading kernel '" + binary.kernel.name + "': " + e.what();
    if (auto* cuda = dynamic_cast<const CudaError*>(&e)) poisoned = cuda->sticky();
    return r;
  }
  try {
    allocate_arguments(s, binary.kernel, program);
    for (size_t k = 0; k < program.functions.size(); ++k) {
      const codegen::LaunchDims& dims = program.dims[k];
      if (dims.dynamic_shared_bytes < 0 || dims.dynamic_shared_bytes > INT_MAX)
        throw RuntimeError(fmt::format("dynamic shared memory of {} bytes is out of range", dims.dynamic_shared_bytes));
      // Above the default 48 KiB a kernel must opt in to its dynamic shared memory.
      if (dims.dynamic_shared_bytes > 0)
        WEFT_CU(d, cuFuncSetAttribute, program.functions[k], CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
                static_cast<int>(dims.dynamic_shared_bytes));
    }
    const auto& inputs = *job.inputs;
    for (size_t i = 0; i < inputs.size(); ++i)
      WEFT_CU(d, cuMemcpyHtoD, s.args[i], inputs[i].data(), static_cast<size_t>(inputs[i].bytes()));
    launch_all(s, program);
    WEFT_CU(d, cuCtxSynchronize);

    // Outputs are read after the whole sequence.
    std::vector<ir::NDArray> actual = inputs;
    for (size_t i = inputs.size() - static_cast<size_t>(job.num_outputs); i < inputs.size(); ++i)
      WEFT_CU(d, cuMemcpyDtoH, actual[i].data(), s.args[i], static_cast<size_t>(actual[i].bytes()));
    if (auto bad = output_mismatch(*job.func, job.num_outputs, *job.expected, actual)) {
      r.status = MeasureStatus::WrongResult;
      r.error = "output '" + bad->param + "' differs from the reference: " + bad->message;
      return r;
    }

    for (int i = 0; i < job.warmup; ++i) launch_all(s, program);
    WEFT_CU(d, cuCtxSynchronize);
    for (int i = 0; i < job.repeats; ++i) {
      // Ordered before the start event on the same stream, so it is not timed.
      if (s.flush) WEFT_CU(d, cuMemsetD8, s.flush, static_cast<unsigned char>(i), s.flush_bytes);
      // One pair of events around the whole sequence of kernels.
      WEFT_CU(d, cuEventRecord, s.start, nullptr);
      launch_all(s, program);
      WEFT_CU(d, cuEventRecord, s.stop, nullptr);
      WEFT_CU(d, cuEventSynchronize, s.stop);
      float ms = 0;
      WEFT_CU(d, cuEventElapsedTime, &ms, s.start, s.stop);
      r.latencies_us.push_back(static_cast<double>(ms) * 1e3);
    }
    r.median_us = median_of(r.latencies_us);
  } catch (const CudaError& e) {
    r = MeasureResult{MeasureStatus::RunError, 0, {}, e.what()};
    poisoned = e.sticky();
  } catch (const std::exception& e) {
    r = MeasureResult{MeasureStatus::RunError, 0, {}, e.what()};
  }
  return r;
}

void child_main(const Job& job, size_t first, int fd) {
  Session s;
  try {
    s = open_session(job);
  } catch (const std::exception& e) {
    worker::send_result(fd, kReady, MeasureResult{MeasureStatus::RunError, 0, {}, e.what()});
    return;
  }
  worker::send_result(fd, kReady, MeasureResult{});
  for (size_t i = first; i < job.binaries->size(); ++i) {
    const auto& binary = (*job.binaries)[i];
    if (!binary) continue;
    bool poisoned = false;
    worker::send_result(fd, i, run_one(s, job, *binary, poisoned));
    if (poisoned) {
      worker::send_result(fd, kRetiring, MeasureResult{});
      return;
    }
  }
}

}  // namespace

worker::Worker start(const Job& job, size_t first) {
  if (job.repeats < 1 || job.warmup < 0)
    throw UsageError(fmt::format("CUDA measurement needs repeats >= 1 and warmup >= 0 (got {} and {})", job.repeats,
                                 job.warmup));
  return worker::start_process([&](int fd) { child_main(job, first, fd); });
}

void await_ready(worker::Worker& w, double timeout_s) {
  MeasureResult failure;
  auto got = worker::next_result(w, timeout_s, failure);
  if (!got) throw RuntimeError("the CUDA measurement worker did not start: " + failure.error);
  if (got->first != kReady) throw InternalError("the CUDA measurement worker answered before it was ready");
  if (got->second.status != MeasureStatus::Ok) {
    worker::stop(w);
    throw RuntimeError("the CUDA measurement worker could not start: " + got->second.error);
  }
}

}  // namespace weft::runtime::cuda_worker
