// Rule sets: per target backend, the names of the rules the space generator
// applies to each block, in order.
#pragma once

#include <string>
#include <vector>

namespace weft::rules {

// The ordered rule names for a backend ("cpu"). UsageError naming the backend and
// the known sets otherwise. Every name is a registered rule (checked by tests).
const std::vector<std::string>& rule_set(const std::string& backend);
// Backends that have a rule set, sorted.
std::vector<std::string> list_rule_sets();

}  // namespace weft::rules
