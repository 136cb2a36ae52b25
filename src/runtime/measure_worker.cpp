#include "runtime/measure_worker.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "runtime/openmp_fork.h"
#include "runtime/output_check.h"
#include "support/error.h"

namespace weft::runtime::worker {
namespace {

using Clock = std::chrono::steady_clock;

// ---- the child --------------------------------------------------------------------

void put(std::string& out, const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }

void write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(2);  // the parent went away
    done += static_cast<size_t>(n);
  }
}

}  // namespace

void send_result(int fd, size_t index, const MeasureResult& r) {
  std::string msg;
  uint64_t idx = index;
  int32_t status = static_cast<int32_t>(r.status);
  uint32_t nlat = static_cast<uint32_t>(r.latencies_us.size());
  uint32_t len = static_cast<uint32_t>(r.error.size());
  put(msg, &idx, sizeof idx);
  put(msg, &status, sizeof status);
  put(msg, &r.median_us, sizeof r.median_us);
  put(msg, &nlat, sizeof nlat);
  put(msg, r.latencies_us.data(), nlat * sizeof(double));
  put(msg, &len, sizeof len);
  put(msg, r.error.data(), len);
  write_all(fd, msg);
}

namespace {

MeasureResult run_one(const Job& job, const CpuFunction& fn) {
  std::vector<ir::NDArray> args = *job.inputs;
  std::vector<ir::NDArray*> ptrs = pointers(args);
  MeasureResult r;
  try {
    fn(ptrs);
    if (auto bad = output_mismatch(fn.func(), job.num_outputs, *job.expected, args)) {
      r.status = MeasureStatus::WrongResult;
      r.error = "output '" + bad->param + "' differs from the reference: " + bad->message;
      return r;
    }
    Timing t = time_function(fn, ptrs, job.runner);
    r.median_us = t.median_us;
    r.latencies_us = t.all_us;
  } catch (const std::exception& e) {
    r.status = MeasureStatus::RunError;
    r.error = e.what();
  }
  return r;
}

[[noreturn]] void child_main(const Job& job, size_t first, int fd) {
  for (size_t i = first; i < job.functions->size(); ++i) {
    const auto& fn = (*job.functions)[i];
    if (!fn) continue;
    send_result(fd, i, run_one(job, *fn));
  }
  _exit(0);
}

// ---- the parent -------------------------------------------------------------------

enum class ReadStatus { Ok, Eof, Timeout };

ReadStatus read_exact(int fd, void* buf, size_t n, Clock::time_point deadline) {
  char* p = static_cast<char*>(buf);
  while (n > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return ReadStatus::Timeout;
    pollfd pfd{fd, POLLIN, 0};
    int ready = poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) return ReadStatus::Timeout;
    ssize_t got = read(fd, p, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return ReadStatus::Eof;
    p += got;
    n -= static_cast<size_t>(got);
  }
  return ReadStatus::Ok;
}

std::string reap(Worker& w) {
  int status = 0;
  std::string why = "the worker ended";
  if (w.pid > 0 && waitpid(w.pid, &status, 0) == w.pid) {
    if (WIFSIGNALED(status))
      why = "crashed: killed by signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
    else if (WIFEXITED(status))
      why = "the worker exited with code " + std::to_string(WEXITSTATUS(status));
  }
  if (w.fd >= 0) close(w.fd);
  w = Worker{};
  return why;
}

}  // namespace

Worker start(const Job& job, size_t first) {
  return start_process([&](int fd) { child_main(job, first, fd); });
}

Worker start_process(const std::function<void(int result_fd)>& body) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw RuntimeError(std::string("cannot create a pipe: ") + std::strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw RuntimeError(std::string("cannot fork a measurement worker: ") + std::strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    restore_openmp_in_child();
    // An exception must not unwind into the forked copy of the caller.
    try {
      body(fds[1]);
    } catch (...) {
      _exit(3);
    }
    _exit(0);
  }
  close(fds[1]);
  return Worker{pid, fds[0]};
}

std::optional<std::pair<size_t, MeasureResult>> next_result(Worker& w, double timeout_s, MeasureResult& failure) {
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout_s));
  uint64_t idx = 0;
  ReadStatus st = read_exact(w.fd, &idx, sizeof idx, deadline);
  // Once a result has begun, its remaining bytes follow at once.
  auto rest_deadline = Clock::now() + std::chrono::seconds(10);
  MeasureResult r;
  int32_t status = 0;
  uint32_t nlat = 0, len = 0;
  if (st == ReadStatus::Ok) st = read_exact(w.fd, &status, sizeof status, rest_deadline);
  if (st == ReadStatus::Ok) st = read_exact(w.fd, &r.median_us, sizeof r.median_us, rest_deadline);
  if (st == ReadStatus::Ok) st = read_exact(w.fd, &nlat, sizeof nlat, rest_deadline);
  if (st == ReadStatus::Ok) {
    r.latencies_us.resize(nlat);
    st = read_exact(w.fd, r.latencies_us.data(), nlat * sizeof(double), rest_deadline);
  }
  if (st == ReadStatus::Ok) st = read_exact(w.fd, &len, sizeof len, rest_deadline);
  if (st == ReadStatus::Ok) {
    r.error.resize(len);
    st = read_exact(w.fd, r.error.data(), len, rest_deadline);
  }
  if (st == ReadStatus::Ok) {
    r.status = static_cast<MeasureStatus>(status);
    return std::make_pair(static_cast<size_t>(idx), std::move(r));
  }
  failure = MeasureResult{};
  if (st == ReadStatus::Timeout) {
    kill(w.pid, SIGKILL);
    reap(w);
    failure.status = MeasureStatus::Timeout;
    failure.error = fmt::format("timed out after {:g} s", timeout_s);
  } else {
    failure.status = MeasureStatus::RunError;
    failure.error = reap(w);
  }
  return std::nullopt;
}

void stop(Worker& w) {
  if (w.pid > 0) kill(w.pid, SIGKILL);
  reap(w);
}

}  // namespace weft::runtime::worker
