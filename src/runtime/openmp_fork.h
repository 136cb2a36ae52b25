// libgomp is not fork-safe: a process forked after its parent ran an OpenMP region
// with more than one thread hangs in its first parallel region (the parent's pool
// threads do not exist in the child). The tuner's parent process runs XGBoost,
// which uses OpenMP (loading a saved model runs a parallel loop with the default
// thread count), and forks the measurement workers that run parallel candidates.
// So the parent keeps OpenMP at one thread, which never creates a pool, and each
// forked worker restores the count the process started with (OMP_NUM_THREADS or
// the cores). The OpenMP runtime (GCC's libgomp, which the generated code uses) is
// looked up, or loaded, at run time.
#pragma once

namespace weft::runtime {

// Idempotent; call before the parent's first OpenMP use (the measurers do, and the
// tuner creates them before its cost model).
void keep_parent_openmp_serial();

// In a forked worker, before running candidates.
void restore_openmp_in_child();

}  // namespace weft::runtime
