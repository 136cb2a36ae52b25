// A weft-compiled kernel (from `weft compile`) timed next to its OpenBLAS peer and,
// where weft was built with oneDNN 2.x, its oneDNN peer, on the same inputs in the same
// process, with weft's output checked against each peer's.
//   tuned_bench [--repeats N] [--rounds R] [--rtol X] [--atol X] SPEC LIBRARY [SPEC LIBRARY ...]
// LIBRARY is DIR/NAME.so exporting `int weft_NAME(void**)` (weft compile's convention).
// Timing alternates R rounds of [weft block, OpenBLAS block, oneDNN block] (each block:
// one warm-up, then N/R timed calls), so every side sees the same machine load; medians
// over all calls. Both peer families cover the same ops (bench/cpu/*_peers.h); an op
// without one is a UsageError. Without oneDNN, "onednn" says why it is unavailable and
// the other onednn_* values are null.
// Prints one JSON line per workload; exit 3 when any check fails, 1 on errors.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "openblas_peers.h"
#ifdef WEFT_HAVE_ONEDNN
#include "onednn_peers.h"
#endif
#include "runtime/cpu_module.h"
#include "runtime/time_alternating.h"
#include "support/error.h"
#include "support/rng.h"

using namespace weft;

namespace {

struct Options {
  int repeats = 30;
  int rounds = 3;
  double rtol = 1e-3, atol = 1e-3;
  std::vector<std::pair<std::string, std::string>> jobs;  // spec, library
};

int parse_int(const std::string& flag, const char* text) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < 1 || v > 100000)
    throw UsageError(flag + ": expected an integer in 1..100000, got '" + text + "'");
  return static_cast<int>(v);
}

double parse_double(const std::string& flag, const char* text) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  if (*text == '\0' || *end != '\0' || !(v >= 0)) throw UsageError(flag + ": expected a number >= 0, got '" + text + "'");
  return v;
}

Options parse_options(int argc, char** argv) {
  Options o;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool has_value = i + 1 < argc;
    if ((a == "--repeats" || a == "--rounds" || a == "--rtol" || a == "--atol") && !has_value)
      throw UsageError(a + " needs a value");
    if (a == "--repeats") o.repeats = parse_int(a, argv[++i]);
    else if (a == "--rounds") o.rounds = parse_int(a, argv[++i]);
    else if (a == "--rtol") o.rtol = parse_double(a, argv[++i]);
    else if (a == "--atol") o.atol = parse_double(a, argv[++i]);
    else if (a.rfind("--", 0) == 0) throw UsageError("unknown option '" + a + "'");
    else positional.push_back(a);
  }
  if (positional.empty() || positional.size() % 2 != 0)
    throw UsageError("expected pairs of SPEC LIBRARY, got " + std::to_string(positional.size()) + " argument(s)");
  for (size_t i = 0; i < positional.size(); i += 2) o.jobs.emplace_back(positional[i], positional[i + 1]);
  if (o.rounds > o.repeats) o.rounds = o.repeats;
  return o;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return in ? a + " " + b + " " + c : "unknown";
}

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// The oneDNN peer, or nothing where weft was built without oneDNN.
std::optional<bench::Peer> make_onednn_peer(const ir::Workload& w, const std::vector<const ir::NDArray*>& inputs,
                                            ir::NDArray& output) {
#ifdef WEFT_HAVE_ONEDNN
  return bench::make_onednn_peer(w, inputs, output);
#else
  (void)w, (void)inputs, (void)output;
  return std::nullopt;
#endif
}

// Times, checks and reports one workload; returns whether the check passed.
bool bench_one(const std::string& spec, const std::string& library, const Options& o) {
  ir::Workload w = ir::make_workload(spec);
  std::string stem = std::filesystem::path(library).stem().string();
  std::string symbol = "weft_" + stem;
  auto module = runtime::CpuModule::load(library, {{stem, w.func}}, {symbol});
  runtime::CpuFunction fn = module->get_function(stem);

  Rng rng(7);
  const auto& params = w.func->params;
  size_t num_inputs = params.size() - w.num_outputs;
  std::vector<ir::NDArray> arrays;
  arrays.reserve(params.size() + 1);
  for (size_t i = 0; i < params.size(); ++i)
    arrays.push_back(i < num_inputs ? ir::NDArray::random(params[i]->dtype, params[i]->shape, rng)
                                    : ir::NDArray(params[i]->dtype, params[i]->shape));
  arrays.emplace_back(params.back()->dtype, params.back()->shape);  // the OpenBLAS peer's output
  arrays.emplace_back(params.back()->dtype, params.back()->shape);  // the oneDNN peer's output
  std::vector<ir::NDArray*> weft_args;
  std::vector<const ir::NDArray*> inputs;
  for (size_t i = 0; i < params.size(); ++i) weft_args.push_back(&arrays[i]);
  for (size_t i = 0; i < num_inputs; ++i) inputs.push_back(&arrays[i]);
  ir::NDArray& weft_out = arrays[params.size() - 1];
  ir::NDArray& peer_out = arrays[params.size()];
  ir::NDArray& onednn_out = arrays.back();
  bench::Peer peer = bench::make_openblas_peer(w, inputs, peer_out);
  std::optional<bench::Peer> onednn = make_onednn_peer(w, inputs, onednn_out);

  std::string load_before = load_average();
  std::vector<void*> weft_packed = fn.pack_args(weft_args);
  std::vector<std::function<void()>> runs = {[&] { fn.call_packed(weft_packed.data()); }, peer.run};
  if (onednn) runs.push_back(onednn->run);
  std::vector<runtime::Timing> timings =
      runtime::time_alternating(runs, runtime::RunnerConfig{.warmup = 1, .repeats = o.repeats}, o.rounds);
  const std::vector<double>& weft_us = timings[0].all_us;
  const std::vector<double>& peer_us = timings[1].all_us;
  std::string load_after = load_average();
  ir::Comparison cmp = ir::compare(peer_out, weft_out, o.rtol, o.atol);
  std::optional<ir::Comparison> onednn_cmp;
  if (onednn) onednn_cmp = ir::compare(onednn_out, weft_out, o.rtol, o.atol);

  double wm = timings[0].median_us, pm = timings[1].median_us;
  nlohmann::json j{{"workload", w.spec},
                   {"library", library},
                   {"symbol", symbol},
                   {"weft_us", wm},
                   {"weft_gflops", w.flops / (wm * 1e3)},
                   {"peer", peer.name},
                   {"peer_us", pm},
                   {"peer_gflops", w.flops / (pm * 1e3)},
                   {"ratio", pm / wm},  // weft throughput / peer throughput
                   {"check", cmp.ok ? "pass" : cmp.message},
                   {"repeats", o.repeats},
                   {"rounds", o.rounds},
                   {"weft_all_us", weft_us},
                   {"peer_all_us", peer_us},
                   {"load_before", load_before},
                   {"load_after", load_after},
                   {"date", utc_now()}};
  if (onednn) {
    double dm = timings[2].median_us;
    j["onednn"] = onednn->name;
    j["onednn_us"] = dm;
    j["onednn_gflops"] = w.flops / (dm * 1e3);
    j["onednn_ratio"] = dm / wm;  // weft throughput / oneDNN throughput
    j["onednn_check"] = onednn_cmp->ok ? "pass" : onednn_cmp->message;
  } else {
    j["onednn"] = "unavailable: tuned_bench was built without oneDNN 2.x peers (libdnnl-dev, WEFT_BENCH_ONEDNN_PEERS)";
    for (const char* key : {"onednn_us", "onednn_gflops", "onednn_ratio", "onednn_check"}) j[key] = nullptr;
  }
  j["onednn_all_us"] = onednn ? timings[2].all_us : std::vector<double>{};
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
  return cmp.ok && (!onednn_cmp || onednn_cmp->ok);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o = parse_options(argc, argv);
    bool all_ok = true;
    for (const auto& [spec, library] : o.jobs) all_ok = bench_one(spec, library, o) && all_ok;
    return all_ok ? 0 : 3;
  } catch (const Error& e) {
    std::fprintf(stderr, "tuned_bench: %s\n", e.what());
    std::fprintf(stderr, "usage: %s [--repeats N] [--rounds R] [--rtol X] [--atol X] SPEC LIBRARY [SPEC LIBRARY ...]\n",
                 argv[0]);
    return 1;
  }
}
