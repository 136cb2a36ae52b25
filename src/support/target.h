// The machine a program is tuned for. Its key names records in the tuning database:
// backend/arch/device, e.g. "cpu/x86_64-avx2/AMD EPYC" or "cuda/sm_90/NVIDIA H100".
// Two targets are compatible when backend and arch agree (records carry over, with a
// warning, between devices of the same arch).
#pragma once

#include <string>

namespace weft {

struct Target {
  std::string backend = "cpu";  // cpu | cuda
  std::string arch;             // x86_64-avx512, x86_64-avx2, x86_64, aarch64, sm_90, ...
  std::string device;           // CPU model name or GPU name
  int num_cores = 1;            // CPU: hardware threads available to OpenMP
  int vector_bytes = 16;        // CPU: widest SIMD register in bytes (avx2: 32)
  int vector_registers = 16;    // CPU: architectural SIMD registers (avx2: 16, avx512 and aarch64: 32)

  std::string key() const { return backend + "/" + arch + "/" + device; }
  bool compatible_with(const Target& other) const {
    return backend == other.backend && arch == other.arch;
  }
};

// The CPU this process runs on (from /proc/cpuinfo and the scheduler's CPU set).
Target host_cpu_target();

// Parses a target key; `backend` alone means that backend's local device ("cpu": the
// host CPU; "cuda": this machine's first GPU, once runtime/cuda_device is linked).
// Throws UsageError naming the key when it is not backend/arch/device; a cuda arch
// must read sm_<digits>, optionally with a suffix letter (sm_90a).
Target parse_target(const std::string& key);

// How `backend` alone is looked up: support cannot ask a device driver, so the layer
// that can registers a lookup (runtime/cuda_device.cpp registers "cuda"; its lookup
// throws NoGpuError, "no GPU found: ...", on a machine without one).
using LocalTargetLookup = Target (*)();
void register_local_target(const std::string& backend, LocalTargetLookup lookup);

}  // namespace weft
