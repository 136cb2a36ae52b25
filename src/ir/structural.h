// Structural equality and hashing, defined on the canonical text with normalised
// names: stable across runs, machines and compilers.
#pragma once

#include <cstdint>
#include <string>

#include "ir/stmt.h"

namespace weft::ir {

bool structural_equal(const PrimFunc& a, const PrimFunc& b);
uint64_t structural_hash(const PrimFunc& func);
std::string structural_hash_hex(const PrimFunc& func);

}  // namespace weft::ir
