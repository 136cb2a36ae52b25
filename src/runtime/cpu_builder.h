// Compiles PrimFuncs to one shared object per build: every function goes into one
// generated .cpp and one compiler call (compiling is the slow part of measuring),
// then the library is loaded as a CpuModule.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/cpu_module.h"

namespace weft::runtime {

struct CpuBuildConfig {
  // Empty: $WEFT_CXX when set, else the compiler weft was built with (WEFT_DEFAULT_CXX).
  std::string compiler;
  // Empty: default_flags(). The builder appends `-o <library> <source>`.
  std::vector<std::string> flags;
  // Empty: a fresh $TMPDIR/weft-XXXXXX directory (removed after a successful build
  // unless keep_files). Otherwise the directory to write into (created if missing).
  std::string work_dir;
  // Keep the source and library after a successful build (failed builds always keep
  // the source, whose path the error names).
  bool keep_files = false;
  // The compiler is killed (BuildError) when one call runs longer; <= 0: no limit.
  double compile_timeout_s = 600;
};

class CpuBuilder {
 public:
  explicit CpuBuilder(CpuBuildConfig config = {});

  static std::vector<std::string> default_flags();  // -O3 -march=native -fno-tree-sra -fopenmp -fPIC -shared -std=c++17
  static std::string default_compiler();

  // Names must be non-empty and distinct (UsageError); they are lookup keys only,
  // the generated symbols are weft's own. Codegen problems and compiler failures
  // throw BuildError; a compiler failure names the generated source's path and
  // carries the compiler's output.
  std::shared_ptr<CpuModule> build(const std::vector<NamedFunc>& funcs) const;

  // One compiler call: `src_path` (generated C++) into the shared object `lib_path`.
  // BuildError naming the source on failure or timeout.
  void compile_file(const std::string& src_path, const std::string& lib_path) const;

  const std::string& compiler() const { return compiler_; }
  const std::vector<std::string>& flags() const { return flags_; }

 private:
  CpuBuildConfig config_;
  std::string compiler_;
  std::vector<std::string> flags_;
};

}  // namespace weft::runtime
