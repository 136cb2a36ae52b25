// Finite-difference gradient checking for graph tests: build a small f64 forward
// graph with GradCheck's input helpers, then check() compares every parameter's
// gradient from autodiff + the executor with central differences of the loss.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "graph/autodiff.h"
#include "graph/executor.h"
#include "graph/graph.h"

namespace weft::graph::testing {

using weft::Rng;

// Checks the "grad:<p>" outputs of build_training_graph(forward) against central
// differences (step h) of forward's "loss" output, for all elements of every
// parameter, or `sample` random elements per parameter when sample > 0.
inline void check_gradients(const Graph& forward, TensorMap& feeds, Rng& rng, double rtol, double atol, double h,
                            int sample) {
  Graph train = build_training_graph(forward);
  TensorMap result = execute(train, feeds);
  int checked = 0;
  for (const GraphInput& in : forward.inputs()) {
    if (in.kind != InputKind::parameter) continue;
    const std::string& name = forward.value(in.value).name;
    const Tensor& analytic = result.at(gradient_output_name(name));
    Tensor& p = feeds.at(name);
    std::vector<int64_t> elements;
    if (sample > 0 && p.numel() > sample) {
      for (int i = 0; i < sample; ++i) elements.push_back(rng.uniform_int(0, p.numel() - 1));
    } else {
      for (int64_t k = 0; k < p.numel(); ++k) elements.push_back(k);
    }
    for (int64_t k : elements) {
      double saved = p.at(k);
      p.set(k, saved + h);
      double up = execute(forward, feeds).at("loss").at(0);
      p.set(k, saved - h);
      double down = execute(forward, feeds).at("loss").at(0);
      p.set(k, saved);
      double numeric = (up - down) / (2 * h);
      EXPECT_NEAR(analytic.at(k), numeric, atol + rtol * std::fabs(numeric)) << "d loss / d " << name << "[" << k << "]";
      ++checked;
    }
  }
  EXPECT_GT(checked, 0) << "no parameter was checked";
}

class GradCheck {
 public:
  explicit GradCheck(uint64_t seed = 1) : rng_(seed) {}

  Graph& graph() { return graph_; }
  TensorMap& feeds() { return feeds_; }

  ValueId param(const std::string& name, Shape shape, double lo = -1.0, double hi = 1.0) {
    return input(name, std::move(shape), InputKind::parameter, lo, hi);
  }
  ValueId data(const std::string& name, Shape shape, double lo = -1.0, double hi = 1.0) {
    return input(name, std::move(shape), InputKind::data, lo, hi);
  }
  ValueId indices(const std::string& name, Shape shape, const std::vector<double>& values,
                  InputKind kind = InputKind::data) {
    TensorType t{std::move(shape), DType::i64, ""};
    feeds_[name] = Tensor(t, values);
    return graph_.add_input(name, t, kind);
  }

  // Differentiates sum(out * probe) (or out itself when it is a scalar) and checks
  // parameter elements against central differences (see check_gradients).
  void check(ValueId out, double rtol = 1e-5, double atol = 1e-7, double h = 1e-6, int sample = 0) {
    ValueId loss = out;
    if (graph_.type(out).rank() != 0) {
      ValueId probe = data("probe", graph_.type(out).shape);
      loss = graph_.add("sum", {graph_.add("mul", {out, probe})});
    }
    graph_.add_output("loss", loss);
    check_gradients(graph_, feeds_, rng_, rtol, atol, h, sample);
  }

 private:
  ValueId input(const std::string& name, Shape shape, InputKind kind, double lo, double hi) {
    TensorType t{std::move(shape), DType::f64, ""};
    feeds_[name] = Tensor::random(t, rng_, lo, hi);
    return graph_.add_input(name, t, kind);
  }

  Graph graph_{"grad_check"};
  TensorMap feeds_;
  Rng rng_;
};

}  // namespace weft::graph::testing
