#include "schedule/replay.h"

#include "schedule/error.h"
#include "schedule/instruction.h"

namespace weft::sched {

namespace {

Arg translate(const Arg& a, const std::map<std::pair<int, int>, RV>& table, size_t index, const std::string& kind) {
  if (const auto* rv = std::get_if<RV>(&a.value)) {
    auto it = table.find({static_cast<int>(rv->kind), rv->id});
    if (it == table.end())
      throw ScheduleError("instruction " + std::to_string(index) + " (" + kind + ") uses handle " + arg_to_text(a) +
                          " before it is defined");
    return Arg(it->second);
  }
  if (const auto* l = std::get_if<Arg::List>(&a.value)) {
    Arg::List out;
    for (const Arg& x : *l) out.push_back(translate(x, table, index, kind));
    return Arg(std::move(out));
  }
  return a;
}

}  // namespace

Schedule replay(const Trace& trace, const ir::PrimFunc& func, uint64_t seed,
                const std::map<size_t, Arg>& decision_overrides) {
  Schedule sch(func, seed);
  std::map<std::pair<int, int>, RV> table;
  const auto& insts = trace.instructions();
  for (size_t i = 0; i < insts.size(); ++i) {
    const Instruction& inst = insts[i];
    const InstructionKind& kind = instruction_kind(inst.kind);
    std::vector<Arg> inputs;
    for (const Arg& a : inst.inputs) inputs.push_back(translate(a, table, i, inst.kind));
    Attrs attrs;
    for (const auto& [k, a] : inst.attrs) attrs.emplace_back(k, translate(a, table, i, inst.kind));
    std::optional<Arg> decision = inst.decision;
    if (auto it = decision_overrides.find(i); it != decision_overrides.end()) decision = it->second;
    std::vector<RV> outputs;
    try {
      outputs = kind.apply(sch, inputs, attrs, decision);
    } catch (const ScheduleError& e) {
      throw ScheduleError("replay failed at instruction " + std::to_string(i) + " (" + inst.kind + "): " + e.what());
    }
    if (outputs.size() != inst.outputs.size())
      throw ScheduleError("replay failed at instruction " + std::to_string(i) + " (" + inst.kind + "): it produced " +
                          std::to_string(outputs.size()) + " handle(s) but the trace names " +
                          std::to_string(inst.outputs.size()));
    for (size_t k = 0; k < outputs.size(); ++k)
      table[{static_cast<int>(inst.outputs[k].kind), inst.outputs[k].id}] = outputs[k];
  }
  return sch;
}

}  // namespace weft::sched
