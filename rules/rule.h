// A schedule rule grows the design space: it maps one schedule state and one block
// to zero or more states (returning the input unchanged means "does not apply").
// Rules compose because each only looks at the block it is given; the space
// generator (src/search/space.h) applies a target's rule set block by block.
//
// Each rule lives in its own file under rules/ and registers itself by name with a
// static RegisterRule<MyRule>; rule_sets.cpp lists, per target, which rules run and
// in which order. Rules draw every random choice through sampling instructions of
// the schedule (sample_perfect_tile, sample_categorical, sample_compute_location),
// so they are deterministic given the schedule's RNG and their decisions are
// recorded in the trace for search to mutate. See rules/README.md.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "schedule/schedule.h"
#include "support/target.h"

namespace weft::rules {

class ScheduleRule {
 public:
  virtual ~ScheduleRule() = default;
  // The registry name, e.g. "auto-inline" (lowercase words joined by '-').
  virtual std::string name() const = 0;
  // One line for `weft rules`.
  virtual std::string description() const = 0;
  // The states this rule makes of `sch` for block `block_name` (which exists in
  // sch.func()). Must not throw for a block it does not apply to: it returns {sch}.
  virtual std::vector<sched::Schedule> apply(const sched::Schedule& sch, const std::string& block_name,
                                             const Target& target) const = 0;
};

// Registers a rule; a second rule with the same name is an InternalError.
void register_rule(std::unique_ptr<ScheduleRule> rule);
// The rule registered under `name`; UsageError listing the known rules otherwise.
const ScheduleRule& find_rule(const std::string& name);
// Every registered rule name, sorted.
std::vector<std::string> list_rules();

// `const RegisterRule<MyRule> kRegister;` at namespace scope registers MyRule.
template <typename Rule>
struct RegisterRule {
  RegisterRule() { register_rule(std::make_unique<Rule>()); }
};

}  // namespace weft::rules
