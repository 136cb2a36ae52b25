#include "frontend/model_zoo.h"

#include <cmath>

#include "support/error.h"

namespace weft::frontend {

using graph::DType;
using graph::InputKind;
using graph::Tensor;
using graph::TensorMap;

namespace {

const std::vector<ModelDef>& zoo() {
  static const std::vector<ModelDef> defs = {bert_model_def(), vit_model_def(), resnet_model_def(),
                                             xmlcnn_model_def(), gcn_model_def()};
  return defs;
}

const ModelDef& find_def(const std::string& name, const std::string& context) {
  for (const ModelDef& d : zoo())
    if (d.name == name) return d;
  std::string names;
  for (const ModelDef& d : zoo()) names += (names.empty() ? "" : ", ") + d.name;
  throw UsageError(context + "unknown model '" + name + "' (models: " + names + ")");
}

// A CSR matrix with `nnz` nonzeros spread over random rows, values 1/row length.
void random_csr(const CsrInputs& csr, DType dtype, Rng& rng, TensorMap& feeds) {
  std::vector<int64_t> counts(static_cast<size_t>(csr.rows), 0);
  for (int64_t e = 0; e < csr.nnz; ++e) ++counts[static_cast<size_t>(rng.uniform_int(0, csr.rows - 1))];
  Tensor indptr(graph::TensorType{{csr.rows + 1}, DType::i64, ""});
  Tensor indices(graph::TensorType{{csr.nnz}, DType::i64, ""});
  Tensor values(graph::TensorType{{csr.nnz}, dtype, ""});
  int64_t at = 0;
  for (int64_t r = 0; r < csr.rows; ++r) {
    indptr.set(r, static_cast<double>(at));
    for (int64_t k = 0; k < counts[r]; ++k, ++at) {
      indices.set(at, static_cast<double>(rng.uniform_int(0, csr.cols - 1)));
      values.set(at, 1.0 / static_cast<double>(counts[r]));
    }
  }
  indptr.set(csr.rows, static_cast<double>(at));
  feeds[csr.indptr] = indptr;
  feeds[csr.indices] = indices;
  feeds[csr.values] = values;
}

}  // namespace

Model build_model(const std::string& spec, DType dtype) {
  WEFT_CHECK(graph::is_graph_float(dtype), UsageError, "models are built in f32 or f64");
  ModelSpec parsed = parse_model_spec(spec);
  const ModelDef& def = find_def(parsed.model, "model spec '" + spec + "': ");
  return def.build(parsed, spec, dtype);
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const ModelDef& d : zoo()) names.push_back(d.name);
  return names;
}

std::string describe_model(const std::string& name) {
  const ModelDef& def = find_def(name, "");
  return def.name + ": " + def.summary + "\n" + def.describe_config();
}

TensorMap example_feeds(const Model& model, uint64_t seed) {
  Rng rng(seed);
  TensorMap feeds;
  const graph::Graph& g = model.graph;
  if (model.csr) {
    DType values_dtype = g.type(*g.find_value(model.csr->values)).dtype;
    random_csr(*model.csr, values_dtype, rng, feeds);
  }
  for (const graph::GraphInput& in : g.inputs()) {
    const graph::Value& v = g.value(in.value);
    if (feeds.count(v.name)) continue;
    if (v.type.dtype == DType::i64) {
      auto it = model.index_bounds.find(v.name);
      WEFT_CHECK(it != model.index_bounds.end(), InternalError,
                 "model '" + model.name + "' declares no bound for index input '" + v.name + "'");
      feeds[v.name] = Tensor::random(v.type, rng, 0, static_cast<double>(it->second));
    } else if (model.binary_inputs.count(v.name)) {
      Tensor t = Tensor::random(v.type, rng, 0, 1);
      for (int64_t i = 0; i < t.numel(); ++i) t.set(i, t.at(i) < 0.1 ? 1.0 : 0.0);
      feeds[v.name] = t;
    } else if (in.kind == InputKind::parameter) {
      Tensor t = Tensor::random(v.type, rng);
      bool gamma = v.name.ends_with("gamma");
      double scale = 0.1;
      if (v.type.rank() >= 2) scale = 1.0 / std::sqrt(static_cast<double>(v.type.numel() / v.type.shape.back()));
      for (int64_t i = 0; i < t.numel(); ++i) t.set(i, t.at(i) * scale + (gamma ? 1.0 : 0.0));
      feeds[v.name] = t;
    } else {
      feeds[v.name] = Tensor::random(v.type, rng);
    }
  }
  return feeds;
}

}  // namespace weft::frontend
