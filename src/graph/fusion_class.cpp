#include "graph/fusion_class.h"

namespace weft::graph {

FusionGroup fusion_group(FusionClass c) {
  switch (c) {
    case FusionClass::matmul:
    case FusionClass::batch_matmul:
    case FusionClass::conv:
    case FusionClass::softmax:
    case FusionClass::layernorm:
    case FusionClass::spmm: return FusionGroup::main;
    case FusionClass::elementwise:
    case FusionClass::broadcast:
    case FusionClass::reduction: return FusionGroup::fusible;
    case FusionClass::view:
    case FusionClass::permute: return FusionGroup::layout;
  }
  return FusionGroup::fusible;
}

std::string_view fusion_class_name(FusionClass c) {
  switch (c) {
    case FusionClass::matmul: return "matmul";
    case FusionClass::batch_matmul: return "batch_matmul";
    case FusionClass::conv: return "conv";
    case FusionClass::softmax: return "softmax";
    case FusionClass::layernorm: return "layernorm";
    case FusionClass::spmm: return "spmm";
    case FusionClass::elementwise: return "elementwise";
    case FusionClass::broadcast: return "broadcast";
    case FusionClass::reduction: return "reduction";
    case FusionClass::view: return "view";
    case FusionClass::permute: return "permute";
  }
  return "?";
}

std::string_view fusion_group_name(FusionGroup g) {
  switch (g) {
    case FusionGroup::main: return "main";
    case FusionGroup::fusible: return "fusible";
    case FusionGroup::layout: return "layout";
  }
  return "?";
}

std::optional<FusionClass> parse_fusion_class(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(FusionClass::permute); ++i) {
    auto c = static_cast<FusionClass>(i);
    if (fusion_class_name(c) == name) return c;
  }
  return std::nullopt;
}

}  // namespace weft::graph
