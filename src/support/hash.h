// Stable hashing: the same bytes give the same value on every run, machine and
// compiler (unlike std::hash). The tuning database keys on these values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace weft {

// 64-bit FNV-1a followed by a murmur-style finaliser for better bit mixing.
uint64_t stable_hash(std::string_view bytes);
uint64_t hash_combine(uint64_t seed, uint64_t value);
// 16 lowercase hex digits.
std::string hash_hex(uint64_t value);

}  // namespace weft
