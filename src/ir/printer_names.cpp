#include "ir/printer_names.h"

#include <set>

#include "ir/dtype.h"
#include "ir/expr.h"
#include "ir/stmt.h"

namespace weft::ir {

bool is_reserved_word(const std::string& name) {
  static const std::set<std::string> words = [] {
    std::set<std::string> w = {"true",  "false", "func",   "block",  "for",    "in",   "range",  "if",
                               "else",  "init",  "reads",  "writes", "alloc",  "annotate", "where", "cast",
                               "select", "spatial", "reduce", "inf",  "nan"};
    for (DType t : {DType::f64, DType::f32, DType::f16, DType::bf16, DType::i64, DType::i32, DType::i8,
                    DType::boolean})
      w.insert(std::string(dtype_name(t)));
#define WEFT_X(N, S, P) w.insert(S);
    WEFT_BINARY_OPS(WEFT_X)
#undef WEFT_X
#define WEFT_X(N, A) w.insert(#N);
    WEFT_INTRINSICS(WEFT_X)
#undef WEFT_X
#define WEFT_X(N, S) w.insert(S);
    WEFT_FOR_KINDS(WEFT_X)
#undef WEFT_X
    return w;
  }();
  return words.count(name) > 0;
}

}  // namespace weft::ir
