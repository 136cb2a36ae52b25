// The model zoo: forward graphs (with a scalar "loss" output) of the five models
// EVT is judged on, at paper sizes or a tiny preset, built from a model spec
// (see model_spec.h): bert-large, vit, resnet50, xmlcnn, gcn.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "frontend/model_spec.h"
#include "graph/executor.h"
#include "graph/graph.h"

namespace weft::frontend {

// Names of the three inputs that hold a CSR matrix, and its size.
struct CsrInputs {
  std::string indptr, indices, values;
  int64_t rows = 0, cols = 0, nnz = 0;
};

struct Model {
  std::string name;  // "bert-large"
  std::string spec;  // canonical: every config key with its value
  graph::Graph graph;
  std::map<std::string, int64_t> index_bounds;  // i64 inputs: values lie in [0, bound)
  std::set<std::string> binary_inputs;          // float inputs holding 0/1 targets
  std::optional<CsrInputs> csr;
};

struct ModelDef {
  std::string name;
  std::string summary;
  std::function<Model(const ModelSpec& spec, const std::string& text, graph::DType dtype)> build;
  std::function<std::string()> describe_config;
};

// Builds the model named by `spec` with float tensors in `dtype`. Unknown models,
// unknown keys and bad values throw UsageError naming the spec and the column.
Model build_model(const std::string& spec, graph::DType dtype = graph::DType::f32);
std::vector<std::string> model_names();
// The summary and every config key with its paper and tiny values.
std::string describe_model(const std::string& name);

// Valid inputs for running the model: parameters scaled by 1/sqrt(fan-in) (norm
// gammas near 1), data uniform in [-1, 1), ids and labels within their bounds,
// 0/1 targets, and a random row-normalised CSR adjacency.
graph::TensorMap example_feeds(const Model& model, uint64_t seed);

// The zoo's entries, one file each.
ModelDef bert_model_def();
ModelDef vit_model_def();
ModelDef resnet_model_def();
ModelDef xmlcnn_model_def();
ModelDef gcn_model_def();

}  // namespace weft::frontend
