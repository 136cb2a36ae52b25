#include "runtime/cuda_driver.h"

#include <dlfcn.h>

#include <mutex>
#include <optional>
#include <variant>

namespace weft::runtime {
namespace {

#define WEFT_CUDA_STR2(x) #x
#define WEFT_CUDA_STR(x) WEFT_CUDA_STR2(x)

constexpr const char* kDriverLibrary = "libcuda.so.1";

// Entry points whose versioned symbol is newer than drivers weft still supports and
// whose unversioned symbol has the same signature (cuEventElapsedTime_v2: driver 12.8).
bool has_compatible_plain_symbol(const std::string& plain) { return plain == "cuEventElapsedTime"; }

template <typename Fn>
void resolve(void* library, Fn& slot, const char* versioned, const char* plain) {
  void* symbol = dlsym(library, versioned);
  if (!symbol && has_compatible_plain_symbol(plain)) symbol = dlsym(library, plain);
  if (!symbol)
    throw NoGpuError(std::string("the NVIDIA driver (") + kDriverLibrary + ") lacks " + versioned +
                     "; it is older than weft's CUDA headers (" + std::to_string(CUDA_VERSION / 1000) + "." +
                     std::to_string(CUDA_VERSION % 1000 / 10) + ") need");
  slot = reinterpret_cast<Fn>(symbol);
}

CudaDriver load_driver() {
  // RTLD_LOCAL: nothing else in the process binds to the driver's symbols by accident.
  void* library = dlopen(kDriverLibrary, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char* why = dlerror();
    throw NoGpuError(std::string("the NVIDIA driver library ") + kDriverLibrary + " cannot be opened (" +
                     (why ? why : "unknown reason") + "); running CUDA kernels needs an NVIDIA GPU and its driver");
  }
  CudaDriver d;
#define WEFT_CUDA_RESOLVE(fn) resolve(library, d.fn, WEFT_CUDA_STR(fn), #fn);
  WEFT_CUDA_DRIVER_FUNCTIONS(WEFT_CUDA_RESOLVE)
#undef WEFT_CUDA_RESOLVE
  // The library stays open for the life of the process: kernels and contexts refer to it.
  return d;
}

}  // namespace

bool CudaError::sticky() const {
  // The errors after which the context is corrupt (cuda.h: "the process must be
  // terminated and relaunched"), plus a watchdog timeout, which does the same.
  switch (code_) {
    case CUDA_ERROR_ILLEGAL_ADDRESS:
    case CUDA_ERROR_LAUNCH_FAILED:
    case CUDA_ERROR_LAUNCH_TIMEOUT:
    case CUDA_ERROR_HARDWARE_STACK_ERROR:
    case CUDA_ERROR_ILLEGAL_INSTRUCTION:
    case CUDA_ERROR_MISALIGNED_ADDRESS:
    case CUDA_ERROR_INVALID_ADDRESS_SPACE:
    case CUDA_ERROR_INVALID_PC:
    case CUDA_ERROR_ASSERT:
    case CUDA_ERROR_ECC_UNCORRECTABLE:
    case CUDA_ERROR_CONTEXT_IS_DESTROYED:
    case CUDA_ERROR_NOT_INITIALIZED:
    case CUDA_ERROR_DEINITIALIZED:
      return true;
    default:
      return false;
  }
}

std::string CudaDriver::error_name(CUresult result) const {
  const char* name = nullptr;
  if (cuGetErrorName && cuGetErrorName(result, &name) == CUDA_SUCCESS && name) return name;
  return "CUDA error " + std::to_string(static_cast<int>(result));
}

void CudaDriver::check(CUresult result, const char* call) const {
  if (result == CUDA_SUCCESS) return;
  const char* text = nullptr;
  if (!cuGetErrorString || cuGetErrorString(result, &text) != CUDA_SUCCESS || !text) text = "no description";
  throw CudaError(result, call, error_name(result), text);
}

void CudaDriver::init() const {
  CUresult r = cuInit(0);
  if (r != CUDA_SUCCESS) {
    const char* text = nullptr;
    if (cuGetErrorString(r, &text) != CUDA_SUCCESS || !text) text = "no description";
    throw NoGpuError("cuInit failed: " + error_name(r) + " (" + text + ")");
  }
  int count = 0;
  check(cuDeviceGetCount(&count), "cuDeviceGetCount");
  if (count < 1) throw NoGpuError("the NVIDIA driver reports no CUDA device");
}

const CudaDriver& cuda_driver() {
  // Loaded once; a failure is remembered too, so every caller gets the same reason.
  static std::once_flag once;
  static std::variant<std::monostate, CudaDriver, NoGpuError> state;
  std::call_once(once, [] {
    try {
      state = load_driver();
    } catch (const NoGpuError& e) {
      state = e;
    }
  });
  if (auto* e = std::get_if<NoGpuError>(&state)) throw *e;
  return std::get<CudaDriver>(state);
}

}  // namespace weft::runtime
