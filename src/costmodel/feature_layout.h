// The layout of one store's feature row: named groups at fixed offsets. Every
// value is log2(1 + x) of a non-negative quantity (flags are 0 or 1). Changing the
// layout or the meaning of a value means bumping kFeatureVersion, since saved
// models and database records carry it.
//
//   arith      float/int/bool op counts of the store, times its trip count
//   loops      loop structure around the store
//   kinds      parallel / vectorized / unrolled loops: count, extents, position
//   gpu        thread bindings and unroll annotations
//   buffers    kNumBufferSlots buffers (most bytes first), kPerBuffer values each
//   intensity  flops / bytes at kNumIntensity loop depths, innermost first
//   alloc      bytes allocated by the enclosing blocks, by scope
//   outer      product of the extents of the outermost d loops, d = 1..kNumOuter
#pragma once

#include <string>
#include <vector>

namespace weft::costmodel {

inline constexpr int kFeatureVersion = 1;

namespace layout {

// arith
enum Arith {
  kFloatAddSub, kFloatMul, kFloatDiv, kFloatMinMax, kFloatFma, kFloatExpLike, kFloatOtherMath, kFloatCmp,
  kFloatFlops, kIntAddSub, kIntMul, kIntDivMod, kIntMinMax, kIntCmp, kBoolOp, kSelect, kCast, kNumArith
};
// loops
enum Loop {
  kNumLoops, kTripCount, kInnermostExtent, kOutermostExtent, kNumReduceLoops, kNumUnitLoops, kHasPredicate,
  kIsInitStore, kBlockDepth, kNumLoopFeatures
};
// kinds: one group per loop kind
enum KindGroup { kParallel, kVectorized, kUnrolled, kNumKinds };
enum KindFeature { kKindCount, kKindExtentProduct, kKindInnerExtent, kKindIsInnermost, kKindIsOutermost,
                   kKindDepth, kPerKind };
// gpu
enum Gpu {
  kBlockIdxX, kBlockIdxY, kBlockIdxZ, kThreadIdxX, kThreadIdxY, kThreadIdxZ, kVThread, kAutoUnrollMaxStep,
  kUnrollExplicit, kNumGpu
};
// buffers: per slot
enum BufferFeature {
  kIsRead, kIsWrite, kIsReadWrite, kBytes, kUniqueBytes, kLines, kUniqueLines, kReuseLoop, kReuseSerial,
  kNoReuse, kReuseDistIter, kReuseDistBytes, kReuseCount, kStride, kIsContiguous, kIsBroadcast, kIsGlobal,
  kAccessCount, kPerBuffer
};
inline constexpr int kNumBufferSlots = 5;
inline constexpr int kNumIntensity = 10;
enum Alloc { kAllocGlobalBytes, kAllocLocalBytes, kAllocSharedBytes, kNumAllocs, kNumAlloc };
inline constexpr int kNumOuter = 10;

inline constexpr int kArithOffset = 0;
inline constexpr int kLoopOffset = kArithOffset + kNumArith;
inline constexpr int kKindOffset = kLoopOffset + kNumLoopFeatures;
inline constexpr int kGpuOffset = kKindOffset + int{kNumKinds} * int{kPerKind};
inline constexpr int kBufferOffset = kGpuOffset + kNumGpu;
inline constexpr int kIntensityOffset = kBufferOffset + kNumBufferSlots * kPerBuffer;
inline constexpr int kAllocOffset = kIntensityOffset + kNumIntensity;
inline constexpr int kOuterOffset = kAllocOffset + kNumAlloc;
inline constexpr int kNumFeatures = kOuterOffset + kNumOuter;

inline constexpr int arith(Arith f) { return kArithOffset + f; }
inline constexpr int loop(Loop f) { return kLoopOffset + f; }
inline constexpr int kind(KindGroup k, KindFeature f) { return kKindOffset + int{k} * int{kPerKind} + int{f}; }
inline constexpr int gpu(Gpu f) { return kGpuOffset + f; }
inline constexpr int buffer(int slot, BufferFeature f) { return kBufferOffset + slot * kPerBuffer + f; }
inline constexpr int intensity(int i) { return kIntensityOffset + i; }
inline constexpr int alloc(Alloc f) { return kAllocOffset + f; }
inline constexpr int outer(int d) { return kOuterOffset + d; }  // d = 0: outermost loop alone

}  // namespace layout

int num_features();
// One name per value, in row order, e.g. "arith.float_mul", "buf2.unique_bytes".
std::vector<std::string> feature_names();

}  // namespace weft::costmodel
