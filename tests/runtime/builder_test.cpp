// CpuBuilder and CpuModule: compiler selection, build failures that point at the
// generated source, work directories, function lookup, argument checks, lifetimes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "codegen/codegen_test_util.h"
#include "runtime/cpu_builder.h"
#include "support/error.h"

namespace weft::test {
namespace {

using namespace ir;
using runtime::CpuBuildConfig;
using runtime::CpuBuilder;
namespace fs = std::filesystem;

PrimFunc scale(const std::string& name, int64_t n, double factor) {
  Buffer a = make_buffer("A", DType::f32, {n}), b = make_buffer("B", DType::f32, {n});
  return make_func_with_root(name, {a, b},
                             spatial_nest("B", b, [&](const auto& i) { return load(a, i) * float_imm(factor); }));
}

// Quick compiles for tests that do not care about speed of the generated code.
CpuBuildConfig quick_config() {
  CpuBuildConfig c;
  c.flags = {"-O0", "-fopenmp", "-fPIC", "-shared", "-std=c++17"};
  return c;
}

// A fresh directory under the system temp dir, removed at scope exit.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "weft-test-XXXXXX").string();
    path = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string quoted_path_after(const std::string& text, const std::string& marker) {
  size_t p = text.find(marker);
  if (p == std::string::npos) return "";
  p += marker.size();
  return text.substr(p, text.find('\'', p) - p);
}

const std::shared_ptr<runtime::CpuModule>& shared_module() {
  static const std::shared_ptr<runtime::CpuModule> m =
      CpuBuilder(quick_config()).build({{"double", scale("double", 8, 2.0)}, {"triple", scale("triple", 8, 3.0)}});
  return m;
}

TEST(CpuBuilder, DefaultsAndEnvironmentOverride) {
  EXPECT_EQ(CpuBuilder::default_flags(),
            (std::vector<std::string>{"-O3", "-march=native", "-fno-tree-sra", "-fopenmp", "-fPIC", "-shared", "-std=c++17"}));
  const char* saved = std::getenv("WEFT_CXX");
  std::string saved_value = saved ? saved : "";
  setenv("WEFT_CXX", "/nonexistent/weft-cxx", 1);
  CpuBuilder from_env;
  EXPECT_EQ(from_env.compiler(), "/nonexistent/weft-cxx");
  try {
    from_env.build({{"f", scale("f", 4, 1.0)}});
    FAIL() << "expected BuildError";
  } catch (const BuildError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("cannot run compiler '/nonexistent/weft-cxx'"), std::string::npos) << msg;
    std::string src = quoted_path_after(msg, "for generated source '");
    EXPECT_TRUE(fs::exists(src)) << msg;
    fs::remove_all(fs::path(src).parent_path());
  }
  CpuBuildConfig explicit_config;
  explicit_config.compiler = "g++";
  EXPECT_EQ(CpuBuilder(explicit_config).compiler(), "g++");  // the config wins over the environment
  if (saved) setenv("WEFT_CXX", saved_value.c_str(), 1);
  else unsetenv("WEFT_CXX");
  EXPECT_EQ(CpuBuilder().compiler(), saved ? saved_value : std::string(WEFT_DEFAULT_CXX));
}

TEST(CpuBuilder, CompilerFailureNamesTheGeneratedSource) {
  TempDir dir;
  CpuBuildConfig config = quick_config();
  config.flags.push_back("-fweft-no-such-flag");
  config.work_dir = dir.path.string();
  try {
    CpuBuilder(config).build({{"f", scale("f", 4, 1.0)}});
    FAIL() << "expected BuildError";
  } catch (const BuildError& e) {
    std::string msg = e.what();
    std::string src = quoted_path_after(msg, "on generated source '");
    ASSERT_FALSE(src.empty()) << msg;
    EXPECT_EQ(fs::path(src).parent_path(), dir.path) << msg;
    EXPECT_TRUE(fs::exists(src)) << "the failed source is kept: " << src;
    EXPECT_NE(msg.find("-fweft-no-such-flag"), std::string::npos) << "compiler output is included: " << msg;
  }
}

TEST(CpuBuilder, CompilerFailureInTheDefaultWorkDirKeepsTheSource) {
  CpuBuildConfig config = quick_config();
  config.flags.push_back("-fweft-no-such-flag");
  try {
    CpuBuilder(config).build({{"f", scale("f", 4, 1.0)}});
    FAIL() << "expected BuildError";
  } catch (const BuildError& e) {
    std::string src = quoted_path_after(e.what(), "on generated source '");
    ASSERT_TRUE(fs::exists(src)) << e.what();
    EXPECT_NE(fs::path(src).parent_path().filename().string().find("weft-"), std::string::npos) << src;
    fs::remove_all(fs::path(src).parent_path());
  }
}

TEST(CpuBuilder, CodegenErrorsComeBeforeCompiling) {
  Buffer a = make_buffer("A", DType::f32, {32});
  Var tx = make_var("tx"), v = make_var("v");
  Block b = make_block("A", {{v, {0, 32}, IterKind::Spatial}}, {}, {}, store(a, float_imm(1.0), {ve(v)}));
  PrimFunc gpu = make_func_with_root(
      "gpu", {a}, make_for(tx, 32, ForKind::ThreadBinding, make_block_realize({ve(tx)}, bool_imm(true), b), "threadIdx.x"));
  CpuBuildConfig config = quick_config();
  config.compiler = "/nonexistent/never-invoked";
  EXPECT_THROW(CpuBuilder(config).build({{"ok", scale("ok", 4, 1.0)}, {"gpu", gpu}}), BuildError);
}

TEST(CpuBuilder, NamesMustBeNonEmptyAndDistinct) {
  CpuBuilder builder(quick_config());
  EXPECT_THROW(builder.build({{"", scale("f", 4, 1.0)}}), UsageError);
  EXPECT_THROW(builder.build({{"f", scale("f", 4, 1.0)}, {"f", scale("g", 4, 2.0)}}), UsageError);
  EXPECT_THROW(builder.build({{"f", nullptr}}), UsageError);
}

TEST(CpuBuilder, WorkDirectoryFilesAreKeptOnlyWhenAsked) {
  TempDir dir;
  CpuBuildConfig config = quick_config();
  config.work_dir = (dir.path / "nested").string();  // created on demand
  config.keep_files = true;
  // Any string can name a function: symbols in the source are weft's own.
  auto m1 = CpuBuilder(config).build({{"scale:n=4 (x2)", scale("f", 4, 2.0)}});
  auto m2 = CpuBuilder(config).build({{"g", scale("g", 4, 3.0)}});
  EXPECT_NE(m1->library_path(), m2->library_path());
  EXPECT_TRUE(fs::exists(m1->library_path()));
  EXPECT_TRUE(fs::exists(fs::path(m1->library_path()).replace_extension(".cpp")));
  EXPECT_TRUE(m1->has_function("scale:n=4 (x2)"));

  auto m3 = CpuBuilder(quick_config()).build({{"h", scale("h", 4, 1.0)}});
  EXPECT_FALSE(fs::exists(m3->library_path()));
  EXPECT_FALSE(fs::exists(fs::path(m3->library_path()).parent_path())) << "the temp dir is removed";
  // The loaded code still runs with its files gone.
  std::vector<NDArray> args = random_args(m3->get_function("h").func(), 1);
  m3->get_function("h")(pointers(args));
  for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(args[1].get(i), args[0].get(i));
}

TEST(CpuModule, LookupErrorsListTheFunctions) {
  const auto& m = shared_module();
  EXPECT_EQ(m->function_names(), (std::vector<std::string>{"double", "triple"}));
  EXPECT_TRUE(m->has_function("double"));
  EXPECT_FALSE(m->has_function("quadruple"));
  try {
    m->get_function("quadruple");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("no function 'quadruple'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("double, triple"), std::string::npos) << msg;
  }
}

TEST(CpuModule, CallsRunTheRightFunction) {
  runtime::CpuFunction f = shared_module()->get_function("triple");
  EXPECT_EQ(f.name(), "triple");
  std::vector<NDArray> args = random_args(f.func(), 4);
  f(pointers(args));
  for (int64_t i = 0; i < 8; ++i) EXPECT_FLOAT_EQ(static_cast<float>(args[1].get(i)), static_cast<float>(args[0].get(i) * 3.0));
}

TEST(CpuModule, ArgumentsAreChecked) {
  runtime::CpuFunction f = shared_module()->get_function("double");
  NDArray a(DType::f32, {8}), b(DType::f32, {8}), wrong_type(DType::f16, {8}), wrong_shape(DType::f32, {2, 4});
  auto expect_usage = [&](std::vector<NDArray*> args, const std::string& fragment) {
    try {
      f(args);
      ADD_FAILURE() << "expected UsageError containing " << fragment;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  expect_usage({&a}, "takes 2 arguments, got 1");
  expect_usage({&a, &wrong_type}, "argument 1 ('B') of function 'double' has dtype f16, expected f32");
  expect_usage({&wrong_shape, &b}, "argument 0 ('A') of function 'double' has shape [2, 4], expected [8]");
  expect_usage({&a, nullptr}, "argument 1 ('B') of function 'double' is null");
  expect_usage({&a, &a}, "is the same array as an earlier argument");
  EXPECT_NO_THROW(f({&a, &b}));
}

TEST(CpuModule, FunctionsKeepTheirModuleLoaded) {
  std::shared_ptr<runtime::CpuModule> m = CpuBuilder(quick_config()).build({{"f", scale("f", 16, 0.5)}});
  runtime::CpuFunction f = m->get_function("f");
  std::weak_ptr<runtime::CpuModule> weak = m;
  m.reset();
  EXPECT_FALSE(weak.expired()) << "the function holds the module";
  std::vector<NDArray> args = random_args(f.func(), 2);
  f(pointers(args));
  EXPECT_FLOAT_EQ(static_cast<float>(args[1].get(3)), static_cast<float>(args[0].get(3) * 0.5));
  f = shared_module()->get_function("double");  // drops the last reference: dlclose
  EXPECT_TRUE(weak.expired());
}

// Unloading the last module must not unload the OpenMP runtime under its idle
// worker threads (a crash at the next parallel region or at exit).
TEST(CpuModule, ParallelCodeSurvivesUnloading) {
  auto parallel_scale = [](const std::string& name) {
    Buffer a = make_buffer("A", DType::f32, {64, 8}), b = make_buffer("B", DType::f32, {64, 8});
    return make_func_with_root(name, {a, b}, spatial_nest("B", b, [&](const auto& i) { return load(a, i) + 1; },
                                                          {ForKind::Parallel, ForKind::Serial}));
  };
  for (int round = 0; round < 2; ++round) {
    auto m = CpuBuilder(quick_config()).build({{"p", parallel_scale("p")}});
    runtime::CpuFunction f = m->get_function("p");
    std::vector<NDArray> args = random_args(f.func(), round);
    f(pointers(args));
    EXPECT_FLOAT_EQ(static_cast<float>(args[1].get(100)), static_cast<float>(args[0].get(100) + 1));
  }  // each round's module is unloaded here
}

}  // namespace
}  // namespace weft::test
