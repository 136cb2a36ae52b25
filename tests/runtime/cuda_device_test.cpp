// Target keys of GPUs: a full key parses without a GPU (compiling needs none);
// `cuda` alone is the local GPU, or a clear "no GPU found".
#include "runtime/cuda_device.h"

#include <gtest/gtest.h>

#include "runtime/cuda_driver.h"
#include "support/error.h"

namespace weft::runtime {
namespace {

TEST(CudaTarget, FullKeysParseWithoutAGpu) {
  Target t = parse_target("cuda/sm_90/NVIDIA H100");
  EXPECT_EQ(t.backend, "cuda");
  EXPECT_EQ(t.arch, "sm_90");
  EXPECT_EQ(t.device, "NVIDIA H100");
  EXPECT_EQ(t.key(), "cuda/sm_90/NVIDIA H100");
  EXPECT_TRUE(t.compatible_with(parse_target("cuda/sm_90/NVIDIA H100 80GB HBM3")));
  EXPECT_FALSE(t.compatible_with(parse_target("cuda/sm_80/NVIDIA A100-SXM4-80GB")));
  EXPECT_FALSE(t.compatible_with(parse_target("cpu/x86_64-avx2/AMD EPYC")));
  EXPECT_EQ(parse_target("cuda/sm_90a/NVIDIA H100").arch, "sm_90a");
}

TEST(CudaTarget, MalformedArchesNameTheKey) {
  for (const char* bad : {"cuda/90/NVIDIA H100", "cuda/sm_/X", "cuda/sm_9x0/X", "cuda/compute_90/X", "cuda/sm_90ab/X"}) {
    try {
      parse_target(bad);
      ADD_FAILURE() << bad << " parsed";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

TEST(CudaTarget, CudaAloneIsTheLocalGpuOrNoGpuFound) {
  if (auto a = cuda_available(); !a) {
    try {
      parse_target("cuda");
      FAIL() << "'cuda' resolved without a GPU";
    } catch (const NoGpuError& e) {
      EXPECT_EQ(std::string(e.what()), a.reason);
    }
    EXPECT_THROW(cuda_device_target(0), NoGpuError);
    return;
  }
  Target local = parse_target("cuda");
  EXPECT_EQ(local.key(), cuda_device_target(0).key());
  EXPECT_EQ(local.backend, "cuda");
  EXPECT_EQ(local.arch, cuda_devices().front().arch());
  EXPECT_EQ(local.device, cuda_devices().front().name);
  EXPECT_EQ(parse_target(local.key()).key(), local.key());
}

TEST(CudaTarget, OrdinalsOutsideTheMachineAreUsageErrors) {
  if (auto a = cuda_available(); !a) GTEST_SKIP() << "no GPU: " << a.reason;
  int count = static_cast<int>(cuda_devices().size());
  EXPECT_THROW(cuda_device_target(count), UsageError);
  EXPECT_THROW(cuda_device_target(-1), UsageError);
}

}  // namespace
}  // namespace weft::runtime
