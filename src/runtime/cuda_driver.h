// The CUDA driver API, opened at run time: weft never links libcuda, so one binary
// runs (and compiles CUDA kernels with NVRTC) on machines without a GPU. <cuda.h>
// supplies only types and enums; every call goes through a pointer resolved with
// dlsym, by the versioned name the header maps it to (cuMemAlloc -> cuMemAlloc_v2).
//
// Loading the library does not initialise CUDA. Only the process that will own a
// context should call init(): the measurer's parent never does, so a kernel that
// faults can poison only a worker process (see cuda_worker.h).
#pragma once

#if !__has_include(<cuda.h>)
#error "weft's CUDA runner needs the CUDA toolkit headers (cuda.h); install the toolkit or point CMake at it"
#endif
#include <cuda.h>

#include <string>

#include "support/error.h"

namespace weft::runtime {

// No usable GPU: the driver library is missing, too old, or finds no device.
// what() is "no GPU found: <reason>".
class NoGpuError : public Error {
 public:
  explicit NoGpuError(const std::string& reason) : Error("no GPU found: " + reason), reason_(reason) {}
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

// A driver call that failed: names the call and the driver's error name and text.
class CudaError : public RuntimeError {
 public:
  CudaError(CUresult code, const std::string& call, const std::string& name, const std::string& text)
      : RuntimeError(call + " failed: " + name + " (" + text + ")"), code_(code), call_(call), name_(name) {}
  CUresult code() const { return code_; }
  const std::string& call() const { return call_; }
  const std::string& error_name() const { return name_; }  // e.g. CUDA_ERROR_ILLEGAL_ADDRESS
  // A sticky error leaves the context unusable: the process must end to recover.
  bool sticky() const;

 private:
  CUresult code_;
  std::string call_;
  std::string name_;
};

// The driver's entry points. One instance per process, loaded on first use.
struct CudaDriver {
#define WEFT_CUDA_DRIVER_FUNCTIONS(X)                                              \
  X(cuGetErrorName) X(cuGetErrorString) X(cuInit) X(cuDriverGetVersion)          \
  X(cuDeviceGetCount) X(cuDeviceGet) X(cuDeviceGetName) X(cuDeviceGetAttribute)   \
  X(cuDeviceTotalMem) X(cuDevicePrimaryCtxRetain) X(cuDevicePrimaryCtxRelease)    \
  X(cuCtxSetCurrent) X(cuCtxSynchronize) X(cuModuleLoadData) X(cuModuleUnload)    \
  X(cuModuleGetFunction) X(cuFuncGetAttribute) X(cuFuncSetAttribute)              \
  X(cuLaunchKernel) X(cuMemAlloc) X(cuMemFree) X(cuMemcpyHtoD) X(cuMemcpyDtoH)    \
  X(cuMemsetD8) X(cuEventCreate) X(cuEventDestroy) X(cuEventRecord)               \
  X(cuEventSynchronize) X(cuEventElapsedTime)
#define WEFT_CUDA_DRIVER_POINTER(fn) decltype(&::fn) fn = nullptr;
  WEFT_CUDA_DRIVER_FUNCTIONS(WEFT_CUDA_DRIVER_POINTER)
#undef WEFT_CUDA_DRIVER_POINTER

  // Throws CudaError naming `call` unless `result` is CUDA_SUCCESS.
  void check(CUresult result, const char* call) const;
  // "CUDA_ERROR_..." for a result code, or the number when the driver does not know it.
  std::string error_name(CUresult result) const;

  // cuInit(0) and at least one device, or NoGpuError with the driver's reason.
  void init() const;
};

// Opens the driver library (libcuda.so.1) once per process and resolves every entry
// point; NoGpuError when it cannot be opened or lacks one (a driver too old).
const CudaDriver& cuda_driver();

}  // namespace weft::runtime

// Calls a driver function and throws CudaError naming it when it fails.
#define WEFT_CU(driver, fn, ...) (driver).check((driver).fn(__VA_ARGS__), #fn)
