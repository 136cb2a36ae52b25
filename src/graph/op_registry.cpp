#include "graph/op_registry.h"

#include "graph/ops/register.h"
#include "support/error.h"

namespace weft::graph {

const OpRegistry& OpRegistry::global() {
  static const OpRegistry registry = [] {
    OpRegistry r;
    register_elementwise_ops(r);
    register_activation_ops(r);
    register_reduction_ops(r);
    register_layout_ops(r);
    register_matmul_ops(r);
    register_normalization_ops(r);
    register_softmax_ops(r);
    register_conv_ops(r);
    register_pooling_ops(r);
    register_embedding_ops(r);
    register_dropout_ops(r);
    register_sparse_ops(r);
    register_loss_ops(r);
    return r;
  }();
  return registry;
}

void OpRegistry::add(OpDef def) {
  WEFT_CHECK(!def.name.empty() && def.infer && def.kernel, InternalError,
             "op '" + def.name + "' registered without a name, inference rule or kernel");
  WEFT_CHECK(!ops_.count(def.name), InternalError, "op '" + def.name + "' registered twice");
  std::string name = def.name;
  ops_.emplace(std::move(name), std::move(def));
}

const OpDef* OpRegistry::find(const std::string& name) const {
  auto it = ops_.find(name);
  return it == ops_.end() ? nullptr : &it->second;
}

const OpDef& OpRegistry::get(const std::string& name, const std::string& context) const {
  if (const OpDef* def = find(name)) return *def;
  throw UsageError((context.empty() ? "" : context + ": ") + "unknown op '" + name + "'");
}

std::vector<std::string> OpRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& [name, def] : ops_) out.push_back(name);
  return out;
}

}  // namespace weft::graph
