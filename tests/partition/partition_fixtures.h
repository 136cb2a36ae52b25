// Small hand-made graphs for the partitioner tests and helpers to ask which
// kernel a node landed in.
#pragma once

#include <string>

#include "graph/graph.h"
#include "partition/partition.h"

namespace weft::partition::testing {

using graph::DType;
using graph::Graph;
using graph::InputKind;
using graph::TensorType;
using graph::ValueId;

inline TensorType f32(graph::Shape shape) { return TensorType{std::move(shape), DType::f32, ""}; }

inline int kernel_of(const Graph& g, const Partition& p, const std::string& node) {
  for (size_t i = 0; i < g.nodes().size(); ++i)
    if (g.nodes()[i].name == node) return p.kernel_of[i];
  throw std::out_of_range("no node " + node);
}

inline bool together(const Graph& g, const Partition& p, const std::string& a, const std::string& b) {
  return kernel_of(g, p, a) == kernel_of(g, p, b);
}

// y = relu(x @ w1 + b1) @ w2 + b2: the optimum is two kernels, each GEMM with its epilogue.
inline Graph mlp() {
  Graph g("mlp");
  ValueId x = g.add_input("x", f32({8, 16}), InputKind::data);
  ValueId w1 = g.add_input("w1", f32({16, 32}), InputKind::parameter);
  ValueId b1 = g.add_input("b1", f32({32}), InputKind::parameter);
  ValueId w2 = g.add_input("w2", f32({32, 4}), InputKind::parameter);
  ValueId b2 = g.add_input("b2", f32({4}), InputKind::parameter);
  ValueId h = g.add("relu", {g.add("add", {g.add("matmul", {x, w1}, {}, "mm1"), b1}, {}, "bias1")}, {}, "act");
  ValueId y = g.add("add", {g.add("matmul", {h, w2}, {}, "mm2"), b2}, {}, "bias2");
  g.add_output("y", y);
  return g;
}

// u = m1 + m2, e = relu(m2), w = u + e, all [4,10]: largest-edge-first greedy
// fuses u with m1 (the first of equal edges), then e with m2, and is left with
// two values crossing (m2 -> u, e -> w); the optimum puts u, e and w with m2 and
// only m1's output crosses.
inline Graph greedy_trap() {
  Graph g("greedy_trap");
  ValueId a = g.add_input("a", f32({4, 8}), InputKind::data);
  ValueId w1 = g.add_input("w1", f32({8, 10}), InputKind::parameter);
  ValueId w2 = g.add_input("w2", f32({8, 10}), InputKind::parameter);
  ValueId m1 = g.add("matmul", {a, w1}, {}, "m1");
  ValueId m2 = g.add("matmul", {a, w2}, {}, "m2");
  ValueId u = g.add("add", {m1, m2}, {}, "u");
  ValueId e = g.add("relu", {m2}, {}, "e");
  g.add_output("w", g.add("add", {u, e}, {}, "w"));
  return g;
}

// r = relu(x @ w); s = sum(r, axis 1, keepdims); out = r * s. Fusing r with out
// (a large edge) would close a cycle through the reduction, which ends its kernel.
inline Graph reduction_diamond() {
  Graph g("reduction_diamond");
  ValueId x = g.add_input("x", f32({8, 16}), InputKind::data);
  ValueId w = g.add_input("w", f32({16, 32}), InputKind::parameter);
  ValueId r = g.add("relu", {g.add("matmul", {x, w}, {}, "mm")}, {}, "r");
  ValueId s = g.add("sum", {r}, {{"axes", std::vector<int64_t>{1}}, {"keepdims", int64_t{1}}}, "s");
  g.add_output("out", g.add("mul", {r, s}, {}, "out"));
  return g;
}

// `layers` identical blocks h = relu(h @ w_i + b_i): repeated components.
inline Graph repeated_layers(int layers) {
  Graph g("repeated");
  ValueId h = g.add_input("x", f32({8, 16}), InputKind::data);
  for (int i = 0; i < layers; ++i) {
    std::string p = "l" + std::to_string(i);
    ValueId w = g.add_input(p + ".w", f32({16, 16}), InputKind::parameter);
    ValueId b = g.add_input(p + ".b", f32({16}), InputKind::parameter);
    h = g.add("relu", {g.add("add", {g.add("matmul", {h, w}, {}, p + ".mm"), b}, {}, p + ".bias")}, {}, p + ".act");
  }
  g.add_output("y", h);
  return g;
}

}  // namespace weft::partition::testing
