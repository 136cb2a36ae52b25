// The emitter unrolls nested `unrolled` loops innermost first within a copy budget.
#include "codegen/unroll_budget.h"

#include <gtest/gtest.h>

#include "codegen/cpp_emitter.h"
#include "ir/parser.h"

namespace weft::codegen {
namespace {

// Three nested unrolled loops (4 x 4 x 16 = 256 copies) around one store.
const char* kNest = R"(func f(A: f32[4, 4, 16]) {
  block root() {
    for a in range(4) unrolled {
      for b in range(4) unrolled {
        for c in range(16) unrolled {
          block s(va: spatial(0, 4) = a, vb: spatial(0, 4) = b, vc: spatial(0, 16) = c) {
            reads()
            writes(A[va, vb, vc])
            A[va, vb, vc] = f32(1)
          }
        }
      }
    }
  }
}
)";

TEST(UnrollBudget, TakesLoopsInnermostFirstWithinTheBudget) {
  ir::PrimFunc f = ir::parse_func(kNest, "<test>");
  EXPECT_EQ(loops_to_unroll(f->body, 64).size(), 2u);   // c (16) and b (64), not a (256)
  EXPECT_EQ(loops_to_unroll(f->body, 256).size(), 3u);
  EXPECT_EQ(loops_to_unroll(f->body, 15).size(), 1u);   // c is too long; b (4) still fits
  EXPECT_EQ(loops_to_unroll(f->body, 3).size(), 0u);
  std::string code = emit_cpp(f, "f");
  EXPECT_NE(code.find("#pragma GCC unroll 16"), std::string::npos) << code;
  EXPECT_NE(code.find("#pragma GCC unroll 4"), std::string::npos) << code;
  EXPECT_NE(code.find("unrolled loop 'a' stays a loop"), std::string::npos) << code;
}

}  // namespace
}  // namespace weft::codegen
