#include "runtime/openmp_fork.h"

#include <dlfcn.h>

#include <mutex>

namespace weft::runtime {
namespace {

using GetMaxThreads = int (*)();
using SetNumThreads = void (*)(int);

struct OpenMp {
  GetMaxThreads get_max_threads = nullptr;
  SetNumThreads set_num_threads = nullptr;
  int initial_threads = 0;  // 0: unknown (no OpenMP runtime in the process)
};

OpenMp& openmp() {
  static OpenMp omp;
  return omp;
}

std::once_flag serial_once;

}  // namespace

void keep_parent_openmp_serial() {
  std::call_once(serial_once, [] {
    OpenMp& omp = openmp();
    // Not loaded yet (no XGBoost in this process): load GCC's runtime now, so the
    // candidates loaded later share it and its setting.
    if (!dlsym(RTLD_DEFAULT, "omp_set_num_threads")) dlopen("libgomp.so.1", RTLD_NOW | RTLD_GLOBAL);
    omp.get_max_threads = reinterpret_cast<GetMaxThreads>(dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
    omp.set_num_threads = reinterpret_cast<SetNumThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    if (!omp.get_max_threads || !omp.set_num_threads) return;
    omp.initial_threads = omp.get_max_threads();
    omp.set_num_threads(1);
  });
}

void restore_openmp_in_child() {
  const OpenMp& omp = openmp();
  if (omp.set_num_threads && omp.initial_threads > 0) omp.set_num_threads(omp.initial_threads);
}

}  // namespace weft::runtime
