#include "runtime/nvrtc_builder.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <regex>
#include <thread>

#include "support/error.h"

#ifdef WEFT_HAVE_NVRTC
#include <nvrtc.h>
#endif

namespace weft::runtime {

namespace {

[[noreturn]] void no_nvrtc() {
  throw RuntimeError("weft was built without NVRTC (no CUDA toolkit found at configure time): CUDA kernels cannot be compiled");
}

int64_t first_match(const std::string& log, const std::regex& re) {
  std::smatch m;
  return std::regex_search(log, m, re) ? std::stoll(m[1].str()) : 0;
}

#ifdef WEFT_HAVE_NVRTC
std::string include_dir() {
  if (const char* env = std::getenv("WEFT_CUDA_INCLUDE")) return env;
  return WEFT_CUDA_INCLUDE_DIR;
}

// Owns one nvrtcProgram.
struct Program {
  nvrtcProgram handle = nullptr;
  ~Program() {
    if (handle) nvrtcDestroyProgram(&handle);
  }
};

void check(nvrtcResult r, const std::string& what, const std::string& kernel) {
  if (r != NVRTC_SUCCESS)
    throw BuildError("NVRTC failed to " + what + " for kernel '" + kernel + "': " + nvrtcGetErrorString(r));
}
#endif

}  // namespace

bool nvrtc_available() {
#ifdef WEFT_HAVE_NVRTC
  return true;
#else
  return false;
#endif
}

std::string nvrtc_version() {
#ifdef WEFT_HAVE_NVRTC
  int major = 0, minor = 0;
  nvrtcVersion(&major, &minor);
  return std::to_string(major) + "." + std::to_string(minor);
#else
  no_nvrtc();
#endif
}

void check_cuda_arch(const std::string& arch) {
  static const std::regex kArch("sm_[0-9]{2,3}[af]?");
  if (!std::regex_match(arch, kArch))
    throw UsageError("'" + arch + "' is not a CUDA architecture (expected sm_<version>, e.g. sm_80 or sm_90a)");
}

CudaResources parse_ptxas_report(const std::string& log) {
  static const std::regex kRegisters("Used ([0-9]+) registers");
  static const std::regex kShared("([0-9]+) bytes smem");
  static const std::regex kStack("([0-9]+) bytes stack frame");
  static const std::regex kSpillStores("([0-9]+) bytes spill stores");
  static const std::regex kSpillLoads("([0-9]+) bytes spill loads");
  CudaResources r;
  r.registers = first_match(log, kRegisters);
  r.shared_bytes = first_match(log, kShared);
  r.stack_bytes = first_match(log, kStack);
  r.spill_stores = first_match(log, kSpillStores);
  r.spill_loads = first_match(log, kSpillLoads);
  return r;
}

CudaResources parse_ptxas_report(const std::string& log, const std::string& entry) {
  static const std::string kHeader = "Compiling entry function '";
  if (log.find(kHeader) == std::string::npos) return parse_ptxas_report(log);
  size_t begin = log.find(kHeader + entry + "'");
  if (begin == std::string::npos) return CudaResources{};
  size_t end = log.find(kHeader, begin + kHeader.size());
  return parse_ptxas_report(log.substr(begin, end == std::string::npos ? std::string::npos : end - begin));
}

CudaResources max_resources(const std::vector<CudaResources>& reports) {
  CudaResources m;
  for (const CudaResources& r : reports) {
    m.registers = std::max(m.registers, r.registers);
    m.shared_bytes = std::max(m.shared_bytes, r.shared_bytes);
    m.stack_bytes = std::max(m.stack_bytes, r.stack_bytes);
    m.spill_stores = std::max(m.spill_stores, r.spill_stores);
    m.spill_loads = std::max(m.spill_loads, r.spill_loads);
  }
  return m;
}

CudaBinary build_cuda(const codegen::CudaKernel& kernel, const std::string& arch) {
  check_cuda_arch(arch);
#ifdef WEFT_HAVE_NVRTC
  Program program;
  std::string file = kernel.name + ".cu";
  check(nvrtcCreateProgram(&program.handle, kernel.source.c_str(), file.c_str(), 0, nullptr, nullptr),
        "create a program", kernel.name);
  std::vector<std::string> options = {"--gpu-architecture=" + arch, "-std=c++17", "--include-path=" + include_dir(),
                                      "--ptxas-options=-v"};
  std::vector<const char*> argv;
  for (const std::string& o : options) argv.push_back(o.c_str());
  nvrtcResult compiled = nvrtcCompileProgram(program.handle, static_cast<int>(argv.size()), argv.data());
  size_t log_size = 0;
  check(nvrtcGetProgramLogSize(program.handle, &log_size), "read the log", kernel.name);
  std::string log(log_size, '\0');
  if (log_size) check(nvrtcGetProgramLog(program.handle, log.data()), "read the log", kernel.name);
  while (!log.empty() && (log.back() == '\0' || log.back() == '\n')) log.pop_back();
  if (compiled != NVRTC_SUCCESS)
    throw BuildError("NVRTC could not compile kernel '" + kernel.name + "' for " + arch + " (" +
                     nvrtcGetErrorString(compiled) + "):\n" + log);
  CudaBinary binary;
  size_t cubin_size = 0;
  check(nvrtcGetCUBINSize(program.handle, &cubin_size), "size the cubin", kernel.name);
  binary.cubin.resize(cubin_size);
  check(nvrtcGetCUBIN(program.handle, binary.cubin.data()), "read the cubin", kernel.name);
  binary.kernel = kernel;
  binary.arch = arch;
  for (const codegen::CudaLaunch& launch : kernel.kernel_launches())
    binary.kernel_resources.push_back(parse_ptxas_report(log, launch.name));
  binary.resources = max_resources(binary.kernel_resources);
  binary.log = std::move(log);
  return binary;
#else
  (void)kernel;
  no_nvrtc();
#endif
}

std::vector<CudaBuildOutcome> build_cuda_batch(const std::vector<codegen::CudaKernel>& kernels, const std::string& arch,
                                               int threads) {
  check_cuda_arch(arch);
  if (!nvrtc_available()) no_nvrtc();
  std::vector<CudaBuildOutcome> out(kernels.size());
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::min<int>(threads, static_cast<int>(kernels.size()));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next++) < kernels.size();) {
      try {
        out[i].binary = build_cuda(kernels[i], arch);
      } catch (const Error& e) {
        out[i].binary.kernel = kernels[i];
        out[i].binary.arch = arch;
        out[i].error = e.what();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return out;
}

}  // namespace weft::runtime
