// How the partitioner may fuse an op. Main ops anchor a kernel (at most one per
// kernel); fusible ops join a main op's epilogue; layout ops only move data and
// may be folded into a neighbour's indexing.
#pragma once

#include <optional>
#include <string_view>

namespace weft::graph {

enum class FusionClass {
  // main
  matmul,
  batch_matmul,
  conv,
  softmax,
  layernorm,
  spmm,
  // fusible
  elementwise,
  broadcast,
  reduction,
  // layout
  view,
  permute,
};

enum class FusionGroup { main, fusible, layout };

FusionGroup fusion_group(FusionClass c);
std::string_view fusion_class_name(FusionClass c);
std::string_view fusion_group_name(FusionGroup g);
std::optional<FusionClass> parse_fusion_class(std::string_view name);
inline bool is_main(FusionClass c) { return fusion_group(c) == FusionGroup::main; }

}  // namespace weft::graph
