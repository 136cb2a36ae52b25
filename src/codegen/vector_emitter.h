// Vectorised loops as GCC vector extensions (not left to the auto-vectoriser).
//
// A `vectorized` loop of constant extent L whose body is one store, or one block
// realize whose block (no allocations) holds one store and at most one init store,
// becomes chunks of W lanes (W = the largest power of two <= min(L, 16) whose
// widest value fits kVectorBytes: 8 lanes of f32, 4 of f64 or integers) followed
// by a scalar loop over the L mod W remaining lanes; up to 8 chunks are unrolled. In a chunk, values that do not
// depend on the lane are plain scalars (a load at a lane-invariant index is a
// broadcast), contiguous accesses (stride 1 in the lane) are unaligned vector loads
// and stores, other lane-dependent accesses gather and scatter lane by lane, and
// arithmetic, comparisons and selects work on whole vectors (intrinsics lane by
// lane). A block predicate that varies by lane is evaluated as a mask: a chunk
// whose lanes all pass runs the vector code, any other chunk runs lane by lane
// through scalar code (masked scalar fallback).
//
// The loop is emitted as plain scalar code, with a comment saying why, when the
// extent is not a constant of at least 2, the body has any other shape (inner
// loops, several statements, allocations), every lane stores to the same element
// (a reduction along the vectorised loop), the init would run for some lanes only,
// the loop reads the buffer it writes at another element than it stores (or
// stores to it through a non-injective index), or a lane-varying select or `&&`/`||`
// guards a load or an integer division that scalar code would skip and that is not
// proven in bounds / nonzero (interval analysis over the loop and block ranges).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "codegen/cpp_emitter.h"
#include "codegen/index_analysis.h"

namespace weft::codegen {

// Why `loop` (kind Vectorized) cannot become vector code; "" when it can. `outer`
// gives the ranges of enclosing loop variables (to prove speculative loads safe).
std::string vectorize_failure(const ir::ForNode& loop, const ir::VarDomains& outer = {});

class VectorEmitter {
 public:
  explicit VectorEmitter(CppEmitter& scalar) : s_(scalar) {}
  void emit(const ir::ForNode& loop);

  // A value in vector code: a scalar (the same in every lane) or a vector of W
  // lanes. Bool vectors are masks (-1/0) whose element width varies (1, 4, 8 bytes).
  struct Value {
    std::string code;
    bool vector = false;
    ir::DType dtype = ir::DType::f32;
    int mask_bytes = 0;
  };

 private:
  void emit_scalar_loop(const ir::ForNode& loop, const std::string& from, const std::string& to);
  void emit_chunk(const ir::ForNode& loop, const std::string& base);
  void emit_vector_body();
  void emit_vector_store(const ir::BufferStoreNode& store);

  Value vec(const ir::Expr& e);
  Value vec_binary(const ir::BinaryNode& n);
  Value vec_cast(const ir::CastNode& n);
  Value vec_select(const ir::SelectNode& n);
  Value vec_load(const ir::BufferLoadNode& n);
  std::string as_vector(const Value& v, ir::DType t);  // broadcasts scalars
  std::string as_mask(const Value& v, int bytes);
  std::string to_storage(const Value& v, ir::DType t);
  std::string vtype(const char* lane) const;
  std::string compute_vtype(ir::DType t) const;
  std::string mask_vtype(int bytes) const;

  CppEmitter& s_;
  int lanes_ = 0;
  const ir::BlockRealizeNode* realize_ = nullptr;
  const ir::BufferStoreNode* store_ = nullptr;
  const ir::BufferStoreNode* init_ = nullptr;
  std::unique_ptr<LaneAnalysis> analysis_;
  std::map<const ir::VarNode*, std::string> lane_vectors_;  // lane-dependent variables
};

}  // namespace weft::codegen
