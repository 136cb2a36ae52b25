#include "support/rng.h"

#include "support/error.h"

namespace weft {

// splitmix64: tiny, fast, well distributed, and identical everywhere.
uint64_t Rng::next_u64() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

int64_t Rng::uniform_int(int64_t lo, int64_t hi) {
  WEFT_CHECK(lo <= hi, InternalError, "Rng::uniform_int with lo > hi");
  uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<int64_t>(next_u64());  // the full 64-bit range
  // Rejection sampling removes modulo bias.
  uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  uint64_t x;
  do {
    x = next_u64();
  } while (x >= limit);
  return lo + static_cast<int64_t>(x % span);
}

double Rng::uniform_real() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

size_t Rng::categorical(const std::vector<double>& weights) {
  double total = 0;
  for (double w : weights) {
    WEFT_CHECK(w >= 0, InternalError, "Rng::categorical with a negative weight");
    total += w;
  }
  WEFT_CHECK(total > 0, InternalError, "Rng::categorical with no positive weight");
  double r = uniform_real() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (r < weights[i]) return i;
    r -= weights[i];
  }
  for (size_t i = weights.size(); i-- > 0;)
    if (weights[i] > 0) return i;
  return 0;
}

Rng Rng::fork() { return Rng(next_u64() ^ 0xD1B54A32D192ED03ULL); }

}  // namespace weft
