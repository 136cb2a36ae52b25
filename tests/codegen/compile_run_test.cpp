// Every hand-built program, compiled in one compiler call, matches the interpreter;
// floor division and f16/bf16 rounding also match known values.
#include <gtest/gtest.h>

#include "codegen/codegen_test_util.h"
#include "codegen/hand_built.h"
#include "runtime/cpu_builder.h"

namespace weft::test {
namespace {

// ctest runs every test in its own process, so each test builds its own module;
// the one test over all programs keeps them to one compiler call.
std::shared_ptr<runtime::CpuModule> build_programs(const std::vector<std::string>& names) {
  std::vector<runtime::NamedFunc> funcs;
  for (const std::string& name : names) funcs.emplace_back(name, hand_built(name).func);
  return runtime::CpuBuilder().build(funcs);
}

TEST(CompileRun, EveryHandBuiltProgramMatchesTheInterpreter) {
  std::vector<std::string> names;
  for (const HandBuilt& h : hand_built_all()) names.push_back(h.name);
  std::shared_ptr<runtime::CpuModule> module = build_programs(names);
  for (const HandBuilt& h : hand_built_all()) {
    runtime::CpuFunction fn = module->get_function(h.name);
    for (uint64_t seed : {1, 2}) EXPECT_EQ(compare_with_interpreter(fn, seed, h.lo, h.hi), "") << "seed " << seed;
  }
}

// Floor semantics on known values, independent of the interpreter.
TEST(CompileRunValues, FloorDivModOfNegatives) {
  runtime::CpuFunction fn = build_programs({"floor_div_mod"})->get_function("floor_div_mod");
  std::vector<ir::NDArray> args = random_args(fn.func(), 1);
  const int64_t xs[] = {-7, -6, -1, 0, 1, 5, 6, 7};
  for (int64_t k = 0; k < 8; ++k) args[0].set(k, static_cast<double>(xs[k]));
  fn(pointers(args));
  // O0 = x // 3, O1 = x % 3, O2 = x // -4, O3 = x % -4
  const int64_t q3[] = {-3, -2, -1, 0, 0, 1, 2, 2}, r3[] = {2, 0, 2, 0, 1, 2, 0, 1};
  const int64_t q4[] = {1, 1, 0, 0, -1, -2, -2, -2}, r4[] = {-3, -2, -1, 0, -3, -3, -2, -1};
  for (int k = 0; k < 8; ++k) {
    EXPECT_EQ(args[1].get(k), q3[k]) << xs[k] << " // 3";
    EXPECT_EQ(args[2].get(k), r3[k]) << xs[k] << " % 3";
    EXPECT_EQ(args[3].get(k), q4[k]) << xs[k] << " // -4";
    EXPECT_EQ(args[4].get(k), r4[k]) << xs[k] << " % -4";
  }
}

// f16/bf16 round to nearest even on store, like the interpreter's encoders.
TEST(CompileRunValues, HalfPrecisionRounding) {
  runtime::CpuFunction fn = build_programs({"half_storage"})->get_function("half_storage");
  std::vector<ir::NDArray> expected = random_args(fn.func(), 3), actual = expected;
  // Values near f16 limits: overflow to inf, subnormals, exact ties.
  const double specials[] = {65504.0, 300.0, 6.0e-8, -3.0e-5, 0.0, -0.0, 1.0 + 1.0 / 2048, 2049.0};
  for (int k = 0; k < 8; ++k) {
    expected[0].set(k, specials[k]);
    expected[1].set(k, specials[k]);
    actual[0].set(k, specials[k]);
    actual[1].set(k, specials[k]);
  }
  ir::interpret(fn.func(), pointers(expected));
  fn(pointers(actual));
  for (size_t p = 2; p < expected.size(); ++p) {
    ir::Comparison c = ir::compare(expected[p], actual[p], 0, 0);
    EXPECT_TRUE(c.ok) << fn.func()->params[p]->name << ": " << c.message;
  }
}

}  // namespace
}  // namespace weft::test
