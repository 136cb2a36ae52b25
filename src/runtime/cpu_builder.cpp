#include "runtime/cpu_builder.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "codegen/cpp_emitter.h"
#include "support/error.h"
#include "support/log.h"

extern char** environ;

namespace weft::runtime {

namespace fs = std::filesystem;

#ifndef WEFT_DEFAULT_CXX
#define WEFT_DEFAULT_CXX "c++"
#endif

std::vector<std::string> CpuBuilder::default_flags() {
  return {"-O3", "-march=native", "-fopenmp", "-fPIC", "-shared", "-std=c++17"};
}

std::string CpuBuilder::default_compiler() {
  const char* env = std::getenv("WEFT_CXX");
  return env && *env ? env : WEFT_DEFAULT_CXX;
}

CpuBuilder::CpuBuilder(CpuBuildConfig config) : config_(std::move(config)) {
  compiler_ = config_.compiler.empty() ? default_compiler() : config_.compiler;
  flags_ = config_.flags.empty() ? default_flags() : config_.flags;
}

namespace {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string output;  // stdout and stderr together
  std::string spawn_error;  // why the process could not start; empty when it ran
};

// Runs argv[0] (looked up in PATH) without a shell, capturing its output.
// Throws only when no pipe can be made; a failed start is reported in the result.
ProcessResult run_process(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe(fds) != 0) throw BuildError(std::string("cannot create a pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  ProcessResult result;
  if (rc != 0) {
    close(fds[0]);
    result.spawn_error = std::strerror(rc);
    return result;
  }
  char buf[4096];
  for (;;) {
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n > 0) result.output.append(buf, static_cast<size_t>(n));
    else if (n == 0 || errno != EINTR) break;
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

std::string make_temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/weft-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) throw BuildError("cannot create a work directory '" + pattern + "': " + std::strerror(errno));
  return buf.data();
}

// A file stem no other build (in this or another process) uses in `dir`.
std::string unique_stem(const std::string& dir) {
  static std::atomic<uint64_t> counter{0};
  for (;;) {
    std::string stem = "module-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
    int fd = open((dir + "/" + stem + ".cpp").c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
    if (fd >= 0) {
      close(fd);
      return stem;
    }
    if (errno != EEXIST) throw BuildError("cannot create a source file in '" + dir + "': " + std::strerror(errno));
  }
}

std::string tail(const std::string& text, size_t max_chars) {
  if (text.size() <= max_chars) return text;
  return "...\n" + text.substr(text.size() - max_chars);
}

}  // namespace

std::shared_ptr<CpuModule> CpuBuilder::build(const std::vector<NamedFunc>& funcs) const {
  std::set<std::string> names;
  std::vector<std::pair<std::string, ir::PrimFunc>> to_emit;
  std::vector<std::string> symbols;
  for (size_t i = 0; i < funcs.size(); ++i) {
    const auto& [name, func] = funcs[i];
    if (name.empty()) throw UsageError("build: function " + std::to_string(i) + " has an empty name");
    if (!func) throw UsageError("build: function '" + name + "' is null");
    if (!names.insert(name).second) throw UsageError("build: two functions named '" + name + "'");
    symbols.push_back("weft_fn_" + std::to_string(i));
    to_emit.emplace_back(symbols.back(), func);
  }
  std::string source = codegen::emit_cpp_module(to_emit);

  bool own_dir = config_.work_dir.empty();
  std::string dir = own_dir ? make_temp_dir() : config_.work_dir;
  if (!own_dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw BuildError("cannot create work directory '" + dir + "': " + ec.message());
  }
  std::string stem = own_dir ? "module" : unique_stem(dir);
  std::string src_path = dir + "/" + stem + ".cpp", lib_path = dir + "/" + stem + ".so";
  {
    std::ofstream out(src_path, std::ios::binary | std::ios::trunc);
    out << source;
    if (!out.flush()) throw BuildError("cannot write generated source '" + src_path + "'");
  }
  std::vector<std::string> argv{compiler_};
  argv.insert(argv.end(), flags_.begin(), flags_.end());
  argv.insert(argv.end(), {"-o", lib_path, src_path});
  logger()->debug("compiling {} function(s): {}", funcs.size(), src_path);
  ProcessResult r = run_process(argv);
  if (!r.spawn_error.empty())
    throw BuildError("cannot run compiler '" + compiler_ + "' (" + r.spawn_error + ") for generated source '" +
                     src_path + "'");
  if (r.exit_code != 0) {
    std::string how = r.signal ? "was killed by signal " + std::to_string(r.signal)
                               : "exited with code " + std::to_string(r.exit_code);
    throw BuildError("compiler '" + compiler_ + "' " + how + " on generated source '" + src_path + "':\n" +
                     tail(r.output, 8000));
  }
  std::shared_ptr<CpuModule> module = CpuModule::load(lib_path, funcs, symbols);
  // The loaded mapping outlives the files, so they can go now.
  if (!config_.keep_files) {
    std::error_code ec;
    fs::remove(src_path, ec);
    fs::remove(lib_path, ec);
    if (own_dir) fs::remove(dir, ec);
  }
  return module;
}

}  // namespace weft::runtime
