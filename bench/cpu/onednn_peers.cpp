#include "onednn_peers.h"

#include <cstdint>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>

#include "support/error.h"

namespace weft::bench {
namespace {

using dims = dnnl::memory::dims;
using tag = dnnl::memory::format_tag;
constexpr auto f32 = dnnl::memory::data_type::f32;

// oneDNN reads inputs through non-const handles but never writes them.
void* handle(const ir::NDArray* a) { return const_cast<void*>(a->data()); }

// What `run` needs: the engine and stream the primitive was made for, and its arguments.
struct Executable {
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  dnnl::primitive primitive;
  std::unordered_map<int, dnnl::memory> args;
  dnnl::memory weights_keepalive;  // the reordered conv weights, owned here

  void run() {
    primitive.execute(stream, args);
    stream.wait();
  }
};

// The peer's name with the implementation oneDNN picked (e.g. "brg:avx512_core"),
// so a report says which kernel weft was compared with.
std::string named(const std::string& what, const dnnl::primitive_desc_base& pd) {
  return what + " [" + pd.impl_info_str() + "]";
}

// A row-major [rows, cols] operand (with a leading batch when batch > 0) stored
// transposed when `transposed`: described by strides, never copied.
dnnl::memory::desc operand(int64_t batch, int64_t rows, int64_t cols, bool transposed) {
  dims shape = {rows, cols};
  dims strides = transposed ? dims{1, rows} : dims{cols, 1};
  if (batch > 0) {
    shape.insert(shape.begin(), batch);
    strides.insert(strides.begin(), rows * cols);
  }
  return {shape, f32, strides};
}

Peer matmul_peer(const Params& p, const ir::Workload& w, const std::vector<const ir::NDArray*>& inputs,
                 ir::NDArray& output, bool batched) {
  int64_t M = int_param(p, "M", w.spec), N = int_param(p, "N", w.spec), K = int_param(p, "K", w.spec);
  int64_t batch = batched ? int_param(p, "B", w.spec) : 0;
  bool ta = int_param(p, "ta", w.spec) != 0, tb = int_param(p, "tb", w.spec) != 0;
  auto e = std::make_shared<Executable>();
  auto a_md = operand(batch, M, K, ta), b_md = operand(batch, K, N, tb), c_md = operand(batch, M, N, false);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_md, c_md), e->engine);
  e->primitive = dnnl::matmul(pd);
  e->args = {{DNNL_ARG_SRC, dnnl::memory(a_md, e->engine, handle(inputs[0]))},
             {DNNL_ARG_WEIGHTS, dnnl::memory(b_md, e->engine, handle(inputs[1]))},
             {DNNL_ARG_DST, dnnl::memory(c_md, e->engine, output.data())}};
  return {named(batched ? "oneDNN matmul (batched)" : "oneDNN matmul", pd), [e] { e->run(); }};
}

// Y = act(X @ W + b) with X[M,K], W[K,N] (weft's dense layout), b[N]: one primitive.
Peer dense_peer(const Params& p, const ir::Workload& w, const std::vector<const ir::NDArray*>& inputs,
                ir::NDArray& output, bool gelu) {
  int64_t M = int_param(p, "M", w.spec), N = int_param(p, "N", w.spec), K = int_param(p, "K", w.spec);
  auto e = std::make_shared<Executable>();
  auto x_md = operand(0, M, K, false), w_md = operand(0, K, N, false), y_md = operand(0, M, N, false);
  auto b_md = operand(0, 1, N, false);  // matmul bias has the destination's rank
  dnnl::post_ops ops;
  ops.append_eltwise(1.0f, gelu ? dnnl::algorithm::eltwise_gelu_erf : dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
  dnnl::primitive_attr attr;
  attr.set_post_ops(ops);
  dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(x_md, w_md, b_md, y_md), attr, e->engine);
  e->primitive = dnnl::matmul(pd);
  e->args = {{DNNL_ARG_SRC, dnnl::memory(x_md, e->engine, handle(inputs[0]))},
             {DNNL_ARG_WEIGHTS, dnnl::memory(w_md, e->engine, handle(inputs[1]))},
             {DNNL_ARG_BIAS, dnnl::memory(b_md, e->engine, handle(inputs[2]))},
             {DNNL_ARG_DST, dnnl::memory(y_md, e->engine, output.data())}};
  return {named(gelu ? "oneDNN matmul + bias + gelu_erf post-op" : "oneDNN matmul + bias + relu post-op", pd),
          [e] { e->run(); }};
}

Peer conv2d_peer(const Params& p, const ir::Workload& w, const std::vector<const ir::NDArray*>& inputs,
                 ir::NDArray& output) {
  auto [N, H, W, C, K, R, S, stride, pad, dil, P, Q] = conv_shape(p, w.spec, output);
  auto e = std::make_shared<Executable>();
  // oneDNN's logical order is NCHW / OIHW; nhwc and hwio name weft's physical layouts.
  dnnl::memory::desc src_md({N, C, H, W}, f32, tag::nhwc), dst_md({N, K, P, Q}, f32, tag::nhwc);
  dnnl::memory::desc user_w_md({K, C, R, S}, f32, tag::hwio), any_w_md({K, C, R, S}, f32, tag::any);
  // padding_r = pad: oneDNN checks (H - span + pad_l + pad_r) / stride + 1 == P with
  // floor division, as weft's op computes P. oneDNN counts dilation from 0.
  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                       src_md, any_w_md, dst_md, {stride, stride}, {dil - 1, dil - 1}, {pad, pad},
                                       {pad, pad});
  dnnl::convolution_forward::primitive_desc pd(desc, e->engine);
  e->primitive = dnnl::convolution_forward(pd);
  dnnl::memory user_w(user_w_md, e->engine, handle(inputs[1]));
  dnnl::memory weights = user_w;
  if (pd.weights_desc() != user_w_md) {
    weights = dnnl::memory(pd.weights_desc(), e->engine);
    dnnl::reorder(user_w, weights).execute(e->stream, user_w, weights);
    e->stream.wait();
  }
  e->weights_keepalive = weights;
  e->args = {{DNNL_ARG_SRC, dnnl::memory(src_md, e->engine, handle(inputs[0]))},
             {DNNL_ARG_WEIGHTS, weights},
             {DNNL_ARG_DST, dnnl::memory(dst_md, e->engine, output.data())}};
  return {named("oneDNN convolution (nhwc, weights reordered once)", pd), [e] { e->run(); }};
}

}  // namespace

Peer make_onednn_peer(const ir::Workload& workload, const std::vector<const ir::NDArray*>& inputs,
                      ir::NDArray& output) {
  Params p = check_peer_request(workload, inputs, output, "oneDNN");
  try {
    if (workload.op == "matmul") return matmul_peer(p, workload, inputs, output, false);
    if (workload.op == "batch_matmul") return matmul_peer(p, workload, inputs, output, true);
    if (workload.op == "dense_bias_gelu") return dense_peer(p, workload, inputs, output, true);
    if (workload.op == "dense_bias_relu") return dense_peer(p, workload, inputs, output, false);
    return conv2d_peer(p, workload, inputs, output);
  } catch (const dnnl::error& e) {
    throw UsageError("workload '" + workload.spec + "': oneDNN cannot build its peer: " + e.what());
  }
}

}  // namespace weft::bench
