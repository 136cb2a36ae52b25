#include "runtime/cpu_module.h"

#include <dlfcn.h>

#include <set>

#include "ir/buffer.h"
#include "support/error.h"

namespace weft::runtime {

using ir::NDArray;

static std::string shape_text(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

const std::string& CpuFunction::name() const { return entry_->name; }
const ir::PrimFunc& CpuFunction::func() const { return entry_->func; }

std::vector<void*> CpuFunction::pack_args(const std::vector<NDArray*>& args) const {
  const auto& params = entry_->func->params;
  if (args.size() != params.size())
    throw UsageError("function '" + entry_->name + "' takes " + std::to_string(params.size()) + " arguments, got " +
                     std::to_string(args.size()));
  std::vector<void*> ptrs;
  std::set<const void*> seen;
  for (size_t i = 0; i < params.size(); ++i) {
    const ir::BufferNode& p = *params[i];
    const NDArray* a = args[i];
    std::string where = "argument " + std::to_string(i) + " ('" + p.name + "') of function '" + entry_->name + "'";
    if (!a) throw UsageError(where + " is null");
    if (a->dtype() != p.dtype)
      throw UsageError(where + " has dtype " + std::string(ir::dtype_name(a->dtype())) + ", expected " +
                       std::string(ir::dtype_name(p.dtype)));
    if (a->shape() != p.shape)
      throw UsageError(where + " has shape " + shape_text(a->shape()) + ", expected " + shape_text(p.shape));
    // Generated code declares every buffer __restrict__.
    if (!seen.insert(a).second) throw UsageError(where + " is the same array as an earlier argument");
    ptrs.push_back(const_cast<void*>(a->data()));
  }
  return ptrs;
}

void CpuFunction::call_packed(void** args) const {
  int rc = entry_->kernel(args);
  if (rc != 0) throw RuntimeError("function '" + entry_->name + "' returned error code " + std::to_string(rc));
}

void CpuFunction::operator()(const std::vector<NDArray*>& args) const {
  std::vector<void*> ptrs = pack_args(args);
  call_packed(ptrs.data());
}

// Generated code pulls in the OpenMP runtime, whose worker threads outlive the
// parallel regions. Unloading it with the last module would unmap code those
// threads sleep in, so once loaded it stays (RTLD_NOLOAD: only if already there).
static void pin_openmp_runtime() {
  for (const char* lib : {"libgomp.so.1", "libomp.so", "libomp.so.5", "libiomp5.so"})
    if (void* h = dlopen(lib, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE)) dlclose(h);
}

std::shared_ptr<CpuModule> CpuModule::load(const std::string& library, const std::vector<NamedFunc>& funcs,
                                           const std::vector<std::string>& symbols) {
  if (funcs.size() != symbols.size()) throw InternalError("CpuModule::load: one symbol per function expected");
  std::shared_ptr<CpuModule> m(new CpuModule());
  m->path_ = library;
  dlerror();
  m->handle_ = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!m->handle_) {
    const char* err = dlerror();
    throw BuildError("cannot load '" + library + "': " + (err ? err : "unknown dlopen error"));
  }
  pin_openmp_runtime();
  for (size_t i = 0; i < funcs.size(); ++i) {
    dlerror();
    void* sym = dlsym(m->handle_, symbols[i].c_str());
    if (!sym) throw BuildError("library '" + library + "' has no symbol '" + symbols[i] + "' for function '" + funcs[i].first + "'");
    CpuFunction::Entry e{funcs[i].first, funcs[i].second, reinterpret_cast<CpuKernel>(sym)};
    if (!m->entries_.emplace(e.name, e).second)
      throw UsageError("two functions named '" + e.name + "' in one module");
  }
  return m;
}

CpuModule::~CpuModule() {
  if (handle_) dlclose(handle_);
}

std::vector<std::string> CpuModule::function_names() const {
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries_) names.push_back(name);
  return names;
}

CpuFunction CpuModule::get_function(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    std::string known;
    for (const auto& [n, e] : entries_) known += (known.empty() ? "" : ", ") + n;
    throw UsageError("module '" + path_ + "' has no function '" + name + "' (it has: " +
                     (known.empty() ? "none" : known) + ")");
  }
  return CpuFunction(shared_from_this(), &it->second);
}

}  // namespace weft::runtime
