// A shared object of compiled CPU functions, loaded with dlopen. Functions are
// looked up by the name given at build time; each call checks its arguments against
// the PrimFunc's parameters. A CpuFunction keeps its module (and so the loaded
// library) alive, so it stays callable after the module's last other owner is gone.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/ndarray.h"
#include "ir/stmt.h"

namespace weft::runtime {

// Signature of every generated function: args[i] points at parameter i's data.
using CpuKernel = int (*)(void** args);

// A function name (any non-empty string) and its program.
using NamedFunc = std::pair<std::string, ir::PrimFunc>;

class CpuModule;

class CpuFunction {
 public:
  const std::string& name() const;
  const ir::PrimFunc& func() const;

  // Checks `args` (count, then dtype and shape of each; UsageError naming the
  // parameter), runs the function, and throws RuntimeError if it reports failure.
  void operator()(const std::vector<ir::NDArray*>& args) const;
  // The checks of operator() only, returning the data pointers to pass to call_packed.
  std::vector<void*> pack_args(const std::vector<ir::NDArray*>& args) const;
  // Runs with pre-checked pointers (from pack_args): for timing loops.
  void call_packed(void** args) const;

 private:
  friend class CpuModule;
  struct Entry;
  CpuFunction(std::shared_ptr<const CpuModule> module, const Entry* entry) : module_(std::move(module)), entry_(entry) {}
  std::shared_ptr<const CpuModule> module_;
  const Entry* entry_;
};

struct CpuFunction::Entry {
  std::string name;
  ir::PrimFunc func;
  CpuKernel kernel = nullptr;
};

class CpuModule : public std::enable_shared_from_this<CpuModule> {
 public:
  // Loads `library` and resolves `symbols[i]` for `funcs[i]`; BuildError naming the
  // library when it does not load or lacks a symbol.
  static std::shared_ptr<CpuModule> load(const std::string& library, const std::vector<NamedFunc>& funcs,
                                         const std::vector<std::string>& symbols);
  ~CpuModule();
  CpuModule(const CpuModule&) = delete;
  CpuModule& operator=(const CpuModule&) = delete;

  // UsageError naming the function and listing the available ones when absent.
  CpuFunction get_function(const std::string& name) const;
  bool has_function(const std::string& name) const { return entries_.count(name) != 0; }
  std::vector<std::string> function_names() const;
  // Path the library was loaded from (it may have been removed since).
  const std::string& library_path() const { return path_; }

 private:
  CpuModule() = default;
  void* handle_ = nullptr;
  std::string path_;
  std::map<std::string, CpuFunction::Entry> entries_;
};

}  // namespace weft::runtime
