#include "runtime/cpu_builder.h"

#include <fcntl.h>
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
#include "support/subprocess.h"

namespace weft::runtime {

namespace fs = std::filesystem;

#ifndef WEFT_DEFAULT_CXX
#define WEFT_DEFAULT_CXX "c++"
#endif

// -fno-tree-sra: GCC 12 scalarises a register tile's local accumulator (C_local[6 x
// 16]) into twelve vector values when both its init and its write-back are
// vectorised, then allocates registers for the k loop badly (copies and spills
// every step): a 6 x 16 GEMM tile ran at 36 GFLOP/s instead of 68 on the dev VM.
// Left in memory, the array is promoted to registers inside the loop by store
// motion; hand schedules and tuned records measured the same either way.
std::vector<std::string> CpuBuilder::default_flags() {
  return {"-O3", "-march=native", "-fno-tree-sra", "-fopenmp", "-fPIC", "-shared", "-std=c++17"};
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

void CpuBuilder::compile_file(const std::string& src_path, const std::string& lib_path) const {
  std::vector<std::string> argv{compiler_};
  argv.insert(argv.end(), flags_.begin(), flags_.end());
  argv.insert(argv.end(), {"-o", lib_path, src_path});
  logger()->debug("compiling {}", src_path);
  ProcessResult r = run_process(argv, config_.compile_timeout_s);
  if (!r.spawn_error.empty())
    throw BuildError("cannot run compiler '" + compiler_ + "' (" + r.spawn_error + ") for generated source '" +
                     src_path + "'");
  if (r.exit_code != 0)
    throw BuildError("compiler '" + compiler_ + "' " + describe_exit(r, config_.compile_timeout_s) +
                     " on generated source '" + src_path + "':\n" + tail(r.output, 8000));
}

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
  compile_file(src_path, lib_path);
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
