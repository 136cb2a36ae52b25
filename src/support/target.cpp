#include "support/target.h"

#include <sched.h>

#include <fstream>
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

}  // namespace

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
  if (flags.count("avx512f")) {
    t.arch = "x86_64-avx512";
    t.vector_bytes = 64;
  } else if (flags.count("avx2")) {
    t.arch = "x86_64-avx2";
    t.vector_bytes = 32;
  } else {
    t.arch = "x86_64";
    t.vector_bytes = 16;
  }
#elif defined(__aarch64__)
  t.arch = "aarch64";
  t.vector_bytes = 16;
#else
  t.arch = "generic";
  t.vector_bytes = 16;
#endif
  cpu_set_t set;
  CPU_ZERO(&set);
  t.num_cores = sched_getaffinity(0, sizeof(set), &set) == 0 ? CPU_COUNT(&set) : 1;
  if (t.num_cores < 1) t.num_cores = 1;
  return t;
}

Target parse_target(const std::string& key) {
  if (key == "cpu") return host_cpu_target();
  size_t a = key.find('/');
  size_t b = a == std::string::npos ? std::string::npos : key.find('/', a + 1);
  if (b == std::string::npos || a == 0 || b == a + 1 || b + 1 >= key.size())
    throw UsageError("target '" + key + "': expected 'cpu' or backend/arch/device, e.g. cpu/x86_64-avx2/AMD EPYC");
  Target t;
  t.backend = key.substr(0, a);
  t.arch = key.substr(a + 1, b - a - 1);
  t.device = key.substr(b + 1);
  if (t.backend != "cpu" && t.backend != "cuda")
    throw UsageError("target '" + key + "': unknown backend '" + t.backend + "' (cpu or cuda)");
  if (t.backend == "cpu") {
    Target host = host_cpu_target();
    t.num_cores = host.num_cores;
    t.vector_bytes = t.arch == "x86_64-avx512" ? 64 : t.arch == "x86_64-avx2" ? 32 : 16;
  }
  return t;
}

}  // namespace weft
