// OpenBLAS baselines for weft workloads, run on the same inputs as weft's kernel:
//   matmul            -> cblas_sgemm (transposes honoured)
//   batch_matmul      -> cblas_sgemm once per batch
//   dense_bias_{gelu,relu} -> cblas_sgemm, then a separate bias + activation loop
//                        (OpenMP): the unfused baseline a fused kernel must beat
//   conv2d (NHWC/HWIO) -> im2col (OpenMP), then one cblas_sgemm
// Only f32 workloads have a peer.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ir/ndarray.h"
#include "ir/workload.h"
#include "peer_inputs.h"

namespace weft::bench {

struct Peer {
  std::string name;           // e.g. "OpenBLAS sgemm + bias/gelu loop"
  std::function<void()> run;  // computes the output from the inputs given to make_openblas_peer
};

// `inputs` are the workload's input arrays in parameter order and `output` the array
// the peer writes (shaped as the workload's output); all must outlive the peer.
// UsageError naming the spec for ops without a peer, non-f32 workloads, or arrays
// whose count, dtype or shape do not match the workload's parameters.
Peer make_openblas_peer(const ir::Workload& workload, const std::vector<const ir::NDArray*>& inputs,
                        ir::NDArray& output);

}  // namespace weft::bench
