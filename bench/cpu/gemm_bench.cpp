// weft's hand-scheduled GEMM against OpenBLAS sgemm, side by side in one run.
//   gemm_bench <schedule-file> [M N K] [repeats]
// With GEMM_BENCH_KEEP=<dir> set, the generated C++ and library are kept there.
// The weft program's output is checked against OpenBLAS's (the vendor reference).
#include <cblas.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "ir/workload.h"
#include "runtime/cpu_builder.h"
#include "runtime/runner.h"
#include "schedule/replay.h"
#include "support/error.h"

using namespace weft;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <schedule-file> [M N K] [repeats]\n", argv[0]);
    return 2;
  }
  try {
    int64_t M = argc > 4 ? std::atoll(argv[2]) : 1024, N = argc > 4 ? std::atoll(argv[3]) : 1024,
            K = argc > 4 ? std::atoll(argv[4]) : 1024;
    int repeats = argc > 5 ? std::atoi(argv[5]) : 20;
    std::string spec = "matmul:M=" + std::to_string(M) + ",N=" + std::to_string(N) + ",K=" + std::to_string(K);
    ir::Workload w = ir::make_workload(spec);
    std::ifstream in(argv[1]);
    if (!in) throw UsageError(std::string("cannot read ") + argv[1]);
    std::stringstream text;
    text << in.rdbuf();
    sched::Schedule sch = sched::replay(sched::Trace::parse_text(text.str(), argv[1]), w.func);
    runtime::CpuBuildConfig build;
    if (const char* keep = std::getenv("GEMM_BENCH_KEEP")) {
      build.work_dir = keep;
      build.keep_files = true;
    }
    auto module = runtime::CpuBuilder(build).build({{"gemm", sch.func()}});
    runtime::CpuFunction fn = module->get_function("gemm");

    Rng rng(1);
    ir::NDArray a = ir::NDArray::random(ir::DType::f32, {M, K}, rng);
    ir::NDArray b = ir::NDArray::random(ir::DType::f32, {K, N}, rng);
    ir::NDArray c(ir::DType::f32, {M, N}), ref(ir::DType::f32, {M, N});
    runtime::RunnerConfig cfg;
    cfg.repeats = repeats;
    cfg.warmup = 2;
    runtime::Timing tw = runtime::time_function(fn, {&a, &b, &c}, cfg);
    auto blas = [&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, static_cast<const float*>(a.data()), K,
                  static_cast<const float*>(b.data()), N, 0.0f, static_cast<float*>(ref.data()), N);
    };
    runtime::Timing tb = runtime::time_callable(blas, cfg);
    ir::Comparison cmp = ir::compare(ref, c, 1e-3, 1e-3);
    double flops = 2.0 * M * N * K;
    std::printf("%s\n%-28s %12s %10s\n", spec.c_str(), "", "median_us", "GFLOP/s");
    std::printf("%-28s %12.1f %10.2f   check vs OpenBLAS: %s\n", "weft (hand schedule)", tw.median_us,
                flops / (tw.median_us * 1e3), cmp.ok ? "pass" : cmp.message.c_str());
    std::printf("%-28s %12.1f %10.2f\n", "OpenBLAS sgemm", tb.median_us, flops / (tb.median_us * 1e3));
    std::printf("ratio weft / OpenBLAS (throughput): %.3f\n", tb.median_us / tw.median_us);
    return cmp.ok ? 0 : 3;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
