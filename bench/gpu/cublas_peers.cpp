// cuBLAS / cuBLASLt peers for the GPU benchmark (bench/gpu/run.sh): the times weft's
// tuned kernels are compared with. Prints one JSON object per measurement:
//
//   cublas_peers gemm M N K f16|bf16            cublasGemmEx, f32 accumulation
//   cublas_peers dense_bias_gelu M N K f16|bf16 cublasLtMatmul with the GELU_BIAS epilogue
//
// Row-major C[M,N] = A[M,K] @ B[K,N] is computed as the column-major product
// C^T = B^T A^T, so no transpose is paid. Timing follows weft's GPU runner: events,
// warm-up, repeats, median, an L2 flush (a memset larger than L2) before each repeat.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "cublas_peers: %s\n", what.c_str());
  std::exit(1);
}

void check(cudaError_t e, const char* call) {
  if (e != cudaSuccess) fail(std::string(call) + ": " + cudaGetErrorString(e));
}
void check(cublasStatus_t s, const char* call) {
  if (s != CUBLAS_STATUS_SUCCESS) fail(std::string(call) + ": cuBLAS status " + std::to_string(static_cast<int>(s)));
}
#define CHECK(call) check((call), #call)

struct Shape {
  int64_t m, n, k;
};

// Uniform(-1, 1) values converted on the host, so both dtypes see the same data.
void* random_device_buffer(int64_t count, cudaDataType_t type, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  std::vector<uint16_t> host(static_cast<size_t>(count));
  for (auto& h : host) {
    float v = dist(rng);
    if (type == CUDA_R_16F) {
      __half x = __float2half(v);
      std::memcpy(&h, &x, 2);
    } else {
      __nv_bfloat16 x = __float2bfloat16(v);
      std::memcpy(&h, &x, 2);
    }
  }
  void* dev = nullptr;
  CHECK(cudaMalloc(&dev, host.size() * 2));
  CHECK(cudaMemcpy(dev, host.data(), host.size() * 2, cudaMemcpyHostToDevice));
  return dev;
}

double median_us(const std::function<void()>& launch, int warmup, int repeats) {
  int device = 0, l2_bytes = 0;
  CHECK(cudaGetDevice(&device));
  CHECK(cudaDeviceGetAttribute(&l2_bytes, cudaDevAttrL2CacheSize, device));
  size_t flush_bytes = std::max<size_t>(2 * static_cast<size_t>(l2_bytes), 1 << 20);
  void* flush = nullptr;
  CHECK(cudaMalloc(&flush, flush_bytes));
  cudaEvent_t start, stop;
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreate(&stop));
  for (int i = 0; i < warmup; ++i) launch();
  std::vector<double> times;
  for (int i = 0; i < repeats; ++i) {
    CHECK(cudaMemsetAsync(flush, i & 0xff, flush_bytes));
    CHECK(cudaEventRecord(start));
    launch();
    CHECK(cudaEventRecord(stop));
    CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    CHECK(cudaEventElapsedTime(&ms, start, stop));
    times.push_back(ms * 1e3);
  }
  CHECK(cudaEventDestroy(start));
  CHECK(cudaEventDestroy(stop));
  CHECK(cudaFree(flush));
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

double gemm(const Shape& s, cudaDataType_t type, int warmup, int repeats) {
  void* a = random_device_buffer(s.m * s.k, type, 1);
  void* b = random_device_buffer(s.k * s.n, type, 2);
  void* c = random_device_buffer(s.m * s.n, type, 3);
  cublasHandle_t handle;
  CHECK(cublasCreate(&handle));
  float alpha = 1.f, beta = 0.f;
  auto launch = [&] {
    CHECK(cublasGemmEx(handle, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(s.n), static_cast<int>(s.m),
                       static_cast<int>(s.k), &alpha, b, type, static_cast<int>(s.n), a, type, static_cast<int>(s.k),
                       &beta, c, type, static_cast<int>(s.n), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
  };
  double us = median_us(launch, warmup, repeats);
  CHECK(cublasDestroy(handle));
  for (void* p : {a, b, c}) CHECK(cudaFree(p));
  return us;
}

// Y = gelu(X @ W + bias): the bias broadcasts along M, which in the column-major
// view C^T[N,M] is a per-row vector of length N, as the epilogue expects.
double dense_bias_gelu(const Shape& s, cudaDataType_t type, int warmup, int repeats) {
  void* x = random_device_buffer(s.m * s.k, type, 1);
  void* w = random_device_buffer(s.k * s.n, type, 2);
  void* bias = random_device_buffer(s.n, type, 3);
  void* y = random_device_buffer(s.m * s.n, type, 4);
  cublasLtHandle_t lt;
  CHECK(cublasLtCreate(&lt));
  cublasLtMatmulDesc_t desc;
  CHECK(cublasLtMatmulDescCreate(&desc, CUBLAS_COMPUTE_32F, CUDA_R_32F));
  cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_GELU_BIAS;
  CHECK(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof(epilogue)));
  CHECK(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias, sizeof(bias)));
  cublasLtMatrixLayout_t lw, lx, ly;
  CHECK(cublasLtMatrixLayoutCreate(&lw, type, s.n, s.k, s.n));
  CHECK(cublasLtMatrixLayoutCreate(&lx, type, s.k, s.m, s.k));
  CHECK(cublasLtMatrixLayoutCreate(&ly, type, s.n, s.m, s.n));
  size_t workspace_bytes = 64 << 20;
  void* workspace = nullptr;
  CHECK(cudaMalloc(&workspace, workspace_bytes));
  cublasLtMatmulPreference_t pref;
  CHECK(cublasLtMatmulPreferenceCreate(&pref));
  CHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace_bytes,
                                             sizeof(workspace_bytes)));
  cublasLtMatmulHeuristicResult_t heuristic{};
  int found = 0;
  CHECK(cublasLtMatmulAlgoGetHeuristic(lt, desc, lw, lx, ly, ly, pref, 1, &heuristic, &found));
  if (found == 0) fail("cuBLASLt has no algorithm for GELU_BIAS at this shape");
  float alpha = 1.f, beta = 0.f;
  auto launch = [&] {
    CHECK(cublasLtMatmul(lt, desc, &alpha, w, lw, x, lx, &beta, y, ly, y, ly, &heuristic.algo, workspace,
                         workspace_bytes, 0));
  };
  double us = median_us(launch, warmup, repeats);
  CHECK(cublasLtMatmulPreferenceDestroy(pref));
  for (auto l : {lw, lx, ly}) CHECK(cublasLtMatrixLayoutDestroy(l));
  CHECK(cublasLtMatmulDescDestroy(desc));
  CHECK(cublasLtDestroy(lt));
  for (void* p : {x, w, bias, y, workspace}) CHECK(cudaFree(p));
  return us;
}

int64_t parse_extent(const char* text, const char* what) {
  char* end = nullptr;
  long long v = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || v <= 0) fail(std::string("argument ") + what + ": '" + text + "' is not a positive integer");
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) fail("usage: cublas_peers gemm|dense_bias_gelu M N K f16|bf16");
  std::string op = argv[1];
  Shape s{parse_extent(argv[2], "M"), parse_extent(argv[3], "N"), parse_extent(argv[4], "K")};
  std::string dtype = argv[5];
  if (dtype != "f16" && dtype != "bf16") fail("argument dtype: '" + dtype + "' is neither f16 nor bf16");
  cudaDataType_t type = dtype == "f16" ? CUDA_R_16F : CUDA_R_16BF;
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) fail("no GPU found");
  const int warmup = 5, repeats = 50;
  double us = 0;
  std::string peer;
  if (op == "gemm") {
    us = gemm(s, type, warmup, repeats);
    peer = "cublas";
  } else if (op == "dense_bias_gelu") {
    us = dense_bias_gelu(s, type, warmup, repeats);
    peer = "cublaslt_gelu_bias";
  } else {
    fail("argument op: '" + op + "' is neither gemm nor dense_bias_gelu");
  }
  double tflops = 2.0 * s.m * s.n * s.k / (us * 1e-6) / 1e12;
  std::printf("{\"peer\": \"%s\", \"op\": \"%s\", \"M\": %lld, \"N\": %lld, \"K\": %lld, \"dtype\": \"%s\", "
              "\"median_us\": %.3f, \"tflops\": %.2f}\n",
              peer.c_str(), op.c_str(), static_cast<long long>(s.m), static_cast<long long>(s.n),
              static_cast<long long>(s.k), dtype.c_str(), us, tflops);
  return 0;
}
