#include "support/target.h"

#include <sched.h>

#include <cctype>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "support/error.h"

namespace weft {
namespace {

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  size_t e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::mutex& lookups_mutex() {
  static std::mutex m;
  return m;
}
std::map<std::string, LocalTargetLookup>& local_lookups() {
  static std::map<std::string, LocalTargetLookup> lookups;
  return lookups;
}

// sm_<digits>, optionally followed by one letter (sm_90a).
bool is_cuda_arch(const std::string& arch) {
  if (arch.rfind("sm_", 0) != 0 || arch.size() < 4) return false;
  size_t i = 3;
  while (i < arch.size() && std::isdigit(static_cast<unsigned char>(arch[i]))) ++i;
  if (i == 3) return false;
  return i == arch.size() || (i + 1 == arch.size() && std::isalpha(static_cast<unsigned char>(arch[i])));
}

// The SIMD registers of a CPU arch: x86_64-avx512 64 bytes x 32, x86_64-avx2
// 32 x 16, aarch64 16 x 32, others 16 x 16.
void set_simd_of_arch(Target& target) {
  target.vector_bytes = target.arch == "x86_64-avx512" ? 64 : target.arch == "x86_64-avx2" ? 32 : 16;
  target.vector_registers = target.arch == "x86_64-avx512" || target.arch == "aarch64" ? 32 : 16;
}

}  // namespace

void register_local_target(const std::string& backend, LocalTargetLookup lookup) {
  std::lock_guard<std::mutex> lock(lookups_mutex());
  local_lookups()[backend] = lookup;
}

Target host_cpu_target() {
  Target t;
  t.backend = "cpu";
  std::string model = "unknown";
  std::set<std::string> flags;
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string field = trim(line.substr(0, colon));
    std::string value = trim(line.substr(colon + 1));
    if (field == "model name" && model == "unknown") model = value;
    if (field == "flags" && flags.empty()) {
      std::istringstream words(value);
      for (std::string w; words >> w;) flags.insert(w);
    }
  }
  t.device = model;
#if defined(__x86_64__)
  t.arch = flags.count("avx512f") ? "x86_64-avx512" : flags.count("avx2") ? "x86_64-avx2" : "x86_64";
#elif defined(__aarch64__)
  t.arch = "aarch64";
#else
  t.arch = "generic";
#endif
  set_simd_of_arch(t);
  cpu_set_t set;
  CPU_ZERO(&set);
  t.num_cores = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
  if (t.num_cores < 1) t.num_cores = 1;
  return t;
}

Target parse_target(const std::string& key) {
  if (key == "cpu") return host_cpu_target();
  if (key == "cuda") {
    LocalTargetLookup lookup = nullptr;
    {
      std::lock_guard<std::mutex> lock(lookups_mutex());
      auto it = local_lookups().find(key);
      if (it != local_lookups().end()) lookup = it->second;
    }
    if (!lookup)
      throw UsageError("target 'cuda': this program cannot look up the local GPU; give a full key, e.g. cuda/sm_90/NVIDIA H100");
    return lookup();
  }
  size_t a = key.find('/');
  size_t b = a == std::string::npos ? std::string::npos : key.find('/', a + 1);
  if (b == std::string::npos || a == 0 || b == a + 1 || b + 1 >= key.size())
    throw UsageError("target '" + key + "': expected 'cpu', 'cuda' or backend/arch/device, e.g. cpu/x86_64-avx2/AMD EPYC");
  Target t;
  t.backend = key.substr(0, a);
  t.arch = key.substr(a + 1, b - a - 1);
  t.device = key.substr(b + 1);
  if (t.backend != "cpu" && t.backend != "cuda")
    throw UsageError("target '" + key + "': unknown backend '" + t.backend + "' (cpu or cuda)");
  if (t.backend == "cuda" && !is_cuda_arch(t.arch))
    throw UsageError("target '" + key + "': cuda arch '" + t.arch + "' is not sm_<digits>, e.g. sm_90");
  if (t.backend == "cpu") {
    Target host = host_cpu_target();
    t.num_cores = host.num_cores;
    set_simd_of_arch(t);
  }
  return t;
}

}  // namespace weft
