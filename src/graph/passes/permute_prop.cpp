// Permute propagation (EVT): moves layout permutes towards their consumers
// through elementwise ops, where they meet and cancel, and folds the ones that
// reach a GEMM into its transpose flags:
//   f(permute(x, p))                    -> permute(f(x), p)        f unary elementwise
//   f(permute(a, p), permute(b, p))     -> permute(f(a, b), p)     same shapes
//   f(permute(a, p), s)                 -> permute(f(a, s), p)     s a scalar
//   permute(permute(x, p), q)           -> permute(x, p∘q), or x when that is the identity
//   matmul(permute(a, [1,0]), b)        -> matmul(a, b) with transpose_a flipped
//   (batch_matmul alike for a permute that swaps only the last two axes)
// dropout is not moved: its mask depends on the flat element index.
#include <set>

#include "graph/passes/pass.h"
#include "graph/passes/pattern.h"
#include "graph/passes/rebuild.h"

namespace weft::graph {
namespace {

using Values = std::vector<ValueId>;
using Perm = std::vector<int64_t>;

const std::set<std::string>& unary_ops() {
  static const std::set<std::string> ops = {"neg", "exp", "log", "sqrt", "relu", "gelu", "tanh", "sigmoid"};
  return ops;
}

const std::set<std::string>& binary_ops() {
  static const std::set<std::string> ops = {"add",       "sub",       "mul",       "div",       "maximum",
                                            "equal",     "not_equal", "relu_grad", "gelu_grad", "tanh_grad",
                                            "sigmoid_grad"};
  return ops;
}

// The permutation of a permute node producing `v`, and the permuted value.
std::optional<std::pair<ValueId, Perm>> permute_source(const Graph& g, ValueId v) {
  std::optional<Node> p = producer_of(g, v);
  if (!p || p->op != "permute") return std::nullopt;
  return std::make_pair(p->inputs[0], std::get<Perm>(*p->attrs.find("perm")));
}

bool is_identity(const Perm& p) {
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != static_cast<int64_t>(i)) return false;
  return true;
}

// A permute that swaps the last two axes and keeps the others.
bool swaps_last_two(const Perm& p) {
  size_t r = p.size();
  if (r < 2) return false;
  for (size_t i = 0; i + 2 < r; ++i)
    if (p[i] != static_cast<int64_t>(i)) return false;
  return p[r - 2] == static_cast<int64_t>(r - 1) && p[r - 1] == static_cast<int64_t>(r - 2);
}

ValueId permute(Graph& out, ValueId x, const Perm& perm, const std::string& name) {
  if (is_identity(perm)) return x;
  return out.add("permute", {x}, {{"perm", perm}}, name);
}

std::optional<Values> rewrite(Graph& out, const Node& node, const Values& in) {
  if (node.op == "permute") {
    auto src = permute_source(out, in[0]);
    const Perm& outer = std::get<Perm>(*node.attrs.find("perm"));
    if (src) {  // out dim i = inner dim outer[i] = x dim inner[outer[i]]
      Perm combined;
      for (int64_t o : outer) combined.push_back(src->second[o]);
      return Values{permute(out, src->first, combined, node.name)};
    }
    if (is_identity(outer)) return Values{in[0]};
    return std::nullopt;
  }
  if (unary_ops().count(node.op) && node.attrs.empty()) {
    auto src = permute_source(out, in[0]);
    if (!src) return std::nullopt;
    ValueId y = out.add(node.op, {src->first}, {}, node.name + "/unpermuted");
    return Values{permute(out, y, src->second, node.name)};
  }
  if (binary_ops().count(node.op)) {
    auto a = permute_source(out, in[0]), b = permute_source(out, in[1]);
    std::optional<Values> operands;
    std::optional<Perm> perm;
    if (a && b && a->second == b->second && out.type(in[0]).shape == out.type(in[1]).shape) {
      operands = Values{a->first, b->first};
      perm = a->second;
    } else if (a && !b && out.type(in[1]).rank() == 0) {
      operands = Values{a->first, in[1]};
      perm = a->second;
    } else if (b && !a && out.type(in[0]).rank() == 0) {
      operands = Values{in[0], b->first};
      perm = b->second;
    }
    if (!operands) return std::nullopt;
    ValueId y = out.add(node.op, *operands, node.attrs, node.name + "/unpermuted");
    return Values{permute(out, y, *perm, node.name)};
  }
  if (node.op == "matmul" || node.op == "batch_matmul") {
    Values operands = in;
    Attrs attrs = node.attrs;
    bool changed = false;
    for (int i = 0; i < 2; ++i) {
      auto src = permute_source(out, in[i]);
      if (!src || !swaps_last_two(src->second)) continue;
      std::string flag = i == 0 ? "transpose_a" : "transpose_b";
      const AttrValue* old = attrs.find(flag);
      int64_t was = old && std::get_if<int64_t>(old) ? std::get<int64_t>(*old) : 0;
      attrs.set(flag, int64_t{was ? 0 : 1});
      operands[i] = src->first;
      changed = true;
    }
    if (!changed) return std::nullopt;
    return Values{out.add(node.op, operands, attrs, node.name)};
  }
  return std::nullopt;
}

}  // namespace

Graph propagate_permutes(const Graph& graph) { return rebuild(graph, rewrite); }

}  // namespace weft::graph
