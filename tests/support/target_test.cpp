#include "support/target.h"

#include <gtest/gtest.h>

#include "support/error.h"

namespace weft {
namespace {

TEST(Target, HostCpuHasAKeyOfThreeParts) {
  Target t = host_cpu_target();
  EXPECT_EQ(t.backend, "cpu");
  EXPECT_FALSE(t.arch.empty());
  EXPECT_GE(t.num_cores, 1);
  EXPECT_GE(t.vector_bytes, 16);
  EXPECT_GE(t.vector_registers, 16);
  EXPECT_EQ(parse_target(t.key()).key(), t.key());
}

TEST(Target, ParsesKeysAndComparesArch) {
  Target a = parse_target("cpu/x86_64-avx2/AMD EPYC");
  Target b = parse_target("cpu/x86_64-avx2/Intel Xeon");
  Target c = parse_target("cpu/x86_64-avx512/AMD EPYC");
  EXPECT_EQ(a.device, "AMD EPYC");
  EXPECT_EQ(a.vector_bytes, 32);
  EXPECT_EQ(a.vector_registers, 16);
  EXPECT_EQ(c.vector_bytes, 64);
  EXPECT_EQ(c.vector_registers, 32);
  EXPECT_TRUE(a.compatible_with(b));
  EXPECT_FALSE(a.compatible_with(c));
  EXPECT_EQ(parse_target("cpu").backend, "cpu");
}

TEST(Target, RejectsMalformedKeys) {
  for (const char* bad : {"", "gpu", "cpu/", "cpu//x", "tpu/v4/x", "cpu/avx2"}) {
    EXPECT_THROW(parse_target(bad), UsageError) << bad;
  }
}

}  // namespace
}  // namespace weft
