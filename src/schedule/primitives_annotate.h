// Loop kinds and annotations: parallel, vectorize, unroll, bind, annotate, unannotate.
#pragma once

#include <string>

#include "schedule/schedule.h"

namespace weft::sched {

// parallel/vectorize/bind need every block under the loop to use the loop only in
// spatial iterator bindings (iterations must be independent).
void parallel(Schedule& sch, LoopRV loop);
void vectorize(Schedule& sch, LoopRV loop);
void unroll(Schedule& sch, LoopRV loop);
// thread_axis: blockIdx.x/y/z, threadIdx.x/y/z, vthread.x/y/z.
void bind(Schedule& sch, LoopRV loop, const std::string& thread_axis);
// Value: integer, float, string or a value handle (its integer is annotated; the
// trace keeps the handle). A block or a loop.
void annotate(Schedule& sch, RV target, const std::string& key, const Arg& value);
void unannotate(Schedule& sch, RV target, const std::string& key);

}  // namespace weft::sched
