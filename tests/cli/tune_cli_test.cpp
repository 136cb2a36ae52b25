// `weft tune` and `weft compile` through the real binary: JSON output, the compiled
// library computes what the interpreter does, fallbacks are announced, and a tuner
// killed with SIGKILL leaves a database that a second run completes.
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "ir/interpreter.h"
#include "ir/ndarray.h"
#include "ir/workload.h"
#include "run_weft.h"
#include "support/rng.h"

namespace weft {
namespace {

using testing::run_weft;

std::string scratch(const std::string& name) {
  std::string path = ::testing::TempDir() + "weft_tune_cli_" + name + "_" + std::to_string(getpid());
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove_all(path + suffix);
  return path;
}

const char* kSmall = "--population 16 --generations 1 --batch 2 --repeats 3";

int64_t records_in(const std::string& db) {
  auto r = run_weft("db stats --db " + db + " --json");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  return nlohmann::json::parse(r.out).at("records").get<int64_t>();
}

TEST(TuneCli, TunesThenCompilesALibraryThatComputesTheWorkload) {
  std::string db = scratch("a") + ".db", out = scratch("a_out");
  const std::string spec = "matmul:M=16,N=32,K=8";
  auto tuned = run_weft("tune " + spec + " --db " + db + " --trials 4 " + kSmall + " --json");
  ASSERT_EQ(tuned.exit_code, 0) << tuned.out;
  auto j = nlohmann::json::parse(tuned.out);
  ASSERT_EQ(j.at("tasks").size(), 1u);
  const auto& task = j["tasks"][0];
  EXPECT_EQ(task.at("trials"), 4);
  EXPECT_GT(task.at("median_us").get<double>(), 0);
  EXPECT_GT(task.at("gflops").get<double>(), 0);
  const std::string trace = task.at("trace").get<std::string>();
  EXPECT_TRUE(trace.find("sample_perfect_tile") != std::string::npos ||
              trace.find("sample_partial_tile") != std::string::npos)
      << trace;
  EXPECT_EQ(task.at("target"), j.at("target"));

  auto top = run_weft("db top " + spec + " --db " + db + " --json");
  ASSERT_EQ(top.exit_code, 0) << top.out;

  auto compiled = run_weft("compile " + spec + " --db " + db + " -o " + out + " --json");
  ASSERT_EQ(compiled.exit_code, 0) << compiled.out;
  auto c = nlohmann::json::parse(compiled.out.substr(compiled.out.find('{')));
  EXPECT_TRUE(c.at("from_database").get<bool>());
  EXPECT_EQ(c.at("trace"), task.at("trace"));
  EXPECT_TRUE(std::filesystem::exists(out + "/matmul.cpp"));
  EXPECT_TRUE(std::filesystem::exists(out + "/matmul.sched"));

  // The library computes the matmul.
  void* lib = dlopen(c.at("library").get<std::string>().c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(lib, nullptr) << dlerror();
  auto fn = reinterpret_cast<int (*)(void**)>(dlsym(lib, "weft_matmul"));
  ASSERT_NE(fn, nullptr);
  ir::Workload w = ir::make_workload(spec);
  Rng rng(11);
  std::vector<ir::NDArray> args, expected;
  for (const auto& p : w.func->params) args.push_back(ir::NDArray::random(p->dtype, p->shape, rng));
  expected = args;
  std::vector<void*> ptrs;
  std::vector<ir::NDArray*> eptrs;
  for (auto& a : args) ptrs.push_back(a.data());
  for (auto& e : expected) eptrs.push_back(&e);
  EXPECT_EQ(fn(ptrs.data()), 0);
  ir::interpret(w.func, eptrs);
  EXPECT_TRUE(ir::compare(expected.back(), args.back()).ok) << ir::compare(expected.back(), args.back()).message;
  // Not dlclose: the library's OpenMP threads would outlive its code.
}

TEST(TuneCli, CompileRemeasuresTheBestRecordsAndKeepsTheFastest) {
  std::string db = scratch("r") + ".db", out = scratch("r_out");
  const std::string spec = "matmul:M=32,N=32,K=16";
  ASSERT_EQ(run_weft("tune " + spec + " --db " + db + " --trials 6 " + kSmall + " --quiet").exit_code, 0);
  auto compiled = run_weft("--json compile " + spec + " --db " + db + " -o " + out + " --remeasure 3");
  ASSERT_EQ(compiled.exit_code, 0) << compiled.out;
  auto c = nlohmann::json::parse(compiled.out.substr(compiled.out.find('{')));
  const auto& timings = c.at("remeasured");
  ASSERT_GE(timings.size(), 2u) << c.dump(2);
  ASSERT_LE(timings.size(), 3u);
  // Stored order (fastest stored first); the kept record is the fastest now.
  int64_t fastest = -1;
  double best_us = 1e300, last_stored = 0;
  for (const auto& t : timings) {
    EXPECT_GT(t.at("measured_us").get<double>(), 0);
    EXPECT_GE(t.at("stored_us").get<double>(), last_stored);
    last_stored = t.at("stored_us").get<double>();
    if (t.at("measured_us").get<double>() < best_us) {
      best_us = t.at("measured_us").get<double>();
      fastest = t.at("record").get<int64_t>();
    }
  }
  auto top = nlohmann::json::parse(run_weft("--json db top " + spec + " --db " + db + " -k 8").out);
  std::string kept;
  for (const auto& r : top.at("records"))
    if (r.at("id").get<int64_t>() == fastest) kept = r.at("trace").get<std::string>();
  EXPECT_EQ(c.at("trace").get<std::string>(), kept);
  EXPECT_TRUE(std::filesystem::exists(out + "/matmul.so"));

  auto gpu = run_weft("compile " + spec + " --db " + db + " -o " + out + " --remeasure 2 --target cuda/sm_90/test");
  EXPECT_NE(gpu.exit_code, 0);
  EXPECT_NE(gpu.out.find("is not a CPU"), std::string::npos) << gpu.out;
  EXPECT_NE(run_weft("compile " + spec + " --db " + db + " -o " + out + " --remeasure 0").exit_code, 0);
}

TEST(TuneCli, CompileWithoutARecordFallsBackAndSaysSo) {
  std::string db = scratch("b") + ".db", out = scratch("b_out");
  ASSERT_EQ(run_weft("tune relu:M=8,N=8 --db " + db + " --trials 1 " + kSmall + " --quiet").exit_code, 0);
  auto r = run_weft("compile add:M=4,N=4 --db " + db + " -o " + out);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("falling back to the default schedule"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(out + "/add.so"));
  EXPECT_FALSE(std::filesystem::exists(out + "/add.sched"));
}

TEST(TuneCli, BadInputIsAClearError) {
  std::string db = scratch("c") + ".db";
  auto missing = run_weft("compile add:M=4,N=4 --db " + db + " -o " + scratch("c_out"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.out.find("does not exist"), std::string::npos) << missing.out;
  EXPECT_FALSE(std::filesystem::exists(db));
  auto bad_spec = run_weft("tune matmul:M=4 --db " + db + " --trials 1");
  EXPECT_EQ(bad_spec.exit_code, 1);
  EXPECT_NE(bad_spec.out.find("matmul:M=4"), std::string::npos) << bad_spec.out;
  auto weights = run_weft("tune add:M=4,N=4 relu:M=4,N=4 --weights 1 --db " + db);
  EXPECT_EQ(weights.exit_code, 1);
  EXPECT_NE(weights.out.find("--weights"), std::string::npos) << weights.out;
  auto target = run_weft("tune add:M=4,N=4 --target tpu/v4/x --db " + db);
  EXPECT_EQ(target.exit_code, 1);
  EXPECT_NE(target.out.find("tpu/v4/x"), std::string::npos) << target.out;
}

TEST(TuneCli, ATunerKilledMidRunLeavesADatabaseThatASecondRunCompletes) {
  std::string db = scratch("kill") + ".db";
  const std::string spec = "matmul:M=16,N=32,K=8";
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    execl(WEFT_BINARY, WEFT_BINARY, "tune", spec.c_str(), "--db", db.c_str(), "--trials", "12", "--population", "16",
          "--generations", "1", "--batch", "2", "--repeats", "3", "--quiet", static_cast<char*>(nullptr));
    _exit(127);
  }
  // Kill it once a few batches are in.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (std::filesystem::exists(db) && records_in(db) >= 4) break;
  }
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the tuner finished before it was killed";
  int64_t kept = records_in(db);
  EXPECT_GE(kept, 4);
  EXPECT_LT(kept, 12);
  EXPECT_EQ(kept % 2, 0) << "only whole batches are stored";

  auto resumed = run_weft("tune " + spec + " --db " + db + " --trials 12 " + kSmall + " --json");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out;
  auto j = nlohmann::json::parse(resumed.out);
  EXPECT_EQ(j.at("trials"), 12);
  EXPECT_EQ(j.at("trials_this_run").get<int64_t>(), 12 - kept);
  EXPECT_EQ(records_in(db), 12);
}

}  // namespace
}  // namespace weft

TEST(TuneCli, ACudaTargetWithoutAGpuSaysSoAndLeavesNoDatabase) {
  std::string db = ::testing::TempDir() + "weft_cuda_nogpu.db";
  std::remove(db.c_str());
  auto r = weft::testing::run_weft("tune relu:M=64,N=64 --target cuda --trials 4 --db " + db);
  if (r.out.find("no GPU found") == std::string::npos && r.exit_code == 0)
    GTEST_SKIP() << "this machine has a GPU";
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("no GPU found"), std::string::npos) << r.out;
  auto full = weft::testing::run_weft("tune relu:M=64,N=64 --target 'cuda/sm_90/NVIDIA H100' --trials 4 --db " + db);
  EXPECT_EQ(full.exit_code, 1) << full.out;
  EXPECT_NE(full.out.find("no GPU found"), std::string::npos) << full.out;
  EXPECT_FALSE(std::ifstream(db).good()) << "no database file may be created";
}

TEST(CompileCli, CompilesForACudaArchWithoutAGpu) {
  std::string dir = ::testing::TempDir() + "weft_compile_cuda_" + std::to_string(getpid());
  std::string db = dir + ".db";
  std::filesystem::remove_all(dir);
  std::remove(db.c_str());
  // A database with only CPU records: the cuda target falls back to its default schedule.
  auto tuned = weft::testing::run_weft("tune relu:M=64,N=64 --trials 2 --batch 2 --quiet --db " + db);
  ASSERT_EQ(tuned.exit_code, 0) << tuned.out;
  auto r = weft::testing::run_weft("--json compile matmul:M=64,N=64,K=64 --target 'cuda/sm_90/test' --db " + db +
                                   " -o " + dir);
  if (r.out.find("without NVRTC") != std::string::npos) GTEST_SKIP() << r.out;
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto doc = nlohmann::json::parse(r.out.substr(r.out.find('{')));
  EXPECT_EQ(doc["from_database"], false);
  EXPECT_NE(r.out.find("falling back to the default schedule (every loop nest bound"), std::string::npos) << r.out;
  EXPECT_GT(doc["launch"]["block"][0].get<int>(), 1) << "the default GPU schedule binds threads";
  ASSERT_EQ(doc["launch"]["kernels"].size(), 1u) << r.out;
  EXPECT_EQ(doc["launch"]["kernels"][0]["name"], doc["symbol"]);
  EXPECT_TRUE(doc["launch"]["scratch"].empty());
  std::ifstream cu(dir + "/matmul.cu");
  std::string source((std::istreambuf_iterator<char>(cu)), std::istreambuf_iterator<char>());
  EXPECT_NE(source.find("__global__ void"), std::string::npos) << source;
  std::ifstream cubin(dir + "/matmul.cubin", std::ios::binary);
  char magic[4] = {};
  cubin.read(magic, 4);
  EXPECT_EQ(std::string(magic, 4), "\x7f" "ELF");

  // softmax's default schedule binds each of its four nests: four kernels in order,
  // the row statistics and exponentials in scratch buffers.
  auto sm = weft::testing::run_weft("--json compile softmax:M=8,N=64 --target 'cuda/sm_90/test' --db " + db + " -o " +
                                    dir);
  ASSERT_EQ(sm.exit_code, 0) << sm.out;
  auto smdoc = nlohmann::json::parse(sm.out.substr(sm.out.find('{')));
  ASSERT_EQ(smdoc["launch"]["kernels"].size(), 4u) << sm.out;
  EXPECT_EQ(smdoc["launch"]["kernels"][3]["name"], "weft_softmax_3");
  ASSERT_EQ(smdoc["launch"]["scratch"].size(), 3u) << sm.out;
  EXPECT_EQ(smdoc["launch"]["scratch"][0]["name"], "X_max");
  EXPECT_EQ(smdoc["launch"]["scratch"][1]["bytes"], 8 * 64 * 4);

  auto bad = weft::testing::run_weft("compile relu:M=64,N=64 --target 'cuda/sm_1x/test' --db " + db + " -o " + dir);
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_NE(bad.out.find("sm_1x"), std::string::npos) << bad.out;
  std::filesystem::remove_all(dir);
  std::remove(db.c_str());
}
