// The CUDA measurement worker owns the context in its own process: when it cannot
// set one up, the parent hears why (the machine has no GPU here) and stays clean.
#include "runtime/cuda_worker.h"

#include <gtest/gtest.h>

#include "ir/workload.h"
#include "runtime/cuda_device.h"
#include "runtime/output_check.h"
#include "support/error.h"

namespace weft::runtime {
namespace {

TEST(CudaWorker, AWorkerThatCannotStartSaysWhy) {
  if (cuda_available()) GTEST_SKIP() << "this machine has a GPU";
  ir::Workload w = ir::make_workload("relu:M=4,N=8");
  std::vector<std::optional<CudaBinary>> binaries(1);
  std::vector<ir::NDArray> inputs = random_arguments(w.func, 0);
  cuda_worker::Job job{&binaries, &w.func, &inputs, &inputs, 1, 0, 1, 3, true};
  worker::Worker worker = cuda_worker::start(job, 0);
  try {
    cuda_worker::await_ready(worker, 30);
    FAIL() << "a CUDA worker started without a GPU";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("could not start: no GPU found: "), std::string::npos) << e.what();
  }
  EXPECT_EQ(worker.pid, -1) << "the failed worker was not reaped";
}

TEST(CudaWorker, RefusesMeaninglessTimingSettings) {
  ir::Workload w = ir::make_workload("relu:M=4,N=8");
  std::vector<std::optional<CudaBinary>> binaries(1);
  std::vector<ir::NDArray> inputs = random_arguments(w.func, 0);
  cuda_worker::Job job{&binaries, &w.func, &inputs, &inputs, 1, 0, 1, 0, true};
  EXPECT_THROW(cuda_worker::start(job, 0), UsageError);
}

}  // namespace
}  // namespace weft::runtime
