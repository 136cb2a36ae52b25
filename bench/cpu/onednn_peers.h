// oneDNN baselines for weft workloads (oneDNN 2.x C++ API, CPU engine), run on the
// same inputs as weft's kernel. Primitives are created once, when the peer is made;
// `run` only executes them and waits on the stream.
//   matmul, batch_matmul   -> one matmul primitive (transposes described by strides)
//   dense_bias_{gelu,relu} -> one matmul primitive with bias and an eltwise post-op
//                             (gelu_erf, the form weft's op computes; relu): the fused
//                             baseline a fused weft kernel is compared with
//   conv2d (NHWC/HWIO)     -> convolution_forward on nhwc src/dst, the weights
//                             reordered ONCE at creation into the layout oneDNN picks
// Only f32 workloads have a peer. Built only where CMake found oneDNN 2.x; it then
// defines WEFT_HAVE_ONEDNN for everything linking weft_bench_peers.
#pragma once

#include <vector>

#include "ir/ndarray.h"
#include "ir/workload.h"
#include "openblas_peers.h"

namespace weft::bench {

// `inputs` are the workload's input arrays in parameter order and `output` the array
// the peer writes (shaped as the workload's output); all must outlive the peer.
// conv2d's weights are read (reordered) here, so they must hold their values already;
// every other input is read by `run`.
// UsageError naming the spec for ops without a peer, non-f32 workloads, arrays whose
// count, dtype or shape do not match, or a shape oneDNN has no implementation for.
Peer make_onednn_peer(const ir::Workload& workload, const std::vector<const ir::NDArray*>& inputs,
                      ir::NDArray& output);

}  // namespace weft::bench
