// The OpenBLAS peers compute the same function as the workload they stand for: each is
// checked against the IR interpreter on small shapes (transposes, batches, padding,
// stride and dilation included), and bad requests get a UsageError.
#include "openblas_peers.h"

#include <gtest/gtest.h>

#include "peer_test_util.h"
#include "support/error.h"

namespace weft::bench {
namespace {

void expect_peer_matches_interpreter(const std::string& spec) {
  expect_matches_interpreter(make_openblas_peer, spec);
}

TEST(OpenblasPeers, MatmulWithAndWithoutTransposes) {
  expect_peer_matches_interpreter("matmul:M=17,N=23,K=9");
  expect_peer_matches_interpreter("matmul:M=8,N=5,K=12,ta=1");
  expect_peer_matches_interpreter("matmul:M=6,N=11,K=7,tb=1");
  expect_peer_matches_interpreter("matmul:M=6,N=4,K=3,ta=1,tb=1");
}

TEST(OpenblasPeers, BatchMatmulRunsEveryBatch) {
  expect_peer_matches_interpreter("batch_matmul:B=3,M=7,N=5,K=6");
  expect_peer_matches_interpreter("batch_matmul:B=2,M=4,N=9,K=3,ta=1,tb=1");
}

TEST(OpenblasPeers, DenseWithSeparateEpilogue) {
  expect_peer_matches_interpreter("dense_bias_gelu:M=13,N=21,K=8");
  expect_peer_matches_interpreter("dense_bias_relu:M=9,N=16,K=5");
}

TEST(OpenblasPeers, Conv2dByIm2col) {
  expect_peer_matches_interpreter("conv2d:N=1,H=6,W=5,C=3,K=4,R=3,S=3,pad=1");
  expect_peer_matches_interpreter("conv2d:N=2,H=7,W=8,C=2,K=3,R=3,S=2,stride=2,pad=2");
  expect_peer_matches_interpreter("conv2d:N=1,H=9,W=9,C=2,K=2,R=3,S=3,dilation=2");
  expect_peer_matches_interpreter("conv2d:N=1,H=4,W=4,C=5,K=3,R=1,S=1");
}

TEST(OpenblasPeers, RefusesWhatItCannotRun) {
  ir::NDArray a(ir::DType::f32, {4, 4}), b(ir::DType::f32, {4, 4}), c(ir::DType::f32, {4, 4});
  // No peer for the op.
  EXPECT_THROW(make_openblas_peer(ir::make_workload("relu:M=4,N=4"), {&a}, c), UsageError);
  // Not f32.
  ir::NDArray h(ir::DType::f16, {4, 4});
  EXPECT_THROW(make_openblas_peer(ir::make_workload("matmul:M=4,N=4,K=4,dtype=f16,out_dtype=f16"), {&h, &h}, h),
               UsageError);
  // Wrong number of inputs, wrong shape.
  ir::Workload mm = ir::make_workload("matmul:M=4,N=4,K=4");
  EXPECT_THROW(make_openblas_peer(mm, {&a}, c), UsageError);
  ir::NDArray wrong(ir::DType::f32, {4, 5});
  EXPECT_THROW(make_openblas_peer(mm, {&a, &wrong}, c), UsageError);
  EXPECT_THROW(make_openblas_peer(mm, {&a, &b}, wrong), UsageError);
  EXPECT_NO_THROW(make_openblas_peer(mm, {&a, &b}, c));
}

TEST(OpenblasPeers, SpecParameters) {
  auto p = spec_parameters("conv2d:N=1,H=56,pad=1");
  EXPECT_EQ(p.size(), 3u);
  EXPECT_EQ(p["H"], "56");
  EXPECT_EQ(p["pad"], "1");
  EXPECT_TRUE(spec_parameters("relu").empty());
  try {
    spec_parameters("matmul:M=4,oops");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'oops' at position 11"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace weft::bench
