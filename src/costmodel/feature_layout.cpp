#include "costmodel/feature_layout.h"

#include "support/error.h"

namespace weft::costmodel {

int num_features() { return layout::kNumFeatures; }

std::vector<std::string> feature_names() {
  using namespace layout;
  static const char* const arith_names[kNumArith] = {
      "float_add_sub", "float_mul", "float_div", "float_min_max", "float_fma", "float_exp_like", "float_other_math",
      "float_cmp", "float_flops", "int_add_sub", "int_mul", "int_div_mod", "int_min_max", "int_cmp", "bool_op",
      "select", "cast"};
  static const char* const loop_names[kNumLoopFeatures] = {
      "num_loops", "trip_count", "innermost_extent", "outermost_extent", "num_reduce_loops", "num_unit_loops",
      "has_predicate", "is_init_store", "block_depth"};
  static const char* const kind_names[kNumKinds] = {"parallel", "vectorized", "unrolled"};
  static const char* const per_kind[kPerKind] = {"count", "extent_product", "inner_extent", "is_innermost",
                                                 "is_outermost", "depth"};
  static const char* const gpu_names[kNumGpu] = {"blockIdx.x", "blockIdx.y", "blockIdx.z", "threadIdx.x",
                                                 "threadIdx.y", "threadIdx.z", "vthread", "auto_unroll_max_step",
                                                 "unroll_explicit"};
  static const char* const buffer_names[kPerBuffer] = {
      "is_read", "is_write", "is_read_write", "bytes", "unique_bytes", "lines", "unique_lines", "reuse_loop",
      "reuse_serial", "no_reuse", "reuse_dist_iter", "reuse_dist_bytes", "reuse_count", "stride", "is_contiguous",
      "is_broadcast", "is_global", "access_count"};
  static const char* const alloc_names[kNumAlloc] = {"global_bytes", "local_bytes", "shared_bytes", "count"};

  std::vector<std::string> names;
  for (const char* n : arith_names) names.push_back(std::string("arith.") + n);
  for (const char* n : loop_names) names.push_back(std::string("loop.") + n);
  for (const char* k : kind_names)
    for (const char* f : per_kind) names.push_back(std::string(k) + "." + f);
  for (const char* n : gpu_names) names.push_back(std::string("gpu.") + n);
  for (int s = 0; s < kNumBufferSlots; ++s)
    for (const char* n : buffer_names) names.push_back("buf" + std::to_string(s) + "." + n);
  for (int i = 0; i < kNumIntensity; ++i) names.push_back("intensity." + std::to_string(i));
  for (const char* n : alloc_names) names.push_back(std::string("alloc.") + n);
  for (int d = 0; d < kNumOuter; ++d) names.push_back("outer_prod." + std::to_string(d + 1));
  if (static_cast<int>(names.size()) != kNumFeatures)
    throw InternalError("feature_names lists " + std::to_string(names.size()) + " names for " +
                        std::to_string(kNumFeatures) + " features");
  return names;
}

}  // namespace weft::costmodel
