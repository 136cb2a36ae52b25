// The vectorised f32 erf of the C++ prelude (wrt::verf_f32): a polynomial, not a
// libm call per lane. Compared with std::erf (the interpreter's), within 3e-7
// absolute (A&S 7.1.26's 1.5e-7 plus f32 rounding), on a dense sweep of [-6, 6]
// and on the edges of its pieces (0.5 where the Taylor series hands over, 4 where
// it clamps), signed zeros, infinities and NaN; the scalar loop still calls
// std::erf.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "codegen/codegen_test_util.h"
#include "runtime/cpu_builder.h"

using namespace weft;
using namespace weft::ir;

namespace {

constexpr int64_t kRows = 64, kCols = 256;

PrimFunc erf_program(ForKind inner) {
  Buffer x = make_buffer("X", DType::f32, {kRows, kCols}), y = make_buffer("Y", DType::f32, {kRows, kCols});
  auto erf_of_x = [&](const std::vector<Expr>& i) { return call(Intrinsic::erf, {load(x, i)}); };
  return make_func_with_root("erf_" + std::string(inner == ForKind::Vectorized ? "vector" : "scalar"), {x, y},
                             test::spatial_nest("Y", y, erf_of_x, {ForKind::Serial, inner}));
}

// Inputs: special values first, then both sides of the pieces' edges, then an
// even sweep of [-6, 6].
std::vector<double> inputs() {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> v = {0.0, -0.0, inf, -inf, std::nan(""), 1e-30, -1e-30, 1e-8, -1e-8};
  for (double edge : {0.5, 4.0})
    for (double d : {-1e-6, 0.0, 1e-6}) {
      v.push_back(edge + d);
      v.push_back(-(edge + d));
    }
  int64_t total = kRows * kCols;
  for (int64_t k = static_cast<int64_t>(v.size()); k < total; ++k) v.push_back(-6.0 + 12.0 * k / (total - 1));
  return v;
}

TEST(VectorErf, MatchesStdErfWithin3e7) {
  for (ForKind inner : {ForKind::Vectorized, ForKind::Serial}) {
    PrimFunc f = erf_program(inner);
    auto module = runtime::CpuBuilder().build({{"erf", f}});
    NDArray x(DType::f32, {kRows, kCols}), y(DType::f32, {kRows, kCols});
    std::vector<double> in = inputs();
    for (size_t k = 0; k < in.size(); ++k) x.set(static_cast<int64_t>(k), in[k]);
    module->get_function("erf")({&x, &y});
    for (size_t k = 0; k < in.size(); ++k) {
      float expected = std::erf(static_cast<float>(in[k]));
      double got = y.get(static_cast<int64_t>(k));
      if (std::isnan(expected)) {
        EXPECT_TRUE(std::isnan(got)) << "erf(" << in[k] << ")";
        continue;
      }
      if (in[k] == 0) EXPECT_EQ(std::signbit(got), std::signbit(in[k])) << "erf(" << in[k] << ") keeps the sign";
      EXPECT_LE(std::fabs(got - expected), 3e-7) << "erf(" << in[k] << ") = " << got << ", std::erf: " << expected;
    }
    // Near 0 the error is relative (the Taylor piece), not 1e-7 absolute.
    EXPECT_NEAR(y.get(7), std::erf(1e-8f), 1e-15);
  }
}

}  // namespace
