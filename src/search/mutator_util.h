// Helpers the mutators share: finding sampling instructions in a trace and the
// annotate instructions that use their values.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "schedule/trace.h"
#include "support/rng.h"

namespace weft::search {

// Indices of the instructions of kind `kind` that carry a decision.
std::vector<size_t> decided_instructions(const sched::Trace& trace, const std::string& kind);
// Indices of sample_categorical instructions whose value an `annotate(_, key, v)`
// uses, i.e. the sampled value of annotation `key`.
std::vector<size_t> categoricals_annotating(const sched::Trace& trace, const std::string& key);
// How many candidates a sample_categorical instruction chooses from (0 if none).
size_t candidate_count(const sched::Instruction& inst);
// One of `sites` (sample_categorical instructions with more than one candidate),
// drawn uniformly, given another of its candidates, drawn uniformly; nullopt when
// `sites` is empty.
std::optional<sched::Trace> redraw_categorical(const sched::Trace& trace, const std::vector<size_t>& sites, Rng& rng);
// The integer list of a decision; nullopt if it is not one.
std::optional<std::vector<int64_t>> int_list(const sched::Arg& arg);
// A uniformly drawn element of a non-empty vector.
template <typename T>
const T& pick(const std::vector<T>& v, Rng& rng) {
  return v[static_cast<size_t>(rng.uniform_int(0, static_cast<int64_t>(v.size()) - 1))];
}

}  // namespace weft::search
