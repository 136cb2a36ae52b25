// The driver, opened at run time: on a machine without a GPU every entry point says
// "no GPU found" with the reason; on one with a GPU the devices are described.
#include "runtime/cuda_driver.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

#include "runtime/cuda_device.h"

namespace weft::runtime {
namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// Sets an environment variable for one scope (inherited by the probe's child).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(CudaAvailability, SaysClearlyWhyThereIsNoGpu) {
  CudaAvailability a = cuda_available();
  if (a) GTEST_SKIP() << "this machine has a GPU: " << cuda_devices().front().name;
  EXPECT_FALSE(a.ok);
  EXPECT_TRUE(starts_with(a.reason, "no GPU found: ")) << a.reason;
  EXPECT_GT(a.reason.size(), std::string("no GPU found: ").size() + 10) << a.reason;
  // The answer is kept: asking again gives the same reason.
  EXPECT_EQ(cuda_available().reason, a.reason);
}

TEST(CudaAvailability, HidingEveryDeviceIsNoGpu) {
  // Without a driver the library is missing; with one, cuInit finds no device.
  ScopedEnv hide("CUDA_VISIBLE_DEVICES", "");
  try {
    probe_cuda_devices();
    FAIL() << "a GPU was found with CUDA_VISIBLE_DEVICES empty";
  } catch (const NoGpuError& e) {
    EXPECT_TRUE(starts_with(e.what(), "no GPU found: ")) << e.what();
    EXPECT_FALSE(e.reason().empty());
    if (cuda_available()) {
      EXPECT_NE(e.reason().find("CUDA_ERROR_NO_DEVICE"), std::string::npos) << e.what();
    }
  }
}

TEST(CudaDriver, OpeningAMissingDriverIsNoGpuError) {
  if (cuda_available()) GTEST_SKIP() << "this machine has a GPU";
  try {
    cuda_driver();
    // A driver library without a device (a machine with the driver, no GPU) loads.
    SUCCEED();
  } catch (const NoGpuError& e) {
    EXPECT_TRUE(starts_with(e.what(), "no GPU found: ")) << e.what();
    EXPECT_NE(e.reason().find("libcuda.so.1"), std::string::npos) << e.what();
  }
}

TEST(CudaDriver, ErrorsNameTheCallAndTheDriverError) {
  CudaError fault(CUDA_ERROR_ILLEGAL_ADDRESS, "cuCtxSynchronize", "CUDA_ERROR_ILLEGAL_ADDRESS",
                  "an illegal memory access was encountered");
  EXPECT_NE(std::string(fault.what()).find("cuCtxSynchronize failed: CUDA_ERROR_ILLEGAL_ADDRESS"), std::string::npos)
      << fault.what();
  EXPECT_TRUE(fault.sticky());
  EXPECT_TRUE(CudaError(CUDA_ERROR_LAUNCH_FAILED, "c", "n", "t").sticky());
  EXPECT_FALSE(CudaError(CUDA_ERROR_INVALID_VALUE, "c", "n", "t").sticky());
  EXPECT_FALSE(CudaError(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "c", "n", "t").sticky());
  EXPECT_FALSE(CudaError(CUDA_ERROR_NO_BINARY_FOR_GPU, "c", "n", "t").sticky());
}

TEST(CudaDriver, ChecksResultsWithTheDriversOwnNames) {
  if (auto a = cuda_available(); !a) GTEST_SKIP() << "no GPU: " << a.reason;
  // Loading the library does not initialise CUDA in this process; naming errors needs no context.
  const CudaDriver& d = cuda_driver();
  EXPECT_NO_THROW(d.check(CUDA_SUCCESS, "cuMemAlloc"));
  try {
    d.check(CUDA_ERROR_OUT_OF_MEMORY, "cuMemAlloc");
    FAIL() << "no error thrown";
  } catch (const CudaError& e) {
    EXPECT_EQ(e.code(), CUDA_ERROR_OUT_OF_MEMORY);
    EXPECT_EQ(e.error_name(), "CUDA_ERROR_OUT_OF_MEMORY");
    EXPECT_NE(std::string(e.what()).find("cuMemAlloc failed: CUDA_ERROR_OUT_OF_MEMORY ("), std::string::npos)
        << e.what();
  }
}

TEST(CudaDevices, DescribeTheGpus) {
  if (auto a = cuda_available(); !a) GTEST_SKIP() << "no GPU: " << a.reason;
  const auto& devices = cuda_devices();
  ASSERT_FALSE(devices.empty());
  for (const CudaDeviceInfo& d : devices) {
    EXPECT_FALSE(d.name.empty());
    EXPECT_GE(d.compute_major, 7) << d.name;
    EXPECT_GT(d.sm_count, 0);
    EXPECT_GE(d.max_threads_per_block, 1024);
    EXPECT_GE(d.max_shared_per_block, 48 * 1024);
    EXPECT_GE(d.max_shared_per_block_optin, d.max_shared_per_block);
    EXPECT_GT(d.l2_bytes, 0);
    EXPECT_GT(d.total_memory, 1ull << 30);
    EXPECT_GT(d.driver_version, 11000);
    std::cout << "GPU " << d.ordinal << ": " << d.name << ", " << d.arch() << ", " << d.sm_count << " SMs, L2 "
              << (d.l2_bytes >> 20) << " MiB, shared/block opt-in " << (d.max_shared_per_block_optin >> 10)
              << " KiB, driver " << d.driver_version << "\n";
  }
}

}  // namespace
}  // namespace weft::runtime
