#include "frontend/model_builder.h"

#include <cmath>

namespace weft::frontend {

using graph::InputKind;
using graph::TensorType;

std::string ModelBuilder::dtype_name() const { return std::string(ir::dtype_name(dtype_)); }

ValueId ModelBuilder::param(const std::string& name, Shape shape) {
  return graph_.add_input(name, TensorType{std::move(shape), dtype_, ""}, InputKind::parameter);
}

ValueId ModelBuilder::data(const std::string& name, Shape shape) {
  return graph_.add_input(name, TensorType{std::move(shape), dtype_, ""}, InputKind::data);
}

ValueId ModelBuilder::ids(const std::string& name, Shape shape, InputKind kind) {
  return graph_.add_input(name, TensorType{std::move(shape), DType::i64, ""}, kind);
}

ValueId ModelBuilder::label_values(const std::string& name, Shape shape) {
  return graph_.add_input(name, TensorType{std::move(shape), dtype_, ""}, InputKind::label);
}

ValueId ModelBuilder::op(const std::string& op, const std::vector<ValueId>& inputs, Attrs attrs,
                         const std::string& name) {
  return graph_.add(op, inputs, std::move(attrs), name);
}

ValueId ModelBuilder::reshape(ValueId x, Shape shape) { return op("reshape", {x}, {{"shape", std::move(shape)}}); }

ValueId ModelBuilder::permute(ValueId x, std::vector<int64_t> perm) {
  return op("permute", {x}, {{"perm", std::move(perm)}});
}

ValueId ModelBuilder::scalar(double value) {
  return op("full", {}, {{"shape", Shape{}}, {"value", value}, {"dtype", dtype_name()}});
}

ValueId ModelBuilder::linear(ValueId x, int64_t in, int64_t out, const std::string& prefix, bool bias) {
  ValueId y = op("matmul", {x, param(prefix + ".weight", {in, out})}, {}, prefix);
  if (bias) y = op("add", {y, param(prefix + ".bias", {out})}, {}, prefix + ".add_bias");
  return y;
}

ValueId ModelBuilder::layernorm(ValueId x, int64_t dim, const std::string& prefix, double eps) {
  return op("layernorm", {x, param(prefix + ".gamma", {dim}), param(prefix + ".beta", {dim})}, {{"eps", eps}},
            prefix);
}

ValueId ModelBuilder::dropout(ValueId x, double p) {
  if (p <= 0) return x;
  return op("dropout", {x}, {{"p", p}, {"seed", next_seed_++}});
}

ValueId ModelBuilder::self_attention(ValueId x, int64_t batch, int64_t seq, int64_t hidden, int64_t heads, double p,
                                     const std::string& prefix) {
  int64_t head_dim = hidden / heads;
  ValueId qkv = linear(x, hidden, 3 * hidden, prefix + ".qkv");
  auto split = [&](int64_t part) {  // -> [batch, heads, seq, head_dim]
    ValueId t = op("slice", {qkv}, {{"axis", int64_t{1}}, {"begin", part * hidden}, {"end", (part + 1) * hidden}});
    return permute(reshape(t, {batch, seq, heads, head_dim}), {0, 2, 1, 3});
  };
  ValueId q = split(0), k = split(1), v = split(2);
  ValueId scores = op("batch_matmul", {q, k}, {{"transpose_b", int64_t{1}}}, prefix + ".scores");
  scores = op("mul", {scores, scalar(1.0 / std::sqrt(static_cast<double>(head_dim)))});
  ValueId probs = dropout(op("softmax", {scores}, {{"axis", int64_t{-1}}}, prefix + ".softmax"), p);
  ValueId context = op("batch_matmul", {probs, v}, {}, prefix + ".context");
  context = reshape(permute(context, {0, 2, 1, 3}), {batch * seq, hidden});
  return dropout(linear(context, hidden, hidden, prefix + ".out"), p);
}

ValueId ModelBuilder::mlp(ValueId x, int64_t hidden, int64_t inner, const std::string& prefix) {
  ValueId h = op("gelu", {linear(x, hidden, inner, prefix + ".fc1")});
  return linear(h, inner, hidden, prefix + ".fc2");
}

ValueId ModelBuilder::conv_bn(ValueId x, int64_t cin, int64_t cout, int64_t kernel, int64_t stride, int64_t padding,
                              const std::string& prefix, bool relu) {
  ValueId w = param(prefix + ".weight", {kernel, kernel, cin, cout});
  ValueId y = op("conv2d", {x, w},
                 {{"stride", std::vector<int64_t>{stride, stride}}, {"padding", std::vector<int64_t>{padding, padding}}},
                 prefix);
  y = op("batchnorm", {y, param(prefix + ".bn.gamma", {cout}), param(prefix + ".bn.beta", {cout})}, {{"eps", 1e-5}},
         prefix + ".bn");
  return relu ? op("relu", {y}) : y;
}

}  // namespace weft::frontend
