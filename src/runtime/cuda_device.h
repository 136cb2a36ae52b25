// The GPUs of this machine, as weft's targets. The driver is asked in a short-lived
// child process, so the caller (the tuner) never initialises CUDA itself: a later
// measurement worker owns the only context, and a kernel that faults there cannot
// poison the tuner (see cuda_worker.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/target.h"

namespace weft::runtime {

struct CudaDeviceInfo {
  int ordinal = 0;
  std::string name;                   // "NVIDIA H100 80GB HBM3"
  int compute_major = 0, compute_minor = 0;
  int sm_count = 0;
  int max_threads_per_block = 0;
  int max_shared_per_block = 0;       // bytes without opting in (48 KiB)
  int max_shared_per_block_optin = 0; // bytes a kernel may opt in to (227 KiB on sm_90)
  int l2_bytes = 0;
  uint64_t total_memory = 0;          // bytes
  int driver_version = 0;             // 12040 for CUDA 12.4

  std::string arch() const { return "sm_" + std::to_string(compute_major * 10 + compute_minor); }
};

// Every device the driver sees, asked in a child process that ends at once (or is
// killed after timeout_s). NoGpuError ("no GPU found: <reason>") when the driver is
// missing, fails to initialise or sees no device. Not cached.
std::vector<CudaDeviceInfo> probe_cuda_devices(double timeout_s = 120);

// probe_cuda_devices once per process; the answer (devices or the reason there are
// none) is kept.
const std::vector<CudaDeviceInfo>& cuda_devices();

struct CudaAvailability {
  bool ok = false;
  std::string reason;  // why not, when !ok: "no GPU found: ..."
  explicit operator bool() const { return ok; }
};
// Whether this machine can run CUDA kernels (from cuda_devices()).
CudaAvailability cuda_available();

// Device `ordinal` as a target {cuda, sm_XY, name}. NoGpuError without a GPU,
// UsageError for an ordinal the machine does not have.
Target cuda_device_target(int ordinal = 0);
Target cuda_target(const CudaDeviceInfo& device);

}  // namespace weft::runtime
