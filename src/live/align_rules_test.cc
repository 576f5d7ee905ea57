// Live rules match desired ones by the rule id in their comment, else by content and order;
// never by position alone.
#include <gtest/gtest.h>

#include "live.h"

namespace pbrc::live {
namespace {

plan::State Rules(const std::vector<std::string>& attrs, const std::string& chain = "classify") {
  plan::State s;
  for (size_t i = 0; i < attrs.size(); ++i)
    s.objects.push_back(
        {plan::Kind::kRule, chain + " #" + std::to_string(i + 1), attrs[i], "", {}});
  return s;
}

std::string PlanOf(plan::State desired, plan::State current) {
  AlignRules(desired, current);
  plan::SortState(desired);
  plan::SortState(current);
  plan::Plan p = plan::Diff(desired, current);
  std::string out;
  for (const auto& c : p.changes) out += std::string(plan::OpName(c.op)) + " " + c.key + "; ";
  return out;
}

TEST(AlignRules, InsertedRuleIsOneAdd) {
  EXPECT_EQ(PlanOf(Rules({"a", "b", "c", "d"}), Rules({"a", "c", "d"})), "add classify #2; ");
  EXPECT_EQ(PlanOf(Rules({"a", "c", "d"}), Rules({"a", "b", "c", "d"})),
            "remove classify #2 (kernel); ");
  EXPECT_EQ(PlanOf(Rules({"a", "b", "c"}), Rules({"a", "b", "c"})), "");
}

TEST(AlignRules, ChangedRulesPairInOrder) {
  EXPECT_EQ(PlanOf(Rules({"a", "x", "c"}), Rules({"a", "b", "c"})), "change classify #2; ");
  // Two changed, one more in the kernel: pairs first, the rest is removed.
  EXPECT_EQ(PlanOf(Rules({"a", "x", "y"}), Rules({"a", "b", "c", "d"})),
            "change classify #2; change classify #3; remove classify #4 (kernel); ");
}

TEST(AlignRules, OrderCounts) {
  // b moved before a: one of them is removed and added again.
  std::string p = PlanOf(Rules({"b", "a"}), Rules({"a", "b"}));
  EXPECT_EQ(p, "add classify #1; remove classify #2 (kernel); ");
}

TEST(AlignRules, ChainsAreSeparate) {
  plan::State d = Rules({"a"}, "classify");
  plan::State l = Rules({"a"}, "restore");
  EXPECT_EQ(PlanOf(d, l), "add classify #1; remove restore #1 (kernel); ");
}

// Rules keyed by the id in their comment ("classify rule N"), as NftObjects reads them.
plan::State ById(const std::vector<std::pair<int, std::string>>& rules) {
  plan::State s;
  for (const auto& [id, attrs] : rules)
    s.objects.push_back({plan::Kind::kRule, "classify rule " + std::to_string(id), attrs, "", {}});
  return s;
}

TEST(AlignRules, IdsMatchWhateverTheContent) {
  // Rule 2 changed by hand and rule 3 (same content as rule 1) still pairs by id.
  EXPECT_EQ(PlanOf(ById({{1, "a"}, {2, "b"}, {3, "a"}}), ById({{1, "a"}, {2, "x"}, {3, "a"}})),
            "change classify rule 2; ");
  // A hand-added rule without an id is foreign to pbrc: removed, the others untouched.
  plan::State live = ById({{1, "a"}, {2, "b"}});
  live.objects.insert(live.objects.begin() + 1, {plan::Kind::kRule, "classify #1", "h", "", {}});
  EXPECT_EQ(PlanOf(ById({{1, "a"}, {2, "b"}}), live), "remove classify #1 (kernel); ");
}

TEST(AlignRules, RulesWithoutIdsFallBackToContent) {
  // A table written without comments (or by an older pbrc): matched by content and order.
  EXPECT_EQ(PlanOf(ById({{1, "a"}, {2, "b"}, {3, "c"}}), Rules({"a", "c"})),
            "add classify rule 2; ");
}

TEST(AlignRules, MovedRuleWithItsIdIsRemovedAndAdded) {
  // Order decides first match: rule 1 moved behind rule 3 by hand is not the same rule.
  EXPECT_EQ(PlanOf(ById({{1, "a"}, {2, "b"}, {3, "c"}}), ById({{2, "b"}, {3, "c"}, {1, "a"}})),
            "add classify rule 1; remove classify rule 1 (kernel); ");
}

}  // namespace
}  // namespace pbrc::live
