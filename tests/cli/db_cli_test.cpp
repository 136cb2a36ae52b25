// `weft db` end to end: the real binary imports hand-written JSON lines, answers
// stats and top (text and JSON), exports, merges, and refuses bad input with exit 1
// and a message naming it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "run_weft.h"

namespace {

using weft::testing::run_weft;

const std::string kEpyc = "cpu/x86_64-avx2/AMD EPYC 7B13";
const std::string kXeon = "cpu/x86_64-avx2/Intel Xeon Gold";
const double kFlops = 2.0 * 64 * 64 * 64;

std::string temp_path(const std::string& name) {
  std::string path = ::testing::TempDir() + "weft_db_cli_" + std::to_string(getpid()) + "_" + name;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

std::string line(const std::string& target, const std::string& trace, double median, const std::string& status = "ok",
                 const std::string& hash = "c0ffee0000000001", const std::string& name = "matmul:M=64,N=64,K=64") {
  nlohmann::json j = {{"workload_hash", hash},
                      {"workload_name", name},
                      {"ir_text", "func matmul() {}"},
                      {"flops", kFlops},
                      {"target", target},
                      {"trace", trace},
                      {"median_us", status == "ok" ? median : 0.0},
                      {"latencies_us", status == "ok" ? nlohmann::json{median, median * 1.1} : nlohmann::json::array()},
                      {"status", status},
                      {"error", status == "ok" ? "" : "it broke"},
                      {"feature_version", 1},
                      {"weft_version", "0.1.0"},
                      {"created_at", "2025-01-01T00:00:0" + std::to_string(static_cast<int>(median) % 10) + ".000Z"}};
  return j.dump() + "\n";
}

void write(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string sample_lines() {
  return line(kEpyc, "b0 = get_block(\"C\")\n# slow", 40) + line(kEpyc, "b0 = get_block(\"C\")\n# fast", 10) +
         line(kEpyc, "# broken", 0, "build_error") + line(kEpyc, "# middle", 20) + line(kXeon, "# xeon", 5) +
         line(kEpyc, "# softmax", 3, "ok", "5eed000000000002", "softmax:N=64");
}

TEST(DbCli, ImportStatsTopExportRoundTrip) {
  std::string db = temp_path("main.db"), jsonl = temp_path("in.jsonl");
  write(jsonl, sample_lines());
  auto imported = run_weft("db import " + jsonl + " --db " + db);
  ASSERT_EQ(imported.exit_code, 0) << imported.out;
  EXPECT_NE(imported.out.find("imported 6 new records"), std::string::npos) << imported.out;
  EXPECT_NE(run_weft("db import " + jsonl + " --db " + db).out.find("imported 0 new records"), std::string::npos);

  auto stats = run_weft("--json db stats --db " + db);
  ASSERT_EQ(stats.exit_code, 0) << stats.out;
  auto s = nlohmann::json::parse(stats.out);
  EXPECT_EQ(s["workloads"], 2);
  EXPECT_EQ(s["records"], 6);
  EXPECT_EQ(s["ok_records"], 5);
  EXPECT_EQ(s["failed_records"], 1);
  auto text_stats = run_weft("db stats --db " + db);
  EXPECT_NE(text_stats.out.find("records               6 (5 ok, 1 failed)"), std::string::npos) << text_stats.out;

  // By name, exact target, JSON after the subcommand.
  auto top = run_weft("db top matmul:M=64,N=64,K=64 --db " + db + " --target '" + kEpyc + "' -k 2 --json");
  ASSERT_EQ(top.exit_code, 0) << top.out;
  auto t = nlohmann::json::parse(top.out);
  EXPECT_EQ(t["exact_target"], true);
  EXPECT_EQ(t["hash"], "c0ffee0000000001");
  ASSERT_EQ(t["records"].size(), 2u);
  EXPECT_EQ(t["records"][0]["trace"], "b0 = get_block(\"C\")\n# fast");
  EXPECT_EQ(t["records"][0]["median_us"], 10.0);
  EXPECT_DOUBLE_EQ(t["records"][0]["gflops"].get<double>(), kFlops / 10.0 / 1e3);
  EXPECT_EQ(t["records"][1]["trace"], "# middle");
  EXPECT_EQ(t["records"][1]["target"], kEpyc);

  // By hash, on a device with no records but a compatible one: flagged and warned.
  std::string other = "cpu/x86_64-avx2/Other CPU";
  auto fallback = run_weft("db top c0ffee0000000001 --db " + db + " --target '" + other + "'");
  ASSERT_EQ(fallback.exit_code, 0) << fallback.out;
  EXPECT_NE(fallback.out.find("warning: no records on " + other), std::string::npos) << fallback.out;
  EXPECT_NE(fallback.out.find("#1  5 us"), std::string::npos) << fallback.out;
  auto fallback_json = nlohmann::json::parse(
      run_weft("--json --log-level off db top c0ffee0000000001 --db " + db + " --target '" + other + "'").out);
  EXPECT_EQ(fallback_json["exact_target"], false);
  EXPECT_EQ(fallback_json["matched_target"], kXeon);

  // Export all, re-import into a fresh database: the same records.
  std::string out = temp_path("out.jsonl"), copy = temp_path("copy.db");
  auto exported = run_weft("db export --db " + db + " -o " + out);
  ASSERT_EQ(exported.exit_code, 0) << exported.out;
  EXPECT_NE(exported.out.find("exported 6 records"), std::string::npos) << exported.out;
  EXPECT_EQ(read(out), sample_lines());
  ASSERT_EQ(run_weft("db import " + out + " --db " + copy).exit_code, 0);
  auto again = run_weft("db export --db " + copy + " -o -");
  EXPECT_EQ(again.out, sample_lines());
  // One workload only, to standard output.
  auto one = run_weft("db export --db " + db + " --workload softmax:N=64 -o -");
  EXPECT_EQ(one.out, line(kEpyc, "# softmax", 3, "ok", "5eed000000000002", "softmax:N=64"));
}

TEST(DbCli, MergeAddsOnlyNewRecords) {
  std::string a = temp_path("a.db"), b = temp_path("b.db"), ja = temp_path("a.jsonl"), jb = temp_path("b.jsonl");
  write(ja, line(kEpyc, "# a1", 1) + line(kEpyc, "# shared", 2));
  write(jb, line(kEpyc, "# shared", 2) + line(kEpyc, "# b1", 3));
  ASSERT_EQ(run_weft("db import " + ja + " --db " + a).exit_code, 0);
  ASSERT_EQ(run_weft("db import " + jb + " --db " + b).exit_code, 0);
  std::string b_before = read(b);
  auto merged = run_weft("--json db merge " + b + " --db " + a);
  ASSERT_EQ(merged.exit_code, 0) << merged.out;
  EXPECT_EQ(nlohmann::json::parse(merged.out)["added"], 1);
  EXPECT_EQ(nlohmann::json::parse(run_weft("--json db stats --db " + a).out)["records"], 3);
  EXPECT_EQ(read(b), b_before);
}

TEST(DbCli, BadInputExitsOneNamingIt) {
  std::string db = temp_path("err.db"), jsonl = temp_path("bad.jsonl");
  write(jsonl, line(kEpyc, "# ok", 1) + "{\"workload_hash\": 3}\n");
  auto bad_import = run_weft("db import " + jsonl + " --db " + db);
  EXPECT_EQ(bad_import.exit_code, 1);
  EXPECT_NE(bad_import.out.find(jsonl + ":2:"), std::string::npos) << bad_import.out;
  EXPECT_EQ(nlohmann::json::parse(run_weft("--json db stats --db " + db).out)["records"], 0);  // all or nothing

  auto missing_file = run_weft("db import " + temp_path("nope.jsonl") + " --db " + db);
  EXPECT_EQ(missing_file.exit_code, 1);
  EXPECT_NE(missing_file.out.find("nope.jsonl"), std::string::npos) << missing_file.out;

  auto unknown = run_weft("db top gemm:M=1 --db " + db);
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.out.find("workload 'gemm:M=1' is not in database"), std::string::npos) << unknown.out;

  std::string missing_db = temp_path("missing.db");
  auto no_db = run_weft("db stats --db " + missing_db);
  EXPECT_EQ(no_db.exit_code, 1);
  EXPECT_NE(no_db.out.find(missing_db + "': does not exist"), std::string::npos) << no_db.out;
  EXPECT_FALSE(std::filesystem::exists(missing_db));  // reading commands create nothing

  std::string garbage = temp_path("garbage.db");
  write(garbage, std::string(5000, '\x5a'));
  for (const std::string& cmd : {"db stats --db " + garbage, "db import " + jsonl + " --db " + garbage,
                                 "db merge " + garbage + " --db " + db}) {
    auto r = run_weft(cmd);
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_NE(r.out.find("database '" + garbage + "': is not a SQLite database"), std::string::npos) << r.out;
  }
  EXPECT_EQ(read(garbage), std::string(5000, '\x5a'));

  auto bad_target = run_weft("db top matmul --db " + db + " --target vulkan/x/y");
  EXPECT_EQ(bad_target.exit_code, 1);
  EXPECT_NE(bad_target.out.find("target 'vulkan/x/y'"), std::string::npos) << bad_target.out;
}

}  // namespace
