// Postprocessors: deterministic rewrites run after a trace is replayed, once the
// loop nests are final (realize() in space.h). They are not part of the stored
// trace: search mutates the pre-postprocessing trace and realize re-runs them.
//
// CPU, in order:
//   rewrite-reduction-block       decompose_reduction of every reduction block with
//                                 an init at its first reduction loop (no init test
//                                 in the inner loops),
//   rewrite-parallel-vectorize-unroll
//                                 the root block's parallel_extent, vectorize_bytes
//                                 and unroll_explicit requests (rules/annotations.h)
//                                 become parallel, vectorized and unrolled loops,
//   verify                        constant loop extents, no thread-bound loops on
//                                 the CPU, no request left on the root block.
// CUDA: see postprocess_gpu.h.
// A postprocessor that cannot do its job throws (ScheduleError, or
// VerificationError from verify): the candidate is invalid.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "schedule/schedule.h"
#include "support/error.h"
#include "support/target.h"

namespace weft::search {

class VerificationError : public Error {
 public:
  explicit VerificationError(const std::string& message) : Error("verification failed: " + message) {}
};

class Postprocessor {
 public:
  virtual ~Postprocessor() = default;
  virtual std::string name() const = 0;
  virtual void apply(sched::Schedule& sch, const Target& target) const = 0;
};

std::shared_ptr<const Postprocessor> make_rewrite_reduction_block();
std::shared_ptr<const Postprocessor> make_rewrite_parallel_vectorize_unroll();
std::shared_ptr<const Postprocessor> make_verify();

// The target's postprocessors in order; UsageError for a backend without any.
std::vector<std::shared_ptr<const Postprocessor>> default_postprocessors(const Target& target);
// Runs them all on `sch`.
void postprocess(sched::Schedule& sch, const Target& target);

}  // namespace weft::search
