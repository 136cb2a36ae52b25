#include "rules/rule_sets.h"

#include <map>

#include "support/error.h"

namespace weft::rules {
namespace {

// MetaSchedule's CPU defaults, in its order (plus weft's register-tiling): inlining
// first so that tiling sees the fused computation, rfactor before tiling decides,
// annotations for the root last (the root block is visited last), compute
// locations for what is left.
// CUDA, MetaSchedule's order too: cross-thread reduction before tiling decides,
// auto-bind last so that it only binds what the other rules left unbound.
const std::map<std::string, std::vector<std::string>>& sets() {
  static const std::map<std::string, std::vector<std::string>> s = {
      {"cpu",
       {"inline-constant-scalars", "auto-inline", "add-rfactor",
        "register-tiling",  // weft's micro-kernel sketches; multi-level-tiling tiles the untouched state
        "multi-level-tiling", "parallelize-vectorize-unroll",
        "random-compute-location"}},
      {"cuda",
       {"inline-constant-scalars", "auto-inline", "cuda-cross-thread-reduction",
        "cuda-tensor-core-tiling",  // before the SIMT tiling: tensor-core sketches first
        "cuda-multi-level-tiling", "cuda-unroll", "cuda-auto-bind"}},
  };
  return s;
}

}  // namespace

const std::vector<std::string>& rule_set(const std::string& backend) {
  auto it = sets().find(backend);
  if (it != sets().end()) return it->second;
  std::string known;
  for (const auto& [name, _] : sets()) known += (known.empty() ? "" : ", ") + name;
  throw UsageError("no schedule rule set for target backend '" + backend + "'; rule sets exist for: " + known);
}

std::vector<std::string> list_rule_sets() {
  std::vector<std::string> out;
  for (const auto& [name, _] : sets()) out.push_back(name);
  return out;
}

}  // namespace weft::rules
