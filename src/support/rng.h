// Seeded, platform-independent random numbers. std:: distributions differ
// between standard libraries, so all sampling goes through these helpers to keep
// "same seed, same trace" true on every machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace weft {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) : state_(seed) {}

  uint64_t next_u64();
  // Uniform integer in [lo, hi] (inclusive); requires lo <= hi.
  int64_t uniform_int(int64_t lo, int64_t hi);
  // Uniform double in [0, 1).
  double uniform_real();
  // Index drawn with the given (non-negative, not all zero) weights.
  size_t categorical(const std::vector<double>& weights);
  // A new, independent generator derived deterministically from this one.
  Rng fork();

  uint64_t state() const { return state_; }

 private:
  uint64_t state_;
};

}  // namespace weft
