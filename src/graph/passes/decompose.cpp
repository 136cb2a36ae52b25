// Decomposition: rewrites composite ops into primitive ones that the partitioner
// can fuse into GEMM epilogues (EVT, "Decomposition"):
//   cross_entropy(x, l)      -> nll_loss(log_softmax(x), l)
//   log_softmax(x)           -> log(softmax(x)), only where its output feeds a
//                               log_softmax_grad (the backward then shares softmax)
//   log_softmax_grad(g, y)   -> g - softmax(x) * sum(g, axis)   (exp(y) when x is unknown)
//   nll_loss_grad(g, l)      -> one_hot(l) * (-g / N)
//   dropout(x)               -> x * dropout_mask (same seed, so the same mask)
//   relu_grad(g, y)          -> g * (y != 0), when y is a relu output (y >= 0)
//   addmm(bias, a, b)        -> alpha * matmul(a, b) + beta * bias (a scale of 1
//                               emits no mul; beta = 0 drops the bias, as addmm does)
//   layernorm / batchnorm    -> statistics (mean, var, rstd) + elementwise affine
//   layernorm_grad / batchnorm_grad -> elementwise dx with row statistics, and
//                               dgamma / dbeta as column reductions
// The value a rewrite replaces keeps its name, so names still identify tensors.
#include <functional>
#include <map>
#include <set>

#include "graph/passes/pass.h"
#include "graph/passes/pattern.h"
#include "graph/passes/rebuild.h"

namespace weft::graph {
namespace {

using Values = std::vector<ValueId>;

// Emits nodes named after the node being decomposed.
class Emitter {
 public:
  Emitter(Graph& out, const Node& node) : out_(out), node_(node) {}

  ValueId op(const std::string& op, const Values& inputs, Attrs attrs, const std::string& part) {
    return out_.add(op, inputs, std::move(attrs), node_.name + "/" + part);
  }
  // The value that replaces the node's (first) output: it takes the node's name.
  ValueId result(const std::string& op, const Values& inputs, Attrs attrs = {}) {
    return out_.add(op, inputs, std::move(attrs), node_.name);
  }
  ValueId scalar(double value, DType dtype) { return add_full(out_, {}, value, dtype, node_.name + "/const"); }
  Graph& graph() { return out_; }

 private:
  Graph& out_;
  const Node& node_;
};

Attrs reduce_attrs(const std::vector<int64_t>& axes, bool keepdims) {
  return {{"axes", axes}, {"keepdims", int64_t{keepdims}}};
}

int64_t node_axis(const Node& node, int64_t rank) {
  int64_t axis = -1;
  if (const AttrValue* a = node.attrs.find("axis"))
    if (auto* i = std::get_if<int64_t>(a)) axis = *i;
  return axis < 0 ? axis + rank : axis;
}

double node_float(const Node& node, const std::string& name, double fallback) {
  const AttrValue* a = node.attrs.find(name);
  if (!a) return fallback;
  if (auto* d = std::get_if<double>(a)) return *d;
  if (auto* i = std::get_if<int64_t>(a)) return static_cast<double>(*i);
  return fallback;
}

// Which axes a norm normalises over (`stats`) and sums its parameter gradients
// over (`columns`): layernorm normalises rows (last axis), batchnorm columns.
struct NormAxes {
  std::vector<int64_t> stats, columns;
};

NormAxes norm_axes(bool layernorm, int64_t rank) {
  std::vector<int64_t> leading;
  for (int64_t i = 0; i + 1 < rank; ++i) leading.push_back(i);
  if (layernorm) return {{rank - 1}, leading};
  return {leading, leading};
}

struct Normalised {
  ValueId xhat, rstd;
};

// xhat = (x - mean) * rstd with rstd = 1 / sqrt(var + eps), statistics over `axes`.
Normalised normalise(Emitter& e, ValueId x, const std::vector<int64_t>& axes, double eps) {
  DType dt = e.graph().type(x).dtype;
  ValueId mean = e.op("mean", {x}, reduce_attrs(axes, true), "mean");
  ValueId centered = e.op("sub", {x, mean}, {}, "centered");
  ValueId var = e.op("mean", {e.op("mul", {centered, centered}, {}, "squared")}, reduce_attrs(axes, true), "var");
  ValueId stddev = e.op("sqrt", {e.op("add", {var, e.scalar(eps, dt)}, {}, "var_eps")}, {}, "std");
  ValueId rstd = e.op("div", {e.scalar(1.0, dt), stddev}, {}, "rstd");
  return {e.op("mul", {centered, rstd}, {}, "xhat"), rstd};
}

Values decompose_norm(Emitter& e, const Node& node, const Values& in, bool layernorm) {
  NormAxes axes = norm_axes(layernorm, e.graph().type(in[0]).rank());
  Normalised n = normalise(e, in[0], axes.stats, node_float(node, "eps", 1e-5));
  return {e.result("add", {e.op("mul", {n.xhat, in[1]}, {}, "scaled"), in[2]})};
}

// Sums over `axes`; with no axes to sum (a rank-1 norm) the value itself.
ValueId column_sum(Emitter& e, ValueId x, const std::vector<int64_t>& axes, const std::string& part) {
  return axes.empty() ? x : e.op("sum", {x}, reduce_attrs(axes, false), part);
}

// dx = rstd * (dy - mean(dy) - xhat * mean(dy * xhat)) with dy = g * gamma;
// dgamma = sum(g * xhat), dbeta = sum(g) over the columns.
Values decompose_norm_grad(Emitter& e, const Node& node, const Values& in, bool layernorm) {
  ValueId g = in[0], x = in[1], gamma = in[2];
  NormAxes axes = norm_axes(layernorm, e.graph().type(x).rank());
  Normalised n = normalise(e, x, axes.stats, node_float(node, "eps", 1e-5));
  ValueId dy = e.op("mul", {g, gamma}, {}, "dy");
  ValueId mean_dy = e.op("mean", {dy}, reduce_attrs(axes.stats, true), "mean_dy");
  ValueId mean_dy_xhat =
      e.op("mean", {e.op("mul", {dy, n.xhat}, {}, "dy_xhat")}, reduce_attrs(axes.stats, true), "mean_dy_xhat");
  ValueId inner = e.op("sub", {e.op("sub", {dy, mean_dy}, {}, "dy_centered"),
                               e.op("mul", {n.xhat, mean_dy_xhat}, {}, "projection")},
                       {}, "inner");
  ValueId dx = e.op("mul", {n.rstd, inner}, {}, "dx");
  ValueId dgamma = column_sum(e, e.op("mul", {g, n.xhat}, {}, "g_xhat"), axes.columns, "dgamma");
  ValueId dbeta = column_sum(e, g, axes.columns, "dbeta");
  return {dx, dgamma, dbeta};
}

// The GEMM keeps addmm's transposes; the scales become epilogue elementwise ops.
Values decompose_addmm(Emitter& e, const Node& node, const Values& in) {
  ValueId bias = in[0];
  DType dt = e.graph().type(bias).dtype;
  double alpha = node_float(node, "alpha", 1.0), beta = node_float(node, "beta", 1.0);
  Attrs gemm;
  for (const char* flag : {"transpose_a", "transpose_b"})
    if (const AttrValue* a = node.attrs.find(flag)) gemm.set(flag, *a);
  bool last = beta == 0 && alpha == 1;  // the product alone is the result
  ValueId product = last ? e.result("matmul", {in[1], in[2]}, gemm) : e.op("matmul", {in[1], in[2]}, gemm, "matmul");
  if (last) return {product};
  if (beta == 0) return {e.result("mul", {product, e.scalar(alpha, dt)})};
  if (alpha != 1) product = e.op("mul", {product, e.scalar(alpha, dt)}, {}, "scaled");
  if (beta != 1) bias = e.op("mul", {bias, e.scalar(beta, dt)}, {}, "bias_scaled");
  return {e.result("add", {product, bias})};
}

class Decomposer {
 public:
  explicit Decomposer(const Graph& graph) : graph_(graph) {
    // log_softmax outputs that a backward op reads: worth rewriting as log(softmax).
    for (const Node& node : graph.nodes())
      if (node.op == "log_softmax_grad") feeds_backward_.insert(node.inputs[1]);
  }

  std::optional<Values> operator()(Graph& out, const Node& node, const Values& in) {
    if (in.empty() || !is_graph_float(out.type(in[0]).dtype)) return std::nullopt;
    Emitter e(out, node);
    DType dt = out.type(in[0]).dtype;
    if (node.op == "cross_entropy") {
      ValueId logp = e.op("log_softmax", {in[0]}, {{"axis", int64_t{-1}}}, "log_softmax");
      return Values{e.result("nll_loss", {logp, in[1]})};
    }
    if (node.op == "log_softmax" && feeds_backward_.count(node.outputs[0])) {
      ValueId s = softmax(e, in[0], node_axis(node, out.type(in[0]).rank()));
      ValueId y = e.result("log", {s});
      softmax_of_log_[y] = s;
      return Values{y};
    }
    if (node.op == "log_softmax_grad") {
      int64_t axis = node_axis(node, out.type(in[0]).rank());
      ValueId s = softmax_for(e, in[1], axis);
      ValueId total = e.op("sum", {in[0]}, reduce_attrs({axis}, true), "sum");
      return Values{e.result("sub", {in[0], e.op("mul", {s, total}, {}, "scaled")})};
    }
    if (node.op == "nll_loss_grad") {
      ValueId labels = in[1];
      int64_t classes = graph_.type(node.outputs[0]).shape.at(1);
      double rows = static_cast<double>(out.type(labels).shape.at(0));
      ValueId hot = e.op("one_hot", {labels}, {{"depth", classes}, {"dtype", dtype_attr(dt)}}, "one_hot");
      ValueId scale = e.op("div", {e.op("neg", {in[0]}, {}, "neg"), e.scalar(rows, dt)}, {}, "scale");
      return Values{e.result("mul", {hot, scale})};
    }
    if (node.op == "dropout") {
      const TensorType& t = out.type(in[0]);
      Attrs mask_attrs = node.attrs;
      mask_attrs.set("shape", t.shape).set("dtype", dtype_attr(t.dtype));
      return Values{e.result("mul", {in[0], e.op("dropout_mask", {}, mask_attrs, "mask")})};
    }
    if (node.op == "relu_grad" && produced_by(out, in[1], "relu")) {
      ValueId nonzero = e.op("not_equal", {in[1], e.scalar(0.0, dt)}, {}, "nonzero");
      return Values{e.result("mul", {in[0], nonzero})};
    }
    if (node.op == "addmm") return decompose_addmm(e, node, in);
    if (node.op == "layernorm" || node.op == "batchnorm")
      return decompose_norm(e, node, in, node.op == "layernorm");
    if (node.op == "layernorm_grad" || node.op == "batchnorm_grad")
      return decompose_norm_grad(e, node, in, node.op == "layernorm_grad");
    return std::nullopt;
  }

 private:
  ValueId softmax(Emitter& e, ValueId x, int64_t axis) {
    auto key = std::make_pair(x, axis);
    auto it = softmax_.find(key);
    if (it != softmax_.end()) return it->second;
    ValueId s = e.op("softmax", {x}, {{"axis", axis}}, "softmax");
    softmax_.emplace(key, s);
    return s;
  }

  // softmax(x) for y = log_softmax(x) (decomposed or not); exp(y) otherwise.
  ValueId softmax_for(Emitter& e, ValueId y, int64_t axis) {
    if (auto it = softmax_of_log_.find(y); it != softmax_of_log_.end()) return it->second;
    if (std::optional<Node> p = producer_of(e.graph(), y); p && p->op == "log_softmax") {
      const Graph& g = e.graph();
      if (node_axis(*p, g.type(p->inputs[0]).rank()) == axis) return softmax(e, p->inputs[0], axis);
    }
    return e.op("exp", {y}, {}, "exp");
  }

  const Graph& graph_;
  std::set<ValueId> feeds_backward_;                        // values of the input graph
  std::map<ValueId, ValueId> softmax_of_log_;               // log(softmax) -> softmax, in the output graph
  std::map<std::pair<ValueId, int64_t>, ValueId> softmax_;  // (x, axis) -> softmax(x)
};

}  // namespace

Graph decompose(const Graph& graph) {
  Decomposer decomposer(graph);
  return rebuild(graph, std::ref(decomposer));
}

}  // namespace weft::graph
