// Hand-written PTX kernels with relu:M=4,N=8's ABI (X: f32[32], Y: f32[32]), for
// the GPU runner's tests: a correct one, a wrong one, and ones that trap, write out of
// bounds or never end. PTX, not CUDA C++, so they do not depend on NVRTC or the
// emitter; the driver compiles PTX for the GPU at load time. Checked with
// `ptxas -arch=sm_90`.
#pragma once

#include <string>

namespace weft::runtime::test_kernels {

// Y = max(X, 0), one thread per element of relu:M=4,N=8 (launch 1 x 32).
inline constexpr const char* kReluPtx = R"PTX(
.version 7.0
.target sm_70
.address_size 64

.visible .entry relu(.param .u64 X, .param .u64 Y)
{
  .reg .pred %p;
  .reg .b32 %r<2>;
  .reg .f32 %f<3>;
  .reg .b64 %rd<6>;
  ld.param.u64 %rd1, [X];
  ld.param.u64 %rd2, [Y];
  cvta.to.global.u64 %rd1, %rd1;
  cvta.to.global.u64 %rd2, %rd2;
  mov.u32 %r1, %tid.x;
  setp.ge.u32 %p, %r1, 32;
  @%p bra DONE;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd1, %rd3;
  ld.global.f32 %f1, [%rd4];
  max.f32 %f2, %f1, 0f00000000;
  add.s64 %rd5, %rd2, %rd3;
  st.global.f32 [%rd5], %f2;
DONE:
  ret;
}
)PTX";

// Executes `trap`: a sticky CUDA_ERROR_LAUNCH_FAILED.
inline constexpr const char* kTrapPtx = R"PTX(
.version 7.0
.target sm_70
.address_size 64

.visible .entry relu(.param .u64 X, .param .u64 Y)
{
  trap;
  ret;
}
)PTX";

// Stores 1 TiB past the end of Y: a sticky CUDA_ERROR_ILLEGAL_ADDRESS.
inline constexpr const char* kOutOfBoundsPtx = R"PTX(
.version 7.0
.target sm_70
.address_size 64

.visible .entry relu(.param .u64 X, .param .u64 Y)
{
  .reg .b64 %rd<3>;
  .reg .f32 %f<2>;
  ld.param.u64 %rd1, [Y];
  cvta.to.global.u64 %rd1, %rd1;
  add.s64 %rd2, %rd1, 1099511627776;
  mov.f32 %f1, 0f3F800000;
  st.global.f32 [%rd2], %f1;
  ret;
}
)PTX";

// Spins while X[0] == X[0] (always, for random inputs): runs until killed.
inline constexpr const char* kSpinPtx = R"PTX(
.version 7.0
.target sm_70
.address_size 64

.visible .entry relu(.param .u64 X, .param .u64 Y)
{
  .reg .pred %p;
  .reg .b64 %rd<2>;
  .reg .f32 %f<2>;
  ld.param.u64 %rd1, [X];
  cvta.to.global.u64 %rd1, %rd1;
SPIN:
  ld.volatile.global.f32 %f1, [%rd1];
  setp.equ.f32 %p, %f1, %f1;
  @%p bra SPIN;
  ret;
}
)PTX";

// relu staged through dynamic shared memory at 96 KiB: launches only when the
// kernel opted in to more than 48 KiB (launch 1 x 32 with 100 KiB).
inline constexpr const char* kDynamicSharedReluPtx = R"PTX(
.version 7.0
.target sm_70
.address_size 64

.extern .shared .align 16 .b8 staging[];

.visible .entry relu(.param .u64 X, .param .u64 Y)
{
  .reg .pred %p;
  .reg .b32 %r<4>;
  .reg .f32 %f<4>;
  .reg .b64 %rd<6>;
  ld.param.u64 %rd1, [X];
  ld.param.u64 %rd2, [Y];
  cvta.to.global.u64 %rd1, %rd1;
  cvta.to.global.u64 %rd2, %rd2;
  mov.u32 %r1, %tid.x;
  setp.ge.u32 %p, %r1, 32;
  @%p bra DONE;
  mul.wide.u32 %rd3, %r1, 4;
  add.s64 %rd4, %rd1, %rd3;
  ld.global.f32 %f1, [%rd4];
  mov.u32 %r2, staging;
  shl.b32 %r3, %r1, 2;
  add.u32 %r2, %r2, %r3;
  add.u32 %r2, %r2, 98304;
  st.shared.f32 [%r2], %f1;
  ld.volatile.shared.f32 %f2, [%r2];
  max.f32 %f3, %f2, 0f00000000;
  add.s64 %rd5, %rd2, %rd3;
  st.global.f32 [%rd5], %f3;
DONE:
  ret;
}
)PTX";

// Y = max(X, 0.25): the relu kernel with another floor; runs, but computes the
// wrong result.
inline const char* wrong_relu_ptx() {
  static const std::string text = [] {
    std::string ptx = kReluPtx;
    ptx.replace(ptx.find("0f00000000"), 10, "0f3E800000");
    return ptx;
  }();
  return text.c_str();
}

}  // namespace weft::runtime::test_kernels
