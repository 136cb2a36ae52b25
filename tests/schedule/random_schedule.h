// Random legal schedules for the property test: random primitives with random
// arguments over random workloads. Illegal choices are allowed to fail with a
// ScheduleError, which must leave the program unchanged.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "ir/workload.h"
#include "schedule/schedule.h"

namespace weft::sched::testing {

// A workload spec with random small sizes (odd sizes included) for `op`; empty
// when the op has no template (the property test fails then: every op needs one).
std::string random_spec(const std::string& op, Rng& rng);

// One random primitive step. Returns its name and whether it succeeded; throws if
// a failed primitive changed the program.
using Step = std::function<bool(Schedule&, Rng&)>;
struct NamedStep {
  std::string name;
  Step step;
};
std::vector<NamedStep> random_steps();

// Applies up to `max_steps` random steps.
void apply_random_steps(Schedule& sch, Rng& rng, int max_steps);

}  // namespace weft::sched::testing
