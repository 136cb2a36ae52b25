// The oneDNN peers compute the same function as the workload they stand for: each is
// checked against the IR interpreter on small shapes (transposes, batches, the fused
// bias + activation, conv padding, stride and dilation), and bad requests get a
// UsageError naming the spec. Built only where CMake found oneDNN 2.x. On this
// machine oneDNN reorders the HWIO weights into a blocked layout for every conv here,
// so the reorder at creation is exercised.
#include "onednn_peers.h"

#include <gtest/gtest.h>

#include "peer_test_util.h"
#include "support/error.h"

namespace weft::bench {
namespace {

void expect_peer_matches_interpreter(const std::string& spec) {
  expect_matches_interpreter(make_onednn_peer, spec);
}

TEST(OnednnPeers, MatmulWithAndWithoutTransposes) {
  expect_peer_matches_interpreter("matmul:M=17,N=23,K=9");
  expect_peer_matches_interpreter("matmul:M=8,N=5,K=12,ta=1");
  expect_peer_matches_interpreter("matmul:M=6,N=11,K=7,tb=1");
  expect_peer_matches_interpreter("matmul:M=6,N=4,K=3,ta=1,tb=1");
}

TEST(OnednnPeers, BatchMatmulRunsEveryBatch) {
  expect_peer_matches_interpreter("batch_matmul:B=3,M=7,N=5,K=6");
  expect_peer_matches_interpreter("batch_matmul:B=2,M=4,N=9,K=3,ta=1,tb=1");
}

TEST(OnednnPeers, DenseWithFusedEpilogue) {
  expect_peer_matches_interpreter("dense_bias_gelu:M=13,N=21,K=8");
  expect_peer_matches_interpreter("dense_bias_relu:M=9,N=16,K=5");
}

TEST(OnednnPeers, Conv2dNhwc) {
  expect_peer_matches_interpreter("conv2d:N=1,H=6,W=5,C=3,K=4,R=3,S=3,pad=1");
  expect_peer_matches_interpreter("conv2d:N=2,H=8,W=7,C=16,K=16,R=3,S=3,pad=1");  // whole 8-channel AVX2 blocks
  expect_peer_matches_interpreter("conv2d:N=2,H=7,W=8,C=2,K=3,R=3,S=2,stride=2,pad=2");
  expect_peer_matches_interpreter("conv2d:N=1,H=8,W=8,C=4,K=8,R=3,S=3,stride=2");  // floor in the output size
  expect_peer_matches_interpreter("conv2d:N=1,H=9,W=9,C=2,K=2,R=3,S=3,dilation=2");
  expect_peer_matches_interpreter("conv2d:N=1,H=4,W=4,C=5,K=3,R=1,S=1");
}

std::string usage_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no UsageError";
}

TEST(OnednnPeers, RefusesWhatItCannotRun) {
  ir::NDArray a(ir::DType::f32, {4, 4}), b(ir::DType::f32, {4, 4}), c(ir::DType::f32, {4, 4});
  // No peer for the op: the error names the spec and the op.
  std::string msg = usage_error([&] { make_onednn_peer(ir::make_workload("relu:M=4,N=4"), {&a}, c); });
  EXPECT_NE(msg.find("workload 'relu:M=4,N=4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("no oneDNN peer for op 'relu'"), std::string::npos) << msg;
  // Not f32.
  ir::NDArray h(ir::DType::f16, {4, 4});
  msg = usage_error([&] {
    make_onednn_peer(ir::make_workload("matmul:M=4,N=4,K=4,dtype=f16,out_dtype=f16"), {&h, &h}, h);
  });
  EXPECT_NE(msg.find("dtype=f16"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not f32"), std::string::npos) << msg;
  // Wrong number of inputs, wrong shape.
  ir::Workload mm = ir::make_workload("matmul:M=4,N=4,K=4");
  EXPECT_THROW(make_onednn_peer(mm, {&a}, c), UsageError);
  ir::NDArray wrong(ir::DType::f32, {4, 5});
  msg = usage_error([&] { make_onednn_peer(mm, {&a, &wrong}, c); });
  EXPECT_NE(msg.find("parameter 'B'"), std::string::npos) << msg;
  EXPECT_THROW(make_onednn_peer(mm, {&a, &b}, wrong), UsageError);
  EXPECT_NO_THROW(make_onednn_peer(mm, {&a, &b}, c));
}

}  // namespace
}  // namespace weft::bench
