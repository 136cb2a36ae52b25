#include "runtime/cuda_device.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <sstream>
#include <variant>

#include <fmt/format.h>

#include "runtime/cuda_driver.h"
#include "runtime/measure_worker.h"

namespace weft::runtime {
namespace {

// ---- the child: asks the driver and writes one line per device -------------------
// Reply: "ok\n" then "<ordinal>\t<major>\t<minor>\t...\t<name>\n" per device, or
// "none\t<reason>\n".

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\t') c = ' ';
  return s;
}

std::string describe_devices() {
  const CudaDriver& d = cuda_driver();
  d.init();
  int count = 0, version = 0;
  WEFT_CU(d, cuDeviceGetCount, &count);
  WEFT_CU(d, cuDriverGetVersion, &version);
  std::string out = "ok\n";
  for (int i = 0; i < count; ++i) {
    CUdevice dev;
    WEFT_CU(d, cuDeviceGet, &dev, i);
    char name[256] = {};
    WEFT_CU(d, cuDeviceGetName, name, static_cast<int>(sizeof name) - 1, dev);
    auto attribute = [&](CUdevice_attribute a) {
      int value = 0;
      WEFT_CU(d, cuDeviceGetAttribute, &value, a, dev);
      return value;
    };
    size_t memory = 0;
    WEFT_CU(d, cuDeviceTotalMem, &memory, dev);
    out += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n", i,
                       attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                       attribute(CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                       attribute(CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
                       attribute(CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK),
                       attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK),
                       attribute(CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
                       attribute(CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE), memory, version, one_line(name));
  }
  return out;
}

[[noreturn]] void probe_child(int fd) {
  std::string reply;
  try {
    reply = describe_devices();
  } catch (const NoGpuError& e) {
    reply = "none\t" + one_line(e.reason()) + "\n";
  } catch (const std::exception& e) {
    reply = "none\t" + one_line(e.what()) + "\n";
  }
  for (size_t done = 0; done < reply.size();) {
    ssize_t n = write(fd, reply.data() + done, reply.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(2);
    done += static_cast<size_t>(n);
  }
  _exit(0);
}

// ---- the parent --------------------------------------------------------------------

struct ChildReply {
  std::string text;
  bool timed_out = false;
  int wait_status = 0;
};

ChildReply run_probe(double timeout_s) {
  worker::Worker child = worker::start_process([](int fd) { probe_child(fd); });
  const pid_t pid = child.pid;
  const int fd = child.fd;
  using Clock = std::chrono::steady_clock;
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
  ChildReply reply;
  char buf[4096];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      reply.timed_out = true;
      kill(pid, SIGKILL);
      break;
    }
    pollfd pfd{fd, POLLIN, 0};
    int ready = poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;  // the deadline check above ends it
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.text.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  while (waitpid(pid, &reply.wait_status, 0) < 0 && errno == EINTR) {
  }
  return reply;
}

CudaDeviceInfo parse_device(const std::string& line) {
  std::istringstream in(line);
  CudaDeviceInfo d;
  char tab;
  in >> d.ordinal >> d.compute_major >> d.compute_minor >> d.sm_count >> d.max_threads_per_block >>
      d.max_shared_per_block >> d.max_shared_per_block_optin >> d.l2_bytes >> d.total_memory >> d.driver_version;
  if (!in || !in.get(tab) || tab != '\t') throw InternalError("malformed GPU probe line: " + line);
  std::getline(in, d.name);
  return d;
}

}  // namespace

std::vector<CudaDeviceInfo> probe_cuda_devices(double timeout_s) {
  ChildReply reply = run_probe(timeout_s);
  if (reply.timed_out) throw NoGpuError(fmt::format("the NVIDIA driver did not answer within {:g} s", timeout_s));
  std::istringstream in(reply.text);
  std::string head;
  std::getline(in, head);
  if (head.rfind("none\t", 0) == 0) throw NoGpuError(head.substr(5));
  if (head != "ok") {
    std::string how = WIFSIGNALED(reply.wait_status)
                          ? fmt::format("was killed by signal {} ({})", WTERMSIG(reply.wait_status),
                                        strsignal(WTERMSIG(reply.wait_status)))
                          : fmt::format("exited with code {}", WEXITSTATUS(reply.wait_status));
    throw NoGpuError("the process asking the NVIDIA driver for devices " + how);
  }
  std::vector<CudaDeviceInfo> devices;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) devices.push_back(parse_device(line));
  if (devices.empty()) throw NoGpuError("the NVIDIA driver reports no CUDA device");
  return devices;
}

const std::vector<CudaDeviceInfo>& cuda_devices() {
  static std::once_flag once;
  static std::variant<std::vector<CudaDeviceInfo>, NoGpuError> state;
  std::call_once(once, [] {
    try {
      state = probe_cuda_devices();
    } catch (const NoGpuError& e) {
      state = e;
    }
  });
  if (auto* e = std::get_if<NoGpuError>(&state)) throw *e;
  return std::get<std::vector<CudaDeviceInfo>>(state);
}

CudaAvailability cuda_available() {
  try {
    cuda_devices();
    return {true, ""};
  } catch (const NoGpuError& e) {
    return {false, e.what()};
  }
}

Target cuda_target(const CudaDeviceInfo& device) {
  Target t;
  t.backend = "cuda";
  t.arch = device.arch();
  t.device = device.name;
  return t;
}

Target cuda_device_target(int ordinal) {
  const auto& devices = cuda_devices();
  if (ordinal < 0 || ordinal >= static_cast<int>(devices.size()))
    throw UsageError(fmt::format("GPU {} does not exist: this machine has {} (0 to {})", ordinal, devices.size(),
                                 devices.size() - 1));
  return cuda_target(devices[static_cast<size_t>(ordinal)]);
}

namespace {
// `--target cuda` means this machine's first GPU (support/target.h cannot ask the driver).
[[maybe_unused]] const bool registered_local_cuda = (register_local_target("cuda", [] { return cuda_device_target(0); }), true);
}  // namespace

// Named on the link line (CMakeLists.txt: -u weft_cuda_target_lookup), so every program
// linking weft_runtime keeps this file and with it the registration above.
extern "C" const int weft_cuda_target_lookup = 1;

}  // namespace weft::runtime
