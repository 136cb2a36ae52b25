#include "openblas_peers.h"

#include <cblas.h>

#include <cmath>
#include <cstdint>
#include <memory>

#include "support/error.h"

namespace weft::bench {
namespace {

const float* in(const std::vector<const ir::NDArray*>& inputs, size_t i) {
  return static_cast<const float*>(inputs[i]->data());
}

void add_bias_gelu(float* y, const float* bias, int64_t M, int64_t N) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      float x = y[i * N + j] + bias[j];
      y[i * N + j] = 0.5f * x * (1.0f + std::erf(x * static_cast<float>(M_SQRT1_2)));
    }
}

void add_bias_relu(float* y, const float* bias, int64_t M, int64_t N) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      float x = y[i * N + j] + bias[j];
      y[i * N + j] = x > 0.0f ? x : 0.0f;
    }
}

Peer matmul_peer(const Params& p, const ir::Workload& w, const std::vector<const ir::NDArray*>& inputs,
                 ir::NDArray& output, bool batched) {
  int64_t M = int_param(p, "M", w.spec), N = int_param(p, "N", w.spec), K = int_param(p, "K", w.spec);
  int64_t batch = batched ? int_param(p, "B", w.spec) : 1;
  bool ta = int_param(p, "ta", w.spec) != 0, tb = int_param(p, "tb", w.spec) != 0;
  const float *a = in(inputs, 0), *b = in(inputs, 1);
  float* c = static_cast<float*>(output.data());
  auto run = [=] {
    for (int64_t i = 0; i < batch; ++i)
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f,
                  a + i * M * K, ta ? M : K, b + i * K * N, tb ? K : N, 0.0f, c + i * M * N, N);
  };
  return {batched ? "OpenBLAS sgemm per batch" : "OpenBLAS sgemm", run};
}

Peer dense_peer(const Params& p, const ir::Workload& w, const std::vector<const ir::NDArray*>& inputs,
                ir::NDArray& output, bool gelu) {
  int64_t M = int_param(p, "M", w.spec), N = int_param(p, "N", w.spec), K = int_param(p, "K", w.spec);
  const float *x = in(inputs, 0), *wt = in(inputs, 1), *bias = in(inputs, 2);
  float* y = static_cast<float*>(output.data());
  auto run = [=] {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, x, K, wt, N, 0.0f, y, N);
    // The epilogue is a second pass over Y: what an unfused framework runs.
    if (gelu) add_bias_gelu(y, bias, M, N);
    else add_bias_relu(y, bias, M, N);
  };
  return {gelu ? "OpenBLAS sgemm + bias/gelu loop" : "OpenBLAS sgemm + bias/relu loop", run};
}

Peer conv2d_peer(const Params& p, const ir::Workload& w, const std::vector<const ir::NDArray*>& inputs,
                 ir::NDArray& output) {
  auto [N, H, W, C, K, R, S, stride, pad, dil, P, Q] = conv_shape(p, w.spec, output);
  const float *data = in(inputs, 0), *weight = in(inputs, 1);
  float* out = static_cast<float*>(output.data());
  // col[(n,p,q), (r,s,c)] matches the HWIO weight flattened to [R*S*C, K].
  auto col = std::make_shared<std::vector<float>>(static_cast<size_t>(N * P * Q * R * S * C));
  auto run = [=] {
    float* cols = col->data();
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t oh = 0; oh < P; ++oh)
        for (int64_t ow = 0; ow < Q; ++ow) {
          float* row = cols + ((n * P + oh) * Q + ow) * R * S * C;
          for (int64_t r = 0; r < R; ++r)
            for (int64_t s = 0; s < S; ++s) {
              int64_t h = oh * stride + r * dil - pad, x = ow * stride + s * dil - pad;
              float* dst = row + (r * S + s) * C;
              bool inside = h >= 0 && h < H && x >= 0 && x < W;
              const float* src = data + ((n * H + h) * W + x) * C;
              for (int64_t c = 0; c < C; ++c) dst[c] = inside ? src[c] : 0.0f;
            }
        }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N * P * Q, K, R * S * C, 1.0f, cols, R * S * C, weight, K,
                0.0f, out, K);
  };
  return {"im2col + OpenBLAS sgemm", run};
}

}  // namespace

Peer make_openblas_peer(const ir::Workload& workload, const std::vector<const ir::NDArray*>& inputs,
                        ir::NDArray& output) {
  Params p = check_peer_request(workload, inputs, output, "OpenBLAS");
  if (workload.op == "matmul") return matmul_peer(p, workload, inputs, output, false);
  if (workload.op == "batch_matmul") return matmul_peer(p, workload, inputs, output, true);
  if (workload.op == "dense_bias_gelu") return dense_peer(p, workload, inputs, output, true);
  if (workload.op == "dense_bias_relu") return dense_peer(p, workload, inputs, output, false);
  return conv2d_peer(p, workload, inputs, output);
}

}  // namespace weft::bench
