#include <gtest/gtest.h>

#include "support/hash.h"
#include "support/rng.h"

using namespace weft;

TEST(Rng, SameSeedSameSequence) {
  Rng a(42), b(42);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(Rng, GoldenValuesAreStable) {
  // splitmix64 reference outputs for seed 0; any change breaks stored traces.
  Rng r(0);
  EXPECT_EQ(r.next_u64(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(r.next_u64(), 0x6e789e6aa1b965f4ULL);
}

TEST(Rng, UniformIntStaysInRange) {
  Rng r(7);
  std::vector<int> counts(5, 0);
  for (int i = 0; i < 5000; ++i) {
    int64_t v = r.uniform_int(10, 14);
    ASSERT_GE(v, 10);
    ASSERT_LE(v, 14);
    counts[v - 10]++;
  }
  for (int c : counts) EXPECT_GT(c, 800);
}

TEST(Rng, ForkIsDeterministicAndIndependent) {
  Rng a(3), b(3);
  Rng fa = a.fork(), fb = b.fork();
  EXPECT_EQ(fa.next_u64(), fb.next_u64());
  EXPECT_NE(a.next_u64(), fa.next_u64());
}

TEST(Rng, CategoricalRespectsZeroWeights) {
  Rng r(1);
  for (int i = 0; i < 200; ++i) EXPECT_NE(r.categorical({0.5, 0.0, 0.5}), 1u);
}

TEST(Hash, StableGoldenValue) {
  EXPECT_EQ(hash_hex(stable_hash("weft")), hash_hex(stable_hash(std::string("weft"))));
  EXPECT_NE(stable_hash("a"), stable_hash("b"));
  EXPECT_EQ(hash_hex(0x1234), "0000000000001234");
}
