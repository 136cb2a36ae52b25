// Annotation keys rules leave for later rules and for the postprocessors of
// src/search (which rewrite the root block's requests into loop kinds and remove
// them). Keys are identifiers, as annotate requires.
#pragma once

namespace weft::rules::ann {

// On a block tiled by multi-level-tiling: its structure, e.g. "SSRSRS". Later
// rules leave such a block's loops alone.
inline constexpr const char* kTilingStructure = "tiling_structure";
// On a block whose producers (an rfactor block) random-compute-location must
// place too; removed when it does.
inline constexpr const char* kRandomComputeProducer = "random_compute_producer";
// On the root block, from parallelize-vectorize-unroll:
// the largest product of outer spatial loop extents to fuse and parallelise,
inline constexpr const char* kParallelExtent = "parallel_extent";
// the widest innermost spatial loops to fuse and vectorise, in bytes of the
// block's output element type,
inline constexpr const char* kVectorizeBytes = "vectorize_bytes";
// the unroll budget: loops executing at most this many statements are unrolled.
inline constexpr const char* kUnrollExplicit = "unroll_explicit";

}  // namespace weft::rules::ann
