// The rule registry and the rule sets.
#include "rule_test_util.h"
#include "rules/rule_sets.h"
#include "support/error.h"

using namespace weft;
using namespace weft::rules;

namespace {

TEST(RuleRegistry, ListsEveryRuleAndFindsThemByName) {
  std::vector<std::string> names = list_rules();
  for (const char* n : {"inline-constant-scalars", "auto-inline", "add-rfactor", "multi-level-tiling",
                        "parallelize-vectorize-unroll", "random-compute-location"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
    EXPECT_EQ(find_rule(n).name(), n);
    EXPECT_FALSE(find_rule(n).description().empty());
  }
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST(RuleRegistry, UnknownRuleIsAUsageErrorListingTheKnownOnes) {
  try {
    find_rule("tile-everything");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("tile-everything"), std::string::npos) << msg;
    EXPECT_NE(msg.find("multi-level-tiling"), std::string::npos) << msg;
  }
}

TEST(RuleSets, CpuSetIsMetaSchedulesOrderWithRegisterTilingBeforeMultiLevelTiling) {
  EXPECT_EQ(rule_set("cpu"), (std::vector<std::string>{"inline-constant-scalars", "auto-inline", "add-rfactor",
                                                        "register-tiling", "multi-level-tiling", "parallelize-vectorize-unroll",
                                                        "random-compute-location"}));
  for (const std::string& backend : list_rule_sets())
    for (const std::string& name : rule_set(backend)) EXPECT_NO_THROW(find_rule(name)) << name;
}

TEST(RuleSets, UnknownBackendIsAUsageError) {
  try {
    rule_set("tpu");
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("'tpu'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("cpu"), std::string::npos) << e.what();
  }
}

}  // namespace
