// IR fixtures shared by the cache_read and cache_write tests.
#pragma once

namespace weft::sched::testing {

// Block `inner` inside block `outer`; the last tile of 14 elements is partial, so
// the region each instance of `outer` touches has a non-constant extent.
inline constexpr const char* kNestedTail = R"(func f(A: f32[14], B: f32[14]) {
  block root() {
    for io in range(4) {
      block outer(vo: spatial(0, 4) = io) {
        reads(A[0:+14])
        writes(B[0:+14])
        for ii in range(4) {
          block inner(vi: spatial(0, 14) = vo * 4 + ii) where vo * 4 + ii < 14 {
            reads(A[vi])
            writes(B[vi])
            B[vi] = A[vi] * f32(2)
          }
        }
      }
    }
  }
}
)";

// P and Q share a loop; Q reads what P writes in the same iteration.
inline constexpr const char* kSharedLoop = R"(func f(A: f32[8], B: f32[8]) {
  block root() {
    alloc T: f32[8]
    for i in range(8) {
      block P(v: spatial(0, 8) = i) {
        reads(A[v])
        writes(T[v])
        T[v] = A[v] + f32(1)
      }
      block Q(w: spatial(0, 8) = i) {
        reads(T[w])
        writes(B[w])
        B[w] = T[w] * f32(2)
      }
    }
  }
}
)";

}  // namespace weft::sched::testing
