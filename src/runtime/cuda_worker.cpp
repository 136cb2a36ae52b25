#include "runtime/cuda_worker.h"

#include <algorithm>
#include <climits>

#include <fmt/format.h>

#include "runtime/cuda_driver.h"
#include "runtime/output_check.h"
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

void launch(const Session& s, CUfunction fn, const codegen::LaunchDims& dims) {
  unsigned int g[3], b[3];
  for (int i = 0; i < 3; ++i) {
    g[i] = launch_extent(dims.grid[static_cast<size_t>(i)], "grid", i);
    b[i] = launch_extent(dims.block[static_cast<size_t>(i)], "block", i);
  }
  std::vector<void*> params;
  for (const CUdeviceptr& p : s.args) params.push_back(const_cast<CUdeviceptr*>(&p));
  WEFT_CU(*s.d, cuLaunchKernel, fn, g[0], g[1], g[2], b[0], b[1], b[2],
          static_cast<unsigned int>(dims.dynamic_shared_bytes), nullptr, params.data(), nullptr);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Loads, checks and times one candidate. A sticky error sets `poisoned`.
MeasureResult run_one(const Session& s, const Job& job, const CudaBinary& binary, bool& poisoned) {
  const CudaDriver& d = *s.d;
  MeasureResult r;
  LoadedModule loaded{d};
  CUfunction fn = nullptr;
  try {
    if (binary.cubin.empty()) throw RuntimeError("kernel '" + binary.kernel.name + "' has an empty image");
    WEFT_CU(d, cuModuleLoadData, &loaded.module, binary.cubin.data());
    WEFT_CU(d, cuModuleGetFunction, &fn, loaded.module, binary.kernel.name.c_str());
  } catch (const Error& e) {
    // The image does not load on this GPU (wrong arch, no such entry point): a build problem.
    r.status = MeasureStatus::BuildError;
    r.error = "loading kernel '" + binary.kernel.name + "': " + e.what();
    if (auto* cuda = dynamic_cast<const CudaError*>(&e)) poisoned = cuda->sticky();
    return r;
  }
  try {
    const codegen::LaunchDims& dims = binary.kernel.launch;
    if (dims.dynamic_shared_bytes < 0 || dims.dynamic_shared_bytes > INT_MAX)
      throw RuntimeError(fmt::format("dynamic shared memory of {} bytes is out of range", dims.dynamic_shared_bytes));
    // Above the default 48 KiB a kernel must opt in to its dynamic shared memory.
    if (dims.dynamic_shared_bytes > 0)
      WEFT_CU(d, cuFuncSetAttribute, fn, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
              static_cast<int>(dims.dynamic_shared_bytes));
    const auto& inputs = *job.inputs;
    for (size_t i = 0; i < inputs.size(); ++i)
      WEFT_CU(d, cuMemcpyHtoD, s.args[i], inputs[i].data(), static_cast<size_t>(inputs[i].bytes()));
    launch(s, fn, dims);
    WEFT_CU(d, cuCtxSynchronize);

    std::vector<ir::NDArray> actual = inputs;
    for (size_t i = inputs.size() - static_cast<size_t>(job.num_outputs); i < inputs.size(); ++i)
      WEFT_CU(d, cuMemcpyDtoH, actual[i].data(), s.args[i], static_cast<size_t>(actual[i].bytes()));
    if (auto bad = output_mismatch(*job.func, job.num_outputs, *job.expected, actual)) {
      r.status = MeasureStatus::WrongResult;
      r.error = "output '" + bad->param + "' differs from the reference: " + bad->message;
      return r;
    }

    for (int i = 0; i < job.warmup; ++i) launch(s, fn, dims);
    WEFT_CU(d, cuCtxSynchronize);
    for (int i = 0; i < job.repeats; ++i) {
      // Ordered before the start event on the same stream, so it is not timed.
      if (s.flush) WEFT_CU(d, cuMemsetD8, s.flush, static_cast<unsigned char>(i), s.flush_bytes);
      WEFT_CU(d, cuEventRecord, s.start, nullptr);
      launch(s, fn, dims);
      WEFT_CU(d, cuEventRecord, s.stop, nullptr);
      WEFT_CU(d, cuEventSynchronize, s.stop);
      float ms = 0;
      WEFT_CU(d, cuEventElapsedTime, &ms, s.start, s.stop);
      r.latencies_us.push_back(static_cast<double>(ms) * 1e3);
    }
    r.median_us = median(r.latencies_us);
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
