// The OpenBLAS peers compute the same function as the workload they stand for: each is
// checked against the IR interpreter on small shapes (transposes, batches, padding,
// stride and dilation included), and bad requests get a UsageError.
#include "openblas_peers.h"

#include <gtest/gtest.h>

#include "ir/interpreter.h"
#include "support/error.h"
#include "support/rng.h"

namespace weft::bench {
namespace {

// Runs the peer and the interpreter on the same random inputs and compares outputs.
void expect_peer_matches_interpreter(const std::string& spec) {
  SCOPED_TRACE(spec);
  ir::Workload w = ir::make_workload(spec);
  const auto& params = w.func->params;
  size_t num_inputs = params.size() - 1;
  Rng rng(3);
  std::vector<ir::NDArray> arrays;
  for (size_t i = 0; i < num_inputs; ++i) arrays.push_back(ir::NDArray::random(ir::DType::f32, params[i]->shape, rng));
  arrays.emplace_back(ir::DType::f32, params.back()->shape);  // interpreter output
  ir::NDArray peer_out(ir::DType::f32, params.back()->shape);
  // Garbage in the peer's output: the peer must overwrite every element.
  for (int64_t i = 0; i < peer_out.size(); ++i) peer_out.set(i, 1e6);

  std::vector<ir::NDArray*> ref_args;
  std::vector<const ir::NDArray*> inputs;
  for (auto& a : arrays) ref_args.push_back(&a);
  for (size_t i = 0; i < num_inputs; ++i) inputs.push_back(&arrays[i]);
  ir::interpret(w.func, ref_args);

  Peer peer = make_openblas_peer(w, inputs, peer_out);
  EXPECT_FALSE(peer.name.empty());
  peer.run();
  ir::Comparison cmp = ir::compare(arrays.back(), peer_out, 1e-4, 1e-4);
  EXPECT_TRUE(cmp.ok) << cmp.message;
  // Running twice gives the same result (no accumulation into the output).
  peer.run();
  cmp = ir::compare(arrays.back(), peer_out, 1e-4, 1e-4);
  EXPECT_TRUE(cmp.ok) << "second run: " << cmp.message;
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
