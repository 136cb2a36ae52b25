// Shared by the peers' tests: a peer must compute what the IR interpreter computes.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "ir/interpreter.h"
#include "openblas_peers.h"
#include "support/rng.h"

namespace weft::bench {

using PeerFactory = std::function<Peer(const ir::Workload&, const std::vector<const ir::NDArray*>&, ir::NDArray&)>;

// Runs the peer `make` builds and the interpreter on the same random inputs and
// compares outputs, twice (the peer must not accumulate into its output).
inline void expect_matches_interpreter(const PeerFactory& make, const std::string& spec) {
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

  Peer peer = make(w, inputs, peer_out);
  EXPECT_FALSE(peer.name.empty());
  peer.run();
  ir::Comparison cmp = ir::compare(arrays.back(), peer_out, 1e-4, 1e-4);
  EXPECT_TRUE(cmp.ok) << cmp.message;
  peer.run();
  cmp = ir::compare(arrays.back(), peer_out, 1e-4, 1e-4);
  EXPECT_TRUE(cmp.ok) << "second run: " << cmp.message;
}

}  // namespace weft::bench
