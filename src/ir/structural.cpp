#include "ir/structural.h"

#include "ir/printer.h"
#include "support/hash.h"

namespace weft::ir {

static std::string canonical(const PrimFunc& f) { return to_text(f, PrintOptions{.normalize_names = true}); }

bool structural_equal(const PrimFunc& a, const PrimFunc& b) { return canonical(a) == canonical(b); }
uint64_t structural_hash(const PrimFunc& func) { return stable_hash(canonical(func)); }
std::string structural_hash_hex(const PrimFunc& func) { return hash_hex(structural_hash(func)); }

}  // namespace weft::ir
