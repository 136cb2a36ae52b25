#include "search/mutator_util.h"

#include <variant>

namespace weft::search {

std::vector<size_t> decided_instructions(const sched::Trace& trace, const std::string& kind) {
  std::vector<size_t> out;
  const auto& insts = trace.instructions();
  for (size_t i = 0; i < insts.size(); ++i)
    if (insts[i].kind == kind && insts[i].decision) out.push_back(i);
  return out;
}

std::vector<size_t> categoricals_annotating(const sched::Trace& trace, const std::string& key) {
  std::vector<size_t> out;
  const auto& insts = trace.instructions();
  for (size_t i : decided_instructions(trace, "sample_categorical")) {
    if (insts[i].outputs.size() != 1) continue;
    sched::Arg value(insts[i].outputs[0]);
    for (size_t j = i + 1; j < insts.size(); ++j) {
      const auto& in = insts[j].inputs;
      if (insts[j].kind == "annotate" && in.size() == 3 && in[1] == sched::Arg(key) && in[2] == value) {
        out.push_back(i);
        break;
      }
    }
  }
  return out;
}

std::optional<std::vector<int64_t>> int_list(const sched::Arg& arg) {
  const auto* l = std::get_if<sched::Arg::List>(&arg.value);
  if (!l) return std::nullopt;
  std::vector<int64_t> out;
  for (const sched::Arg& a : *l) {
    const auto* v = std::get_if<int64_t>(&a.value);
    if (!v) return std::nullopt;
    out.push_back(*v);
  }
  return out;
}

size_t candidate_count(const sched::Instruction& inst) {
  for (const auto& [key, value] : inst.attrs)
    if (key == "candidates")
      if (const auto* l = std::get_if<sched::Arg::List>(&value.value)) return l->size();
  return 0;
}

std::optional<sched::Trace> redraw_categorical(const sched::Trace& trace, const std::vector<size_t>& sites, Rng& rng) {
  if (sites.empty()) return std::nullopt;
  size_t index = pick(sites, rng);
  const sched::Instruction& inst = trace.instructions()[index];
  int64_t n = static_cast<int64_t>(candidate_count(inst));
  const auto* current = std::get_if<int64_t>(&inst.decision->value);
  int64_t now = current ? *current : -1;
  int64_t next = rng.uniform_int(0, n - 2);
  if (now >= 0 && next >= now) ++next;  // skip the current choice
  return trace.with_decision(index, sched::Arg(next));
}

}  // namespace weft::search
