// The registry of tensor intrinsics that tensorize can use.
//
// An intrinsic is a pair of PrimFuncs over the same parameters (same count, dtypes
// and shapes): a description, what the intrinsic computes, written as plain
// loops around one block the way blockize leaves a computation, and an
// implementation, the code that replaces it (vectorized loops for the CPU; later,
// tensor-core operations for CUDA). Tensorize matches a block's body against the
// description and splices in the implementation's body with each parameter
// mapped to a region of a real buffer.
//
// Each intrinsic registers in one place, in the file of its target
// (intrinsics_cpu.cpp; tensor-core intrinsics go in their own file):
//
//   const RegisterIntrinsic kFma("cpu_fma_f32x8", "cpu", [] {
//     return IntrinsicFuncs{parse_func(desc_text), parse_func(impl_text)};
//   });
//
// The functions are built on first use and checked then (InternalError when they do
// not fit the rules above), so registration does no work at static-init time.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ir/stmt.h"

namespace weft::sched {

// The block annotation tensorize sets for an intrinsic of target "cuda", whose
// block keeps the description's scalar body: its value names the intrinsic the
// CUDA emitter implements the block with (codegen/cuda_tensorcore.h).
inline constexpr const char* kTensorIntrinAnnotation = "tensor_intrin";

struct IntrinsicFuncs {
  ir::PrimFunc desc;  // root block: loops around one block (no allocations)
  ir::PrimFunc impl;  // root block: any statements without allocations
  // Per parameter, the scope the real buffer must be in ("global": any; "shared":
  // shared or shared.dyn; a fragment scope: exactly it). Empty: no constraint.
  // (Parameters of a PrimFunc are always global, so scopes are given here.)
  std::vector<std::string> param_scopes;
};

struct TensorIntrinsic {
  std::string name;
  std::string target;  // the backend that can run the implementation: "cpu" or "cuda"
  ir::PrimFunc desc;
  ir::PrimFunc impl;
  std::vector<std::string> param_scopes;  // as in IntrinsicFuncs, one per parameter (or empty)
};

using IntrinsicFactory = std::function<IntrinsicFuncs()>;

// Throws InternalError when the name is taken or not an identifier.
void register_intrinsic(const std::string& name, const std::string& target, IntrinsicFactory make);
// Throws ScheduleError naming `primitive` and the known intrinsics for an unknown name.
const TensorIntrinsic& get_intrinsic(const std::string& name, const std::string& primitive = "tensorize");
bool has_intrinsic(const std::string& name);
std::vector<std::string> intrinsic_names();  // sorted

struct RegisterIntrinsic {
  RegisterIntrinsic(const std::string& name, const std::string& target, IntrinsicFactory make) {
    register_intrinsic(name, target, std::move(make));
  }
};

}  // namespace weft::sched
