// Greedy producer-consumer fusion: the baseline the ILP is judged against and its
// fallback when GLPK runs out of time. Forced edges first, then each RNG op with
// its heaviest consumer, then every fusible edge from the most bytes to the least:
// the two kernels merge when the result keeps every rule of the problem (one main
// op, no never-fusible or exclusive edge inside, fixed units alone) and the
// kernel graph stays acyclic.
#pragma once

#include "partition/problem.h"

namespace weft::partition {

Assignment greedy_fusion(const Problem& problem);

}  // namespace weft::partition
