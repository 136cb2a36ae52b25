#include "ir/workload.h"

#include <algorithm>

#include "ir/ops/flop_count.h"
#include "ir/ops/op_families.h"
#include "ir/workload_spec.h"
#include "support/error.h"

namespace weft::ir {
namespace {

// Every op of the library, sorted by name.
const std::vector<OpDef>& op_table() {
  static const std::vector<OpDef> table = [] {
    std::vector<OpDef> all;
    for (auto family : {ops::matmul_ops, ops::conv_ops, ops::unary_ops, ops::binary_ops, ops::reduction_ops,
                        ops::normalization_ops, ops::dense_ops}) {
      std::vector<OpDef> defs = family();
      all.insert(all.end(), defs.begin(), defs.end());
    }
    std::sort(all.begin(), all.end(), [](const OpDef& a, const OpDef& b) { return a.name < b.name; });
    for (size_t i = 1; i < all.size(); ++i)
      if (all[i].name == all[i - 1].name) throw InternalError("op '" + all[i].name + "' is defined twice");
    return all;
  }();
  return table;
}

}  // namespace

Workload make_workload(const std::string& spec) {
  ParsedSpec parsed = parse_workload_spec(spec, op_table());
  Workload w;
  w.spec = parsed.canonical;
  w.op = parsed.op->name;
  w.func = parsed.op->build(parsed.values);
  w.num_outputs = parsed.op->num_outputs;
  w.flops = ops::count_flops(w.func);
  return w;
}

std::vector<std::string> list_ops() {
  std::vector<std::string> names;
  for (const OpDef& op : op_table()) names.push_back(op.name);
  return names;
}

std::string describe_op(const std::string& op) {
  for (const OpDef& def : op_table())
    if (def.name == op) return def.name + ": " + def.summary + ". Parameters: " + describe_params(def);
  std::string known;
  for (const OpDef& def : op_table()) known += (known.empty() ? "" : ", ") + def.name;
  throw UsageError("unknown op '" + op + "'; available ops: " + known);
}

}  // namespace weft::ir
