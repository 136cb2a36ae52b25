#include "search/space.h"

#include "rules/rule.h"
#include "rules/rule_sets.h"
#include "schedule/instruction.h"
#include "schedule/ir_nav.h"
#include "schedule/replay.h"
#include "search/postprocess.h"

namespace weft::search {

std::vector<sched::Trace> generate_design_space(const ir::PrimFunc& func, const Target& target, uint64_t seed) {
  std::vector<const rules::ScheduleRule*> rule_list;
  for (const std::string& name : rules::rule_set(target.backend)) rule_list.push_back(&rules::find_rule(name));
  // all_block_names is in program order with the root first; visiting it backwards
  // takes consumers before producers and the root last. Blocks rules create (cache
  // and rfactor blocks) are not visited, as in MetaSchedule.
  std::vector<std::string> blocks = sched::all_block_names(func);
  std::vector<sched::Schedule> states = {sched::Schedule(func, seed)};
  for (auto block = blocks.rbegin(); block != blocks.rend(); ++block) {
    for (const rules::ScheduleRule* rule : rule_list) {
      std::vector<sched::Schedule> next;
      for (const sched::Schedule& state : states) {
        // An earlier rule may have inlined the block away in this state.
        if (!sched::find_block(state.func(), *block)) {
          next.push_back(state);
          continue;
        }
        for (sched::Schedule& out : rule->apply(state, *block, target)) next.push_back(std::move(out));
      }
      states = std::move(next);
    }
  }
  std::vector<sched::Trace> traces;
  for (const sched::Schedule& state : states) traces.push_back(state.trace().without_dead_instructions());
  return traces;
}

sched::Schedule realize(const sched::Trace& trace, const ir::PrimFunc& func, const Target& target, uint64_t seed) {
  sched::Schedule sch = sched::replay(trace, func, seed);
  postprocess(sch, target);
  return sch;
}

sched::Trace without_decisions(const sched::Trace& trace) {
  sched::Trace out;
  for (const sched::Instruction& inst : trace.instructions()) {
    sched::Instruction copy = inst;
    if (sched::instruction_kind(inst.kind).sampling) copy.decision.reset();
    out.append(std::move(copy));
  }
  return out;
}

}  // namespace weft::search
