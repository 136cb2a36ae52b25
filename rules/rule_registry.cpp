#include <map>

#include "rules/rule.h"
#include "support/error.h"

namespace weft::rules {
namespace {

// Function-local so registrations from other files' static initialisers find it.
std::map<std::string, std::unique_ptr<ScheduleRule>>& registry() {
  static std::map<std::string, std::unique_ptr<ScheduleRule>> rules;
  return rules;
}

}  // namespace

void register_rule(std::unique_ptr<ScheduleRule> rule) {
  std::string name = rule->name();
  auto [it, inserted] = registry().emplace(name, std::move(rule));
  if (!inserted) throw InternalError("schedule rule '" + name + "' is registered twice");
}

const ScheduleRule& find_rule(const std::string& name) {
  auto it = registry().find(name);
  if (it != registry().end()) return *it->second;
  std::string known;
  for (const auto& [n, _] : registry()) known += (known.empty() ? "" : ", ") + n;
  throw UsageError("unknown schedule rule '" + name + "'; known rules: " + known);
}

std::vector<std::string> list_rules() {
  std::vector<std::string> names;
  for (const auto& [n, _] : registry()) names.push_back(n);
  return names;
}

}  // namespace weft::rules
