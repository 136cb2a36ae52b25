// Reduction elimination (EVT): removes reductions whose result is known without
// reducing, so the ops around them become elementwise and fuse.
//   reassociation:  sum(a * b) -> sum(a) * b   when b is constant along the summed
//                   axes (likewise mean); a is the operand with the full shape
//   one-hot fold:   sum(one_hot(l), last axis) -> 1   (mean: 1 / depth)
// Together they turn cross-entropy's backward, after decomposition,
//   g - softmax * sum(one_hot(l) * c)  into  g - softmax * c,
// which has no reduction left but the softmax's own statistics. The fold assumes
// labels lie in [0, depth), which the one_hot kernel checks when it runs.
#include <algorithm>

#include "graph/passes/pass.h"
#include "graph/passes/pattern.h"
#include "graph/passes/rebuild.h"
#include "support/error.h"

namespace weft::graph {
namespace {

using Values = std::vector<ValueId>;

struct Reduction {
  std::string op;  // sum or mean
  std::vector<int64_t> axes;
  bool keepdims;
  std::string name;
};

bool keepdims_of(const Node& node) {
  const AttrValue* k = node.attrs.find("keepdims");
  auto* i = k ? std::get_if<int64_t>(k) : nullptr;
  return i && *i != 0;
}

// The shape a reduction of `in` produces.
Shape reduced_shape(const Shape& in, const Reduction& r) {
  Shape out;
  for (int64_t i = 0; i < static_cast<int64_t>(in.size()); ++i) {
    bool reduced = std::find(r.axes.begin(), r.axes.end(), i) != r.axes.end();
    if (!reduced) out.push_back(in[i]);
    else if (r.keepdims) out.push_back(1);
  }
  return out;
}

// Whether `b`, broadcast to `full`, is constant along every reduced axis.
bool constant_along(const Shape& b, const Shape& full, const std::vector<int64_t>& axes) {
  if (b.size() > full.size()) return false;
  Shape aligned = right_aligned(b, full.size());
  for (int64_t a : axes)
    if (aligned[a] != 1) return false;
  return true;
}

// `b` reshaped so it broadcasts against the reduction's output.
ValueId factor_for_output(Graph& out, ValueId b, const Shape& full, const Reduction& r) {
  const Shape& shape = out.type(b).shape;
  if (r.keepdims || shape.empty()) return b;
  Shape aligned = right_aligned(shape, full.size()), kept;
  for (int64_t i = 0; i < static_cast<int64_t>(aligned.size()); ++i)
    if (std::find(r.axes.begin(), r.axes.end(), i) == r.axes.end()) kept.push_back(aligned[i]);
  if (kept == shape) return b;
  return out.add("reshape", {b}, {{"shape", kept}}, r.name + "/factor");
}

// Emits the reduction of `x` in its cheapest known form; nullopt when no rule
// applies (the caller then keeps the original reduction).
std::optional<ValueId> simplify(Graph& out, ValueId x, const Reduction& r) {
  const TensorType type = out.type(x);
  std::optional<Node> p = producer_of(out, x);
  if (!p) return std::nullopt;
  int64_t rank = type.rank();
  if (p->op == "one_hot" && r.axes == std::vector<int64_t>{rank - 1}) {
    double depth = static_cast<double>(type.shape.back());
    return add_full(out, reduced_shape(type.shape, r), r.op == "sum" ? 1.0 : 1.0 / depth, type.dtype,
                    r.name + "/one_hot_total");
  }
  if (p->op != "mul") return std::nullopt;
  for (int side = 0; side < 2; ++side) {
    ValueId a = p->inputs[side], b = p->inputs[1 - side];
    if (out.type(a).shape != type.shape || !constant_along(out.type(b).shape, type.shape, r.axes)) continue;
    std::optional<ValueId> reduced = simplify(out, a, r);
    ValueId total = reduced ? *reduced
                            : out.add(r.op, {a}, {{"axes", r.axes}, {"keepdims", int64_t{r.keepdims}}},
                                      r.name + "/reassoc");
    return out.add("mul", {total, factor_for_output(out, b, type.shape, r)}, {}, r.name);
  }
  return std::nullopt;
}

}  // namespace

Graph eliminate_reductions(const Graph& graph) {
  return rebuild(graph, [&](Graph& out, const Node& node, const Values& in) -> std::optional<Values> {
    if (node.op != "sum" && node.op != "mean") return std::nullopt;
    Reduction r{node.op, reduced_axes(node, out.type(in[0]).rank()), keepdims_of(node), node.name};
    std::optional<ValueId> v = simplify(out, in[0], r);
    if (!v) return std::nullopt;
    WEFT_CHECK(out.type(*v) == graph.type(node.outputs[0]), InternalError,
               "reduction elimination changed the type of '" + node.name + "' from " +
                   graph.type(node.outputs[0]).str() + " to " + out.type(*v).str());
    return Values{*v};
  });
}

}  // namespace weft::graph
